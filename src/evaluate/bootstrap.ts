/**
 * Uncertainty of the protocols' figures: per-user bootstrap confidence intervals, and paired comparisons of two
 * models on the same resampled users. A protocol keeps what each evaluated user contributed to a row
 * ({@link PerUserData}); a bootstrap replicate draws as many users as were evaluated, with replacement, and
 * recomputes every metric of the row from the drawn users (a user drawn twice counts twice).
 *
 * @module
 */
import { ConfigError } from '../errors';
import { Rng } from '../util/random';
import { getMetric } from './metrics/registry';

/**
 * What each user contributed to a ranking row (protocols T, S, K): their value of every metric that is a mean
 * over users, and their top-K list (catalog coverage is recomputed from the drawn users' lists).
 */
export interface RankingPerUser {
  /** Discriminant. */
  type: 'ranking';
  /** The evaluated user ids, ascending; every array below is aligned with them. */
  users: number[];
  /** Per-user values by report key (`'P@10'`, `'NDCG@10'`, `'diversity'`, …). */
  values: Record<string, number[]>;
  /** Each user's recommended movie ids, best first. */
  lists: number[][];
  /** Movies that could be recommended (the denominator of coverage). */
  catalogSize: number;
}

/** What each user contributed to a rating row (protocol R), fold by fold. */
export interface RatingPerUser {
  /** Discriminant. */
  type: 'rating';
  /** The evaluated user ids, ascending; every per-fold array is aligned with them. */
  users: number[];
  /** One entry per fold. */
  folds: Array<{
    /** Fold name, e.g. `'u1'`. */
    fold: string;
    /** Test ratings of each user in this fold (0: the user has none here). */
    count: number[];
    /** Sum of squared errors of each user's predictions. */
    squaredError: number[];
    /** Sum of absolute errors of each user's predictions. */
    absoluteError: number[];
  }>;
}

/** What each user contributed to a classification row (protocol C), fold by fold. */
export interface ClassificationPerUser {
  /** Discriminant. */
  type: 'classification';
  /** The evaluated user ids, ascending. */
  users: number[];
  /** One entry per fold. */
  folds: Array<{
    /** Fold name, e.g. `'u1'`. */
    fold: string;
    /** The threshold on predicted ratings used in this fold (a prediction ≥ it is "liked"). */
    threshold: number;
    /** For each prediction, the position of its user in `users`. */
    owner: number[];
    /** The predicted ratings. */
    scores: number[];
    /** Whether each test rating is liked (1) or not (0). */
    labels: number[];
  }>;
}

/** Per-user contributions to a row, from which its metrics can be recomputed for any resample of users. */
export type PerUserData = RankingPerUser | RatingPerUser | ClassificationPerUser;

/** Options of {@link bootstrapIntervals} and {@link compareModels}. */
export interface BootstrapOptions {
  /** Bootstrap replicates. Default 1000. */
  resamples?: number;
  /** Coverage of the percentile interval. Default 0.95 (the 2.5th and 97.5th percentiles). */
  confidence?: number;
  /** Seed of the resampling. Default 42. */
  seed?: number | string;
}

/**
 * A row's metrics recomputed with user multiplicities `weights` (aligned with `data.users`; a weight of 2 counts
 * the user twice, 0 leaves them out). With every weight 1 it gives the row's own figures (up to rounding for R
 * and C, whose point figures sum predictions in another order). A metric with no user left is `NaN`.
 *
 * @example
 * ```ts
 * import { metricsFromWeights, type RankingPerUser } from 'reelrec';
 * const data: RankingPerUser = {
 *   type: 'ranking',
 *   users: [1, 2],
 *   values: { 'P@10': [0.2, 0.4] },
 *   lists: [[5, 6], [6, 7]],
 *   catalogSize: 10,
 * };
 * metricsFromWeights(data, [1, 1]); // { 'P@10': 0.3, coverage: 0.3 }
 * metricsFromWeights(data, [2, 0]); // { 'P@10': 0.2, coverage: 0.2 }
 * ```
 */
export function metricsFromWeights(data: PerUserData, weights: ArrayLike<number>): Record<string, number> {
  if (weights.length !== data.users.length) {
    throw new ConfigError(
      'weights',
      `one weight per user (${data.users.length})`,
      `${weights.length} weights`,
    );
  }
  switch (data.type) {
    case 'ranking':
      return rankingFromWeights(data, weights);
    case 'rating':
      return ratingFromWeights(data, weights);
    default:
      return classificationFromWeights(data, weights);
  }
}

/**
 * Percentile bootstrap intervals of every metric of a row: `resamples` times, draw `users.length` users with
 * replacement (a seeded {@link Rng}), recompute the metrics ({@link metricsFromWeights}), and take the
 * (1 − confidence)/2 and (1 + confidence)/2 quantiles of each metric's replicates (linear interpolation between
 * order statistics, as R's type 7 and NumPy's default). Replicates where a metric is `NaN` are left out of
 * its quantiles; a metric `NaN` in every replicate gets `[NaN, NaN]`. Two rows with the same users and seed
 * are resampled identically.
 *
 * @throws {ConfigError} on a bad `resamples` or `confidence`.
 * @example
 * ```ts
 * import { bootstrapIntervals } from 'reelrec';
 * const data = { type: 'ranking' as const, users: [1, 2], values: { 'HR@10': [0, 1] }, lists: [[], []], catalogSize: 5 };
 * bootstrapIntervals(data, { resamples: 1000, seed: 42 })['HR@10']; // [0, 1]
 * ```
 */
export function bootstrapIntervals(
  data: PerUserData,
  options: BootstrapOptions = {},
): Record<string, [number, number]> {
  const { resamples, confidence, seed } = checkBootstrap(options);
  const n = data.users.length;
  const draws: Record<string, number[]> = {};
  const rng = new Rng(seed);
  const w = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    w.fill(0);
    for (let t = 0; t < n; t++) w[rng.int(n)]!++;
    for (const [key, value] of Object.entries(metricsFromWeights(data, w))) {
      const list = draws[key];
      if (list) list.push(value);
      else draws[key] = [value];
    }
  }
  const out: Record<string, [number, number]> = {};
  for (const [key, values] of Object.entries(draws)) out[key] = percentileInterval(values, confidence);
  return out;
}

/** What {@link compareModels} returns: the bootstrap distribution of metric(a) − metric(b). */
export interface ModelComparison {
  /** The metric compared (report key). */
  metric: string;
  /** Name of row a. */
  a: string;
  /** Name of row b. */
  b: string;
  /** Users both rows evaluated; every replicate draws this many of them. */
  users: number;
  /** Replicates drawn. */
  resamples: number;
  /** metric(a) − metric(b) on the common users. */
  difference: number;
  /** The mean of the replicates' differences. */
  meanDifference: number;
  /** Percentile interval of the difference (the `confidence` of the options). */
  interval: [number, number];
  /** Share of replicates where a is better than b (by the metric's direction when registered; else a > b). */
  shareABetter: number;
  /** Each replicate's difference, in draw order (`NaN` where the metric is undefined). */
  distribution: number[];
}

/** The rows {@link compareModels} compares: anything with a name and per-user data, e.g. a {@link MetricRow}. */
export interface ComparableRow {
  /** Row name. */
  name: string;
  /** The row's per-user contributions (rows of {@link runProtocol} keep them). */
  perUser?: PerUserData;
}

/**
 * A paired bootstrap comparison of two rows on one metric: each replicate draws users (with replacement) from
 * the users both rows evaluated and recomputes the metric for **both** rows on the same draw, so the
 * difference's interval is honest about the users both models share (much narrower than comparing two
 * separate intervals). The rows come from one {@link ProtocolResult}, or from two results of the same protocol,
 * data and seed (users are matched by id).
 *
 * `lowerIsBetter` (default: the metric's registered direction, see {@link getMetric}; higher is better for an
 * unregistered key) sets which way `shareABetter` counts.
 *
 * @throws {ConfigError} when a row has no per-user data, the rows are of different kinds, they share no user,
 *   or the metric is not one of theirs.
 * @example
 * ```ts
 * import { compareModels, runProtocol, EaseBaseline, ItemKnnBaseline, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const result = await runProtocol('T', data, [
 *   { name: 'ease', kind: 'baseline', create: () => new EaseBaseline() },
 *   { name: 'item-knn', kind: 'baseline', create: () => new ItemKnnBaseline() },
 * ]);
 * const [ease, knn] = result.results;
 * const c = compareModels(ease!, knn!, 'NDCG@10');
 * console.log(c.difference, c.interval); // e.g. 0.098 [0.085, 0.111]: EASE is ahead
 * ```
 */
export function compareModels(
  a: ComparableRow,
  b: ComparableRow,
  metric: string,
  options: BootstrapOptions & { lowerIsBetter?: boolean } = {},
): ModelComparison {
  const { resamples, confidence, seed } = checkBootstrap(options);
  const da = a.perUser;
  const db = b.perUser;
  if (!da || !db) {
    throw new ConfigError(
      'compareModels',
      'two rows with per-user data (rows of runProtocol keep it in perUser)',
      `${da ? '' : a.name}${!da && !db ? ' and ' : ''}${db ? '' : b.name} without`,
    );
  }
  if (da.type !== db.type)
    throw new ConfigError('compareModels', 'two rows of the same kind', `${da.type} and ${db.type}`);
  const posB = new Map<number, number>();
  for (let i = 0; i < db.users.length; i++) posB.set(db.users[i]!, i);
  const ia: number[] = [];
  const ib: number[] = [];
  da.users.forEach((u, i) => {
    const j = posB.get(u);
    if (j !== undefined) {
      ia.push(i);
      ib.push(j);
    }
  });
  const n = ia.length;
  if (n === 0)
    throw new ConfigError('compareModels', 'rows that evaluated some common users', 'no common user');
  const wa = new Float64Array(da.users.length);
  const wb = new Float64Array(db.users.length);
  const metricOf = (data: PerUserData, w: Float64Array): number => {
    const m = metricsFromWeights(data, w);
    if (!(metric in m)) {
      throw new ConfigError('metric', `one of ${Object.keys(m).join(', ')}`, metric);
    }
    return m[metric]!;
  };
  for (let t = 0; t < n; t++) {
    wa[ia[t]!] = 1;
    wb[ib[t]!] = 1;
  }
  const difference = metricOf(da, wa) - metricOf(db, wb);
  const lower = options.lowerIsBetter ?? lowerIsBetter(metric);
  const rng = new Rng(seed);
  const distribution: number[] = [];
  let sum = 0;
  let counted = 0;
  let better = 0;
  for (let r = 0; r < resamples; r++) {
    wa.fill(0);
    wb.fill(0);
    for (let t = 0; t < n; t++) {
      const pick = rng.int(n);
      wa[ia[pick]!]!++;
      wb[ib[pick]!]!++;
    }
    const d = metricOf(da, wa) - metricOf(db, wb);
    distribution.push(d);
    if (Number.isNaN(d)) continue;
    sum += d;
    counted++;
    if (lower ? d < 0 : d > 0) better++;
  }
  return {
    metric,
    a: a.name,
    b: b.name,
    users: n,
    resamples,
    difference,
    meanDifference: counted > 0 ? sum / counted : Number.NaN,
    interval: percentileInterval(distribution, confidence),
    shareABetter: counted > 0 ? better / counted : Number.NaN,
    distribution,
  };
}

/**
 * The central `confidence` percentile interval of `values` (type-7 quantiles; `NaN` values left out;
 * `[NaN, NaN]` when none is left).
 *
 * @example
 * ```ts
 * import { percentileInterval } from 'reelrec';
 * percentileInterval([1, 2, 3, 4, 5], 0.5); // [2, 4]
 * ```
 */
export function percentileInterval(values: readonly number[], confidence: number): [number, number] {
  const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  if (sorted.length === 0) return [Number.NaN, Number.NaN];
  const alpha = (1 - confidence) / 2;
  return [quantile(sorted, alpha), quantile(sorted, 1 - alpha)];
}

function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const x = sorted[lo]!;
  const y = sorted[hi]!;
  // x + (h − lo)(y − x), but exact when x = y (also for infinities).
  return x === y ? x : x + (h - lo) * (y - x);
}

function checkBootstrap(options: BootstrapOptions): {
  resamples: number;
  confidence: number;
  seed: number | string;
} {
  const resamples = options.resamples ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new ConfigError('resamples', 'a positive integer', resamples);
  }
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1))
    throw new ConfigError('confidence', 'a number in (0, 1)', confidence);
  return { resamples, confidence, seed: options.seed ?? 42 };
}

function rankingFromWeights(data: RankingPerUser, w: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (let u = 0; u < w.length; u++) total += w[u]!;
  for (const [key, values] of Object.entries(data.values)) {
    let s = 0;
    for (let u = 0; u < w.length; u++) if (w[u]! !== 0) s += w[u]! * values[u]!;
    out[key] = total > 0 ? s / total : Number.NaN;
  }
  const seen = new Set<number>();
  for (let u = 0; u < w.length; u++) if (w[u]! !== 0) for (const id of data.lists[u]!) seen.add(id);
  out.coverage = total > 0 ? seen.size / data.catalogSize : Number.NaN;
  return out;
}

function ratingFromWeights(data: RatingPerUser, w: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  let rmseSum = 0;
  let maeSum = 0;
  for (const f of data.folds) {
    let n = 0;
    let se = 0;
    let ae = 0;
    for (let u = 0; u < w.length; u++) {
      const x = w[u]!;
      if (x === 0 || f.count[u] === 0) continue;
      n += x * f.count[u]!;
      se += x * f.squaredError[u]!;
      ae += x * f.absoluteError[u]!;
    }
    const rmse = n > 0 ? Math.sqrt(se / n) : Number.NaN;
    const mae = n > 0 ? ae / n : Number.NaN;
    rmseSum += rmse;
    maeSum += mae;
    if (f.fold === 'u1') {
      out.RMSE_u1 = rmse;
      out.MAE_u1 = mae;
    }
  }
  const folds = data.folds.length;
  return {
    RMSE: folds > 0 ? rmseSum / folds : Number.NaN,
    MAE: folds > 0 ? maeSum / folds : Number.NaN,
    ...out,
  };
}

/** Per fold, what every replicate reuses: per-user confusion counts and the predictions sorted by score. */
interface FoldCache {
  /** True positives, false positives, false negatives of each user at the fold's threshold. */
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  /** The predictions' users and labels in ascending score order. */
  owner: Int32Array;
  label: Uint8Array;
  /** End (exclusive) of each run of equal scores in that order. */
  tieEnd: Int32Array;
}

const foldCache = new WeakMap<ClassificationPerUser['folds'][number], FoldCache>();

function cacheOf(f: ClassificationPerUser['folds'][number], users: number): FoldCache {
  let c = foldCache.get(f);
  if (c) return c;
  const n = f.scores.length;
  const tp = new Float64Array(users);
  const fp = new Float64Array(users);
  const fn = new Float64Array(users);
  for (let p = 0; p < n; p++) {
    const u = f.owner[p]!;
    const liked = f.scores[p]! >= f.threshold;
    if (f.labels[p]) {
      if (liked) tp[u]!++;
      else fn[u]!++;
    } else if (liked) fp[u]!++;
  }
  const order = Int32Array.from(f.scores.keys()).sort((a, b) => f.scores[a]! - f.scores[b]! || a - b);
  const ends: number[] = [];
  for (let i = 1; i <= n; i++) if (i === n || f.scores[order[i]!] !== f.scores[order[i - 1]!]) ends.push(i);
  c = {
    tp,
    fp,
    fn,
    owner: Int32Array.from(order, (p) => f.owner[p]!),
    label: Uint8Array.from(order, (p) => (f.labels[p] ? 1 : 0)),
    tieEnd: Int32Array.from(ends),
  };
  foldCache.set(f, c);
  return c;
}

function classificationFromWeights(
  data: ClassificationPerUser,
  w: ArrayLike<number>,
): Record<string, number> {
  const sums = { precision: 0, recall: 0, F1: 0, AUC: 0 };
  for (const f of data.folds) {
    const c = cacheOf(f, data.users.length);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let u = 0; u < w.length; u++) {
      const x = w[u]!;
      if (x === 0) continue;
      tp += x * c.tp[u]!;
      fp += x * c.fp[u]!;
      fn += x * c.fn[u]!;
    }
    sums.precision += tp + fp > 0 ? tp / (tp + fp) : 0;
    sums.recall += tp + fn > 0 ? tp / (tp + fn) : 0;
    sums.F1 += tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
    sums.AUC += weightedAuc(c, w);
  }
  const k = data.folds.length;
  const mean = (s: number): number => (k > 0 ? s / k : Number.NaN);
  return {
    precision: mean(sums.precision),
    recall: mean(sums.recall),
    F1: mean(sums.F1),
    AUC: mean(sums.AUC),
  };
}

/**
 * Mann–Whitney AUC with weighted observations: Σ over (positive, negative) pairs of w_p·w_n·([s_p > s_n] + ½[s_p =
 * s_n]) / (W_pos·W_neg), in one sweep over the runs of equal scores.
 */
function weightedAuc(c: FoldCache, w: ArrayLike<number>): number {
  let negBelow = 0;
  let u = 0;
  let pos = 0;
  let i = 0;
  for (let g = 0; g < c.tieEnd.length; g++) {
    const end = c.tieEnd[g]!;
    let tiePos = 0;
    let tieNeg = 0;
    for (; i < end; i++) {
      const x = w[c.owner[i]!]!;
      if (c.label[i]) tiePos += x;
      else tieNeg += x;
    }
    u += tiePos * (negBelow + tieNeg / 2);
    negBelow += tieNeg;
    pos += tiePos;
  }
  return pos > 0 && negBelow > 0 ? u / (pos * negBelow) : Number.NaN;
}

/** Whether a smaller value of the metric (report key) is better; false for keys the registry does not know. */
export function lowerIsBetter(metric: string): boolean {
  try {
    return getMetric(metric).direction === 'lower';
  } catch {
    return false;
  }
}
