/**
 * The benchmark protocols of `PROTOCOL.md`: R (rating prediction on the official folds), C (liked-or-not
 * classification on the same folds), T (top-N on a 75/25 stratified split), S (next movie, leave-one-out,
 * full ranking) and K (cold start on held-out users). Every model runs through the same code path: a fresh
 * instance per fold or split, `fit` on the training rows only, scoring from {@link UserHistory} objects built
 * in stable time order, `dispose` afterwards.
 *
 * @module
 */
import { leaveOneOutSplit, stratifiedRandomSplit, userHoldoutSplit, userTimelines } from '../data/split';
import type { Dataset, RatingTable, User } from '../data/types';
import { AbortedError, ConfigError, StateError } from '../errors';
import { topK } from '../recommend/topk';
import type { EpochLog, FitOptions, FitSummary, HistoryItem, Scorer, UserHistory } from '../recommend/types';
import { Rng } from '../util/random';
import {
  AlwaysLikedPredictor,
  hasFixedThreshold,
  LIKED_RATING,
  MovieMeanPredictor,
} from './baselines/trivial';
import {
  type BootstrapOptions,
  bootstrapIntervals,
  type ClassificationPerUser,
  metricsFromWeights,
  type PerUserData,
  type RankingPerUser,
  type RatingPerUser,
} from './bootstrap';
import {
  catalogCoverage,
  intraListDiversity,
  novelty,
  type PopularityCounts,
  popularityCounts,
} from './metrics/beyond';
import { bestF1Threshold, classificationReport, rocAuc } from './metrics/classification';
import { checkK, type RankingMetrics, rankingMetricsAtK } from './metrics/ranking';
import { mae, rmse } from './metrics/rating';

/** The protocols of `PROTOCOL.md`. */
export type ProtocolName = 'R' | 'C' | 'T' | 'S' | 'K';

/**
 * Every protocol name, in `PROTOCOL.md` order.
 *
 * @example
 * ```ts
 * import { PROTOCOL_NAMES } from 'reelrec';
 * console.log(PROTOCOL_NAMES.join(', ')); // R, C, T, S, K
 * ```
 */
export const PROTOCOL_NAMES: readonly ProtocolName[] = Object.freeze(['R', 'C', 'T', 'S', 'K'] as const);

/**
 * What each protocol measures and the published figures it stands beside (from `PROTOCOL.md`). The protocols
 * copy these lines into {@link ProtocolResult.notes}.
 *
 * @example
 * ```ts
 * import { PROTOCOL_INFO } from 'reelrec';
 * console.log(PROTOCOL_INFO.T.published[0]);
 * ```
 */
export const PROTOCOL_INFO: Readonly<
  Record<
    ProtocolName,
    {
      /** One line: the protocol's letter, what it splits and what it measures. */
      title: string;
      /** The published figures it compares to, one line each. */
      published: readonly string[];
    }
  >
> = Object.freeze({
  R: {
    title:
      'R: rating prediction on the official folds; history = the user’s base ratings in time order; RMSE and MAE per fold, mean, and u1 alone',
    published: [
      'Surprise benchmark, ML-100k 5-fold CV (RMSE / MAE): SVD 0.934 / 0.737, SVD++ 0.919 / 0.721, k-NN Baseline 0.931 / 0.733, Baseline 0.944 / 0.748',
      'GLocal-K: RMSE 0.8889 on u1',
    ],
  },
  C: {
    title:
      'C: liked (rating ≥ 4) or not on the official folds; threshold on predicted ratings chosen for F1 on a 10% validation slice of each base file; precision, recall, F1, ROC AUC of the liked class',
    published: [
      'No external figure: read a model’s figures as their distance from the trivial predictors "always-liked" and "movie-mean" (movie mean rating ≥ 4) reported beside them',
    ],
  },
  T: {
    title:
      'T: top-N; per user a random 75% of ratings train, 25% test (stratified by user); every movie outside the user’s training ratings ranked; relevant = the user’s test movies',
    published: [
      'Microsoft Recommenders, ML-100k, 75/25 stratified split, top 10: BPR P@10 0.388, R@10 0.213, NDCG@10 0.442, MAPrel@10 0.132; SAR P@10 0.331, NDCG@10 0.382',
    ],
  },
  S: {
    title:
      'S: next movie, leave-one-out in stable time order (last = test, second to last = validation); every movie not rated before the target ranked; no sampled negatives',
    published: [
      'Klenitskiy & Vasilev (RecSys 2023), MovieLens-1M, same protocol: SASRec full cross-entropy HR@10 0.3152, NDCG@10 0.1821; BERT4Rec 0.2843 / 0.1537; SASRec one negative 0.2500 / 0.1341',
    ],
  },
  K: {
    title:
      'K: cold start; 20% of users held out whole; (a) demographics only (age, gender, occupation), relevant = all their movies; (b) demographics + first 5 ratings in time order, relevant = the rest',
    published: ['No external figure: compare with the popularity baselines on the same users'],
  },
});

/** A model to evaluate: a factory, so each fold or split gets a fresh, untrained instance. */
export interface ModelSpec {
  /** Row name in the report; unique within one run. */
  name: string;
  /** `'model'` for a model under test, `'baseline'` for a reference it is compared with. */
  kind: 'model' | 'baseline';
  /** Makes a new, unfitted scorer. */
  create: () => Scorer | Promise<Scorer>;
}

/** One official fold (e.g. ML-100k's `u1.base` / `u1.test`): structurally what the loader's folds return. */
export interface FoldSplit {
  /** E.g. `'u1'`. */
  name: string;
  /** The ratings to fit on (`u1.base`). */
  train: RatingTable;
  /** The ratings to evaluate on (`u1.test`). */
  test: RatingTable;
}

/** A progress report of {@link runProtocol}. */
export interface ProgressEvent {
  /** The protocol running. */
  protocol: ProtocolName;
  /** The model's spec name. */
  model: string;
  /** `'fit'` while the model trains, `'score'` while users are scored. */
  stage: 'fit' | 'score';
  /** Fold name (R, C), or the split / scenario label. */
  fold?: string;
  /** Work done in this stage: 0 or 1 for `'fit'`, users scored so far for `'score'`. */
  done: number;
  /** Work in this stage: 1 for `'fit'`, users to score for `'score'`. */
  total: number;
}

/** Options of {@link runProtocol}. */
export interface ProtocolOptions {
  /** Ranking cutoff K. Default 10. */
  k?: number;
  /** Seed of every random split and sample. Default 42. */
  seed?: number;
  /** The official folds (ML-100k `u1`…`u5`): required for R and C. */
  folds?: FoldSplit[];
  /**
   * Passed to every `fit`, except `validation`, which the protocol sets itself (the protocol S validation
   * items; the protocol C validation slice; none for R, T and K) so test data can never leak through it.
   */
  fitOptions?: FitOptions;
  /** Stops the run: between stages it throws an {@link AbortedError}; it is also handed to `fit`. */
  signal?: AbortSignal;
  /** Called as each model fits and scores (see {@link ProgressEvent}). */
  onProgress?: (event: ProgressEvent) => void;
  /** Evaluate at most this many users (a seeded sample), for quick runs. Default: all. Training is not cut. */
  users?: number;
  /**
   * Per-user bootstrap intervals of every metric ({@link MetricRow.intervals}): resamples (default 1000),
   * confidence (default 0.95) and seed (default: the protocol's `seed`); `false` computes none. Every row of
   * a run is resampled with the same draws of users.
   */
  bootstrap?: BootstrapOptions | false;
}

/** One fit of a row's model: its epoch history, for training curves. */
export interface TrainingRecord {
  /** The fold (protocols R and C); absent when the model was fitted once. */
  fold?: string;
  /** Epochs run. */
  epochs: number;
  /** The epoch whose weights were kept. */
  bestEpoch: number;
  /** True when the fit was stopped by the abort signal. */
  aborted: boolean;
  /** Wall-clock seconds of the fit. */
  seconds: number;
  /** One entry per epoch: loss, validation loss and metrics, seconds. */
  history: EpochLog[];
  /** The fit's notes (a batch size lowered, the scale a started matrix got, movies started from content …). */
  notes?: string[];
}

/** One row of a report: a model (in a scenario) and its metrics. */
export interface MetricRow {
  /** The model's spec name (or a trivial predictor's name in protocol C). */
  name: string;
  /** Whether the row is a model under test or a baseline. */
  kind: 'model' | 'baseline';
  /** Protocol K: `'demographics'` or `'demographics+5'`. */
  scenario?: string;
  /** Metric values by report key (`'RMSE'`, `'NDCG@10'`, …); for R and C the mean over folds. */
  metrics: Record<string, number>;
  /** Protocols R and C: the values of each fold. */
  perFold?: Array<{
    /** Fold name, e.g. `'u1'`. */
    fold: string;
    /** Metric values of that fold, by report key. */
    metrics: Record<string, number>;
  }>;
  /** Wall-clock seconds for this row: fits and scoring (protocol K: the fit plus this scenario's scoring). */
  seconds: number;
  /** Remarks on this row alone, when there are any. */
  notes?: string[];
  /**
   * Percentile bootstrap intervals over users, by metric key (see {@link bootstrapIntervals}): `[low, high]`
   * at the run's confidence (95% by default). Absent with `bootstrap: false`.
   */
  intervals?: Record<string, [number, number]>;
  /**
   * What each evaluated user contributed, for {@link compareModels} and custom resampling. `resultToJSON`
   * leaves it out unless asked.
   */
  perUser?: PerUserData;
  /** Each fit's epoch history (models that report epochs; baselines without epochs have none). */
  training?: TrainingRecord[];
}

/** What {@link runProtocol} returns: plain data, ready for `JSON.stringify` (NaN aside: see `resultToJSON`). */
export interface ProtocolResult {
  /** The protocol that ran. */
  protocol: ProtocolName;
  /** `dataset.name`. */
  dataset: string;
  /** Ranking cutoff K used. */
  k: number;
  /** Seed of the splits and samples. */
  seed: number;
  /** Distinct users evaluated. */
  users: number;
  /** One row per model (per scenario in protocol K), baselines included. */
  results: MetricRow[];
  /** The protocol's title and published figures ({@link PROTOCOL_INFO}), then remarks on the run. */
  notes: string[];
}

const BATCH = 256;

interface Ctx {
  protocol: ProtocolName;
  dataset: Dataset;
  k: number;
  seed: number;
  fitOptions: FitOptions;
  signal: AbortSignal | undefined;
  onProgress: ProtocolOptions['onProgress'];
  /** Users that may be evaluated; null = all. */
  allowed: ReadonlySet<number> | null;
  cap: number | undefined;
  demographics: Map<number, Partial<Omit<User, 'id'>>>;
  evaluatedUsers: Set<number>;
  notes: string[];
  bootstrap: BootstrapOptions | false;
  /** Candidate movie ids, ascending (computed on first use). */
  catalog?: number[];
}

/**
 * Runs one protocol of `PROTOCOL.md` on a data set for a list of models and returns one row per model (two per
 * model for K, one per scenario; C also carries the rows of its two trivial predictors). See
 * {@link PROTOCOL_INFO} for what each protocol does and the figures it compares to.
 *
 * Metric keys: R `RMSE`, `MAE`, `RMSE_u1`, `MAE_u1`; C `precision`, `recall`, `F1`, `AUC`; T, S, K `P@K`,
 * `R@K`, `F1@K`, `NDCG@K`, `MAP@K`, `MAPrel@K`, `HR@K`, `MRR@K`, `coverage`, `diversity`, `novelty` (K as
 * asked). Ranking metrics are means over users with at least one relevant movie; users without are skipped.
 * In C, each fold's `perFold` metrics also carry the `threshold` used, and the trivial rows `always-liked` and
 * `movie-mean` are added unless `models` already has rows of those names (they train on the whole base file,
 * since their threshold is fixed). Histories carry `userId` and demographics (age, gender, occupation), except in
 * K, where no `userId` is given: held-out users are unknown to every model.
 *
 * Each row also keeps what every evaluated user contributed (`perUser`), a percentile bootstrap interval over
 * users for each metric (`intervals`; see `bootstrap` in {@link ProtocolOptions} and {@link bootstrapIntervals}),
 * and each fit's epoch history (`training`) when the model reports epochs. Compare two rows with
 * {@link compareModels}; draw them with {@link resultToHtml}.
 *
 * @throws {ConfigError} on an unknown protocol, a bad `k` or `users`, duplicate model names, or missing folds
 *   for R and C.
 * @throws {AbortedError} when `options.signal` aborts.
 * @throws {StateError} when a model returns scores or predictions of the wrong shape, or a non-finite
 *   predicted rating.
 *
 * @example
 * ```ts
 * import { ItemKnnBaseline, PopularityBaseline, loadMovieLens, runProtocol } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const result = await runProtocol('T', data, [
 *   { name: 'popularity', kind: 'baseline', create: () => new PopularityBaseline() },
 *   { name: 'item-knn', kind: 'baseline', create: () => new ItemKnnBaseline() },
 * ]);
 * for (const row of result.results) console.log(row.name, row.metrics['P@10'], row.metrics['NDCG@10']);
 * ```
 */
export async function runProtocol(
  protocol: ProtocolName,
  dataset: Dataset,
  models: readonly ModelSpec[],
  options: ProtocolOptions = {},
): Promise<ProtocolResult> {
  if (!PROTOCOL_NAMES.includes(protocol)) {
    throw new ConfigError('protocol', `one of ${PROTOCOL_NAMES.map((p) => `'${p}'`).join(', ')}`, protocol);
  }
  const k = options.k ?? 10;
  checkK(k);
  const seed = options.seed ?? 42;
  if (options.users !== undefined && !(Number.isInteger(options.users) && options.users >= 1)) {
    throw new ConfigError('users', 'a positive integer', options.users);
  }
  const names = new Set<string>();
  for (const m of models) {
    if (typeof m.name !== 'string' || m.name === '')
      throw new ConfigError('models[].name', 'a non-empty string', m.name);
    if (names.has(m.name)) throw new ConfigError('models[].name', 'unique model names', m.name);
    names.add(m.name);
  }
  const demographics = new Map<number, Partial<Omit<User, 'id'>>>();
  for (const u of dataset.users)
    demographics.set(u.id, { age: u.age, gender: u.gender, occupation: u.occupation });
  const ctx: Ctx = {
    protocol,
    dataset,
    k,
    seed,
    fitOptions: options.fitOptions ?? {},
    signal: mergeSignals(options.signal, options.fitOptions?.signal),
    onProgress: options.onProgress,
    allowed: null,
    cap: options.users,
    demographics,
    evaluatedUsers: new Set(),
    notes: [PROTOCOL_INFO[protocol].title, ...PROTOCOL_INFO[protocol].published.map((p) => `Compare: ${p}`)],
    bootstrap: options.bootstrap === false ? false : { seed: `${seed}:bootstrap`, ...options.bootstrap },
  };
  let results: MetricRow[];
  switch (protocol) {
    case 'R':
      results = await runR(ctx, models, requireFolds(protocol, options.folds));
      break;
    case 'C':
      results = await runC(ctx, models, requireFolds(protocol, options.folds));
      break;
    case 'T':
      results = await runT(ctx, models);
      break;
    case 'S':
      results = await runS(ctx, models);
      break;
    default:
      results = await runK(ctx, models);
      break;
  }
  for (const row of results) addIntervals(ctx, row);
  if (ctx.bootstrap !== false) {
    ctx.notes.push(
      `Intervals: ${Math.round((ctx.bootstrap.confidence ?? 0.95) * 100)}% percentile bootstrap over users, ${ctx.bootstrap.resamples ?? 1000} resamples.` +
        (protocol === 'R' || protocol === 'C'
          ? ''
          : ' Coverage is not a mean over users: a resample holds about 63% distinct users, so its interval sits below the figure and shows spread only.'),
    );
  }
  return {
    protocol,
    dataset: dataset.name,
    k,
    seed,
    users: ctx.evaluatedUsers.size,
    results,
    notes: ctx.notes,
  };
}

// ---------------------------------------------------------------------------------------------------------
// R and C: rating prediction on the folds

async function runR(ctx: Ctx, models: readonly ModelSpec[], folds: FoldSplit[]): Promise<MetricRow[]> {
  restrictUsers(ctx, distinctUsers(ctx.dataset.ratings));
  const rows: MetricRow[] = [];
  if (!folds.some((f) => f.name === 'u1'))
    ctx.notes.push('No fold named u1: RMSE_u1 and MAE_u1 are left out.');
  for (const spec of models) {
    const start = performance.now();
    const perFold: Array<{ fold: string; metrics: Record<string, number> }> = [];
    const training: TrainingRecord[] = [];
    const byFold: Array<{ fold: string; req: RatingRequests; pred: number[] }> = [];
    let skipped = false;
    for (const fold of folds) {
      const done = await withScorer(spec, async (scorer) => {
        if (!scorer.predictRatings) return false;
        keepTraining(
          training,
          await fitScorer(ctx, scorer, spec.name, fold.train, undefined, fold.name),
          fold.name,
        );
        const req = ratingRequests(ctx, fold.train, fold.test);
        const pred = await predictAll(ctx, scorer, spec.name, req, fold.name);
        perFold.push({
          fold: fold.name,
          metrics: { RMSE: rmse(pred, req.actual), MAE: mae(pred, req.actual) },
        });
        byFold.push({ fold: fold.name, req, pred });
        return true;
      });
      if (!done) {
        skipped = true;
        break;
      }
    }
    if (skipped) {
      ctx.notes.push(`${spec.name}: left out (no predictRatings: a ranking-only model).`);
      continue;
    }
    const metrics = meanOver(perFold, ['RMSE', 'MAE']);
    const u1 = perFold.find((f) => f.fold === 'u1');
    if (u1) {
      metrics.RMSE_u1 = u1.metrics.RMSE!;
      metrics.MAE_u1 = u1.metrics.MAE!;
    }
    rows.push({
      name: spec.name,
      kind: spec.kind,
      metrics,
      perFold,
      seconds: elapsed(start),
      perUser: ratingPerUser(byFold),
      ...withTraining(training),
    });
  }
  return rows;
}

async function runC(ctx: Ctx, models: readonly ModelSpec[], folds: FoldSplit[]): Promise<MetricRow[]> {
  restrictUsers(ctx, distinctUsers(ctx.dataset.ratings));
  const all: ModelSpec[] = [...models];
  const trivial: ModelSpec[] = [
    { name: 'always-liked', kind: 'baseline', create: () => new AlwaysLikedPredictor() },
    { name: 'movie-mean', kind: 'baseline', create: () => new MovieMeanPredictor() },
  ];
  for (const t of trivial) if (!models.some((m) => m.name === t.name)) all.push(t);
  const rows: MetricRow[] = [];
  for (const spec of all) {
    const start = performance.now();
    const perFold: Array<{ fold: string; metrics: Record<string, number> }> = [];
    const rowNotes: string[] = [];
    const training: TrainingRecord[] = [];
    const byFold: Array<{ fold: string; req: RatingRequests; pred: number[]; threshold: number }> = [];
    let skipped = false;
    for (const fold of folds) {
      const done = await withScorer(spec, async (scorer) => {
        if (!scorer.predictRatings) return false;
        let threshold: number;
        if (hasFixedThreshold(scorer)) {
          // Trivial predictors: fixed threshold, nothing to tune, so they train on the whole base file.
          keepTraining(
            training,
            await fitScorer(ctx, scorer, spec.name, fold.train, undefined, fold.name),
            fold.name,
          );
          threshold = scorer.likedThreshold;
          if (perFold.length === 0) rowNotes.push(`fixed threshold ${threshold} (not tuned)`);
        } else {
          const slice = stratifiedRandomSplit(fold.train, { trainRatio: 0.9, seed: ctx.seed });
          keepTraining(
            training,
            await fitScorer(ctx, scorer, spec.name, slice.train, slice.test, fold.name),
            fold.name,
          );
          const val = ratingRequests(ctx, slice.train, slice.test);
          const valPred = await predictAll(ctx, scorer, spec.name, val, `${fold.name}/validation`);
          threshold = bestF1Threshold(valPred, val.actual.map(isLiked)).threshold;
          if (!Number.isFinite(threshold)) {
            rowNotes.push(
              `${fold.name}: no liked rating in the validation slice; threshold ${LIKED_RATING} used`,
            );
            threshold = LIKED_RATING;
          }
        }
        const req = ratingRequests(ctx, fold.train, fold.test);
        const pred = await predictAll(ctx, scorer, spec.name, req, fold.name);
        const labels = req.actual.map(isLiked);
        const report = classificationReport(
          pred.map((p) => p >= threshold),
          labels,
        );
        perFold.push({
          fold: fold.name,
          metrics: {
            precision: report.precision,
            recall: report.recall,
            F1: report.f1,
            AUC: rocAuc(pred, labels),
            threshold,
          },
        });
        byFold.push({ fold: fold.name, req, pred, threshold });
        return true;
      });
      if (!done) {
        skipped = true;
        break;
      }
    }
    if (skipped) {
      ctx.notes.push(`${spec.name}: left out (no predictRatings: a ranking-only model).`);
      continue;
    }
    rows.push({
      name: spec.name,
      kind: spec.kind,
      metrics: meanOver(perFold, ['precision', 'recall', 'F1', 'AUC']),
      perFold,
      seconds: elapsed(start),
      ...(rowNotes.length > 0 ? { notes: rowNotes } : {}),
      perUser: classificationPerUser(byFold),
      ...withTraining(training),
    });
  }
  return rows;
}

function isLiked(rating: number): boolean {
  return rating >= LIKED_RATING;
}

interface RatingRequests {
  histories: UserHistory[];
  movieIds: number[][];
  /** Actual ratings, flattened in request order. */
  actual: number[];
}

/** One request per allowed user with target rows: history = the user's `historyTable` rows in time order. */
function ratingRequests(ctx: Ctx, historyTable: RatingTable, targets: RatingTable): RatingRequests {
  const timelines = userTimelines(historyTable);
  const byUser = new Map<number, number[]>();
  for (let r = 0; r < targets.length; r++) {
    const u = targets.userIds[r]!;
    if (ctx.allowed && !ctx.allowed.has(u)) continue;
    let list = byUser.get(u);
    if (!list) {
      list = [];
      byUser.set(u, list);
    }
    list.push(r);
  }
  const out: RatingRequests = { histories: [], movieIds: [], actual: [] };
  for (const u of [...byUser.keys()].sort((a, b) => a - b)) {
    const rows = byUser.get(u)!;
    ctx.evaluatedUsers.add(u);
    out.histories.push(makeHistory(ctx, u, historyTable, timelines.get(u)));
    out.movieIds.push(rows.map((r) => targets.movieIds[r]!));
    for (const r of rows) out.actual.push(targets.ratings[r]!);
  }
  return out;
}

async function predictAll(
  ctx: Ctx,
  scorer: Scorer,
  model: string,
  req: RatingRequests,
  fold: string,
): Promise<number[]> {
  const out: number[] = [];
  const total = req.histories.length;
  for (let b = 0; b < total; b += BATCH) {
    checkAborted(ctx);
    const hs = req.histories.slice(b, b + BATCH);
    const ids = req.movieIds.slice(b, b + BATCH);
    const pred = await scorer.predictRatings!(hs, ids);
    if (!Array.isArray(pred) || pred.length !== hs.length) {
      throw new StateError(
        `${model}.predictRatings returned ${describeLength(pred)} lists for ${hs.length} histories`,
      );
    }
    for (let h = 0; h < hs.length; h++) {
      const p = pred[h]!;
      if (!p || p.length !== ids[h]!.length) {
        throw new StateError(
          `${model}.predictRatings returned ${describeLength(p)} predictions for user ${hs[h]!.userId}, expected ${ids[h]!.length}`,
        );
      }
      for (let j = 0; j < p.length; j++) {
        const x = p[j]!;
        if (!Number.isFinite(x)) {
          throw new StateError(
            `${model}.predictRatings returned ${x} for user ${hs[h]!.userId}, movie ${ids[h]![j]}: a rating must be finite`,
          );
        }
        out.push(x);
      }
    }
    progress(ctx, model, 'score', fold, Math.min(b + BATCH, total), total);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// T, S, K: ranking

interface RankRequest {
  /** The user's id (also in protocol K, where the history carries none). */
  user: number;
  history: UserHistory;
  /** Movie ids never to recommend (already seen). */
  exclude: ReadonlySet<number>;
  relevant: ReadonlySet<number>;
}

async function runT(ctx: Ctx, models: readonly ModelSpec[]): Promise<MetricRow[]> {
  const { ratings } = ctx.dataset;
  restrictUsers(ctx, distinctUsers(ratings));
  const split = stratifiedRandomSplit(ratings, { trainRatio: 0.75, seed: ctx.seed });
  const timelines = userTimelines(split.train);
  const relevant = moviesByUser(split.test);
  const requests: RankRequest[] = [];
  for (const u of [...relevant.keys()].sort((a, b) => a - b)) {
    if (ctx.allowed && !ctx.allowed.has(u)) continue;
    const history = makeHistory(ctx, u, split.train, timelines.get(u));
    requests.push({
      user: u,
      history,
      exclude: new Set(history.items.map((h) => h.movieId)),
      relevant: relevant.get(u)!,
    });
  }
  const pop = popularityCounts(split.train);
  const rows: MetricRow[] = [];
  for (const spec of models) {
    const start = performance.now();
    const training: TrainingRecord[] = [];
    const ranked = await withScorer(spec, async (scorer) => {
      keepTraining(training, await fitScorer(ctx, scorer, spec.name, split.train, undefined, 'train'));
      return rankAll(ctx, scorer, spec.name, requests, pop, 'test');
    });
    rows.push({
      name: spec.name,
      kind: spec.kind,
      ...ranked,
      seconds: elapsed(start),
      ...withTraining(training),
    });
  }
  return rows;
}

async function runS(ctx: Ctx, models: readonly ModelSpec[]): Promise<MetricRow[]> {
  const { ratings } = ctx.dataset;
  restrictUsers(ctx, distinctUsers(ratings));
  const split = leaveOneOutSplit(ratings);
  const timelines = userTimelines(ratings);
  const targets = new Map<number, number>();
  for (let r = 0; r < split.test.length; r++) targets.set(split.test.userIds[r]!, split.test.movieIds[r]!);
  const requests: RankRequest[] = [];
  for (const u of [...targets.keys()].sort((a, b) => a - b)) {
    if (ctx.allowed && !ctx.allowed.has(u)) continue;
    // The test row is the last of the user's stable time order; everything before it is the history
    // (train + validation), exactly what leaveOneOutSplit put in train and validation.
    const rows = timelines.get(u)!;
    const history = makeHistory(ctx, u, ratings, rows.subarray(0, rows.length - 1));
    requests.push({
      user: u,
      history,
      exclude: new Set(history.items.map((h) => h.movieId)),
      relevant: new Set([targets.get(u)!]),
    });
  }
  const pop = popularityCounts(split.train);
  const rows: MetricRow[] = [];
  for (const spec of models) {
    const start = performance.now();
    const training: TrainingRecord[] = [];
    const ranked = await withScorer(spec, async (scorer) => {
      keepTraining(training, await fitScorer(ctx, scorer, spec.name, split.train, split.validation, 'train'));
      return rankAll(ctx, scorer, spec.name, requests, pop, 'test');
    });
    rows.push({
      name: spec.name,
      kind: spec.kind,
      ...ranked,
      seconds: elapsed(start),
      ...withTraining(training),
    });
  }
  return rows;
}

const K_SCENARIOS = ['demographics', 'demographics+5'] as const;
const K_HISTORY = 5;

async function runK(ctx: Ctx, models: readonly ModelSpec[]): Promise<MetricRow[]> {
  const { ratings } = ctx.dataset;
  const hold = userHoldoutSplit(ratings, { fraction: 0.2, seed: ctx.seed });
  restrictUsers(ctx, hold.heldOutUsers);
  const timelines = userTimelines(hold.heldOut);
  const scenarios: Record<(typeof K_SCENARIOS)[number], RankRequest[]> = {
    demographics: [],
    'demographics+5': [],
  };
  let tooShort = 0;
  for (const u of hold.heldOutUsers) {
    if (ctx.allowed && !ctx.allowed.has(u)) continue;
    const rows = timelines.get(u);
    if (!rows || rows.length === 0) continue;
    ctx.evaluatedUsers.add(u);
    const user = ctx.demographics.get(u);
    const all = historyItems(hold.heldOut, rows);
    // No userId: a held-out user is unknown to every model, so the cold-start path is the only one.
    scenarios.demographics.push({
      user: u,
      history: { items: [], ...(user ? { user } : {}) },
      exclude: new Set(),
      relevant: new Set(all.map((h) => h.movieId)),
    });
    if (all.length <= K_HISTORY) {
      tooShort++;
      continue;
    }
    const first = all.slice(0, K_HISTORY);
    scenarios['demographics+5'].push({
      user: u,
      history: { items: first, ...(user ? { user } : {}) },
      exclude: new Set(first.map((h) => h.movieId)),
      relevant: new Set(all.slice(K_HISTORY).map((h) => h.movieId)),
    });
  }
  if (tooShort > 0) {
    ctx.notes.push(
      `${tooShort} held-out users with ${K_HISTORY} ratings or fewer are left out of demographics+5.`,
    );
  }
  const pop = popularityCounts(hold.train);
  const rows: MetricRow[] = [];
  for (const spec of models) {
    const start = performance.now();
    const training: TrainingRecord[] = [];
    const made = await withScorer(spec, async (scorer) => {
      keepTraining(training, await fitScorer(ctx, scorer, spec.name, hold.train, undefined, 'train'));
      const fitSeconds = elapsed(start);
      const out: MetricRow[] = [];
      for (const scenario of K_SCENARIOS) {
        const t0 = performance.now();
        const ranked = await rankAll(ctx, scorer, spec.name, scenarios[scenario], pop, scenario);
        out.push({
          name: spec.name,
          kind: spec.kind,
          scenario,
          ...ranked,
          seconds: fitSeconds + elapsed(t0),
          ...withTraining(training),
        });
      }
      return out;
    });
    rows.push(...made);
  }
  return rows;
}

/**
 * Scores every catalog movie for each request, takes the top K of the non-excluded ones, and keeps each user's
 * metrics and list; the row's metrics are their means (coverage: over the union of the lists).
 */
async function rankAll(
  ctx: Ctx,
  scorer: Scorer,
  model: string,
  requests: readonly RankRequest[],
  pop: PopularityCounts,
  fold: string,
): Promise<{ metrics: Record<string, number>; perUser: RankingPerUser }> {
  const catalog = catalogIds(ctx);
  const position = new Map<number, number>();
  for (let i = 0; i < catalog.length; i++) position.set(catalog[i]!, i);
  const genres = new Map<number, readonly string[]>();
  for (const m of ctx.dataset.movies) genres.set(m.id, m.genres);
  const k = ctx.k;
  const keys: Array<[string, keyof RankingMetrics | 'diversity' | 'novelty']> = [
    [`P@${k}`, 'precision'],
    [`R@${k}`, 'recall'],
    [`F1@${k}`, 'f1'],
    [`NDCG@${k}`, 'ndcg'],
    [`MAP@${k}`, 'map'],
    [`MAPrel@${k}`, 'mapRel'],
    [`HR@${k}`, 'hitRate'],
    [`MRR@${k}`, 'mrr'],
    ['diversity', 'diversity'],
    ['novelty', 'novelty'],
  ];
  const perUser: RankingPerUser = {
    type: 'ranking',
    users: [],
    values: Object.fromEntries(keys.map(([key]) => [key, []])),
    lists: [],
    catalogSize: catalog.length,
  };
  const entries: Array<{ user: number; values: number[]; list: number[] }> = [];
  const total = requests.length;
  for (let b = 0; b < total; b += BATCH) {
    checkAborted(ctx);
    const batch = requests.slice(b, b + BATCH).filter((r) => r.relevant.size > 0);
    if (batch.length === 0) continue;
    const scores = await scorer.score(
      batch.map((r) => r.history),
      catalog,
    );
    if (!Array.isArray(scores) || scores.length !== batch.length) {
      throw new StateError(
        `${model}.score returned ${describeLength(scores)} score arrays for ${batch.length} histories`,
      );
    }
    for (let q = 0; q < batch.length; q++) {
      const req = batch[q]!;
      const s = scores[q]!;
      if (!s || s.length !== catalog.length) {
        throw new StateError(
          `${model}.score returned ${describeLength(s)} scores for user ${req.history.userId ?? `#${b + q}`}, expected ${catalog.length} (one per candidate)`,
        );
      }
      const exclude: number[] = [];
      for (const id of req.exclude) {
        const p = position.get(id);
        if (p !== undefined) exclude.push(p);
      }
      const top = topK(s, k, { exclude });
      const ranked = Int32Array.from(top.indices, (i) => catalog[i]!);
      const m: Record<string, number> = {
        ...rankingMetricsAtK(ranked, req.relevant, k),
        diversity: intraListDiversity(ranked, genres),
        novelty: pop.users > 0 ? novelty(ranked, pop) : Number.NaN,
      };
      entries.push({ user: req.user, values: keys.map(([, name]) => m[name]!), list: Array.from(ranked) });
      if (req.history.userId !== undefined) ctx.evaluatedUsers.add(req.history.userId);
    }
    progress(ctx, model, 'score', fold, Math.min(b + BATCH, total), total);
  }
  // Ascending user ids, so that every row of a run lists its users in the same order (paired resampling).
  entries.sort((x, y) => x.user - y.user);
  for (const e of entries) {
    perUser.users.push(e.user);
    perUser.lists.push(e.list);
    for (let i = 0; i < keys.length; i++) perUser.values[keys[i]![0]]!.push(e.values[i]!);
  }
  const all = metricsFromWeights(perUser, new Float64Array(entries.length).fill(1));
  const metrics: Record<string, number> = {};
  for (const [key] of keys.slice(0, 8)) metrics[key] = all[key]!;
  metrics.coverage = entries.length > 0 ? catalogCoverage(perUser.lists, catalog.length) : Number.NaN;
  metrics.diversity = all.diversity!;
  metrics.novelty = all.novelty!;
  return { metrics, perUser };
}

// ---------------------------------------------------------------------------------------------------------
// Shared plumbing

/** Creates a fresh scorer, runs `fn`, and always disposes the scorer. */
async function withScorer<T>(spec: ModelSpec, fn: (scorer: Scorer) => Promise<T>): Promise<T> {
  const scorer = await spec.create();
  try {
    return await fn(scorer);
  } finally {
    scorer.dispose();
  }
}

async function fitScorer(
  ctx: Ctx,
  scorer: Scorer,
  model: string,
  train: RatingTable,
  validation: RatingTable | undefined,
  fold: string,
): Promise<FitSummary> {
  checkAborted(ctx);
  progress(ctx, model, 'fit', fold, 0, 1);
  const trainData: Dataset = { ...ctx.dataset, ratings: train };
  const { validation: _ignored, ...rest } = ctx.fitOptions;
  const options: FitOptions = { ...rest, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  if (validation) options.validation = validation;
  const summary = await scorer.fit(trainData, options);
  checkAborted(ctx);
  progress(ctx, model, 'fit', fold, 1, 1);
  return summary;
}

/** Keeps a fit's epoch history (when it has one) for the row's training curves. */
function keepTraining(training: TrainingRecord[], summary: FitSummary | undefined, fold?: string): void {
  if (!summary || !Array.isArray(summary.history) || summary.history.length === 0) return;
  training.push({
    ...(fold !== undefined ? { fold } : {}),
    epochs: summary.epochs,
    bestEpoch: summary.bestEpoch,
    aborted: summary.aborted,
    seconds: summary.seconds,
    history: summary.history.map((log) => ({
      ...log,
      ...(log.metrics ? { metrics: { ...log.metrics } } : {}),
    })),
    ...(summary.notes && summary.notes.length > 0 ? { notes: [...summary.notes] } : {}),
  });
}

function withTraining(training: TrainingRecord[]): { training?: TrainingRecord[] } {
  return training.length > 0 ? { training } : {};
}

/** Adds the bootstrap intervals of a row from its per-user data (unless the run turned them off). */
function addIntervals(ctx: Ctx, row: MetricRow): void {
  if (ctx.bootstrap === false || !row.perUser || row.perUser.users.length === 0) return;
  const all = bootstrapIntervals(row.perUser, ctx.bootstrap);
  const intervals: Record<string, [number, number]> = {};
  for (const key of Object.keys(row.metrics)) if (all[key]) intervals[key] = all[key];
  row.intervals = intervals;
}

/** The users of rating requests with per-fold positions: users ascending, and each fold's user → position. */
function foldUsers(byFold: ReadonlyArray<{ req: RatingRequests }>): {
  users: number[];
  position: Map<number, number>;
} {
  const ids = new Set<number>();
  for (const f of byFold) for (const h of f.req.histories) ids.add(h.userId!);
  const users = [...ids].sort((a, b) => a - b);
  return { users, position: new Map(users.map((u, i) => [u, i])) };
}

/** Each user's squared and absolute errors, fold by fold (protocol R). */
function ratingPerUser(
  byFold: ReadonlyArray<{ fold: string; req: RatingRequests; pred: number[] }>,
): RatingPerUser {
  const { users, position } = foldUsers(byFold);
  const folds = byFold.map(({ fold, req, pred }) => {
    const count = new Array<number>(users.length).fill(0);
    const squaredError = new Array<number>(users.length).fill(0);
    const absoluteError = new Array<number>(users.length).fill(0);
    let r = 0;
    req.histories.forEach((h, i) => {
      const u = position.get(h.userId!)!;
      for (let j = 0; j < req.movieIds[i]!.length; j++, r++) {
        const e = pred[r]! - req.actual[r]!;
        count[u]!++;
        squaredError[u]! += e * e;
        absoluteError[u]! += Math.abs(e);
      }
    });
    return { fold, count, squaredError, absoluteError };
  });
  return { type: 'rating', users, folds };
}

/** Each prediction with its user and label, fold by fold (protocol C). */
function classificationPerUser(
  byFold: ReadonlyArray<{ fold: string; req: RatingRequests; pred: number[]; threshold: number }>,
): ClassificationPerUser {
  const { users, position } = foldUsers(byFold);
  const folds = byFold.map(({ fold, req, pred, threshold }) => {
    const owner: number[] = [];
    req.histories.forEach((h, i) => {
      const u = position.get(h.userId!)!;
      for (let j = 0; j < req.movieIds[i]!.length; j++) owner.push(u);
    });
    return { fold, threshold, owner, scores: [...pred], labels: req.actual.map((r) => (isLiked(r) ? 1 : 0)) };
  });
  return { type: 'classification', users, folds };
}

/** The user's history: `rows` of `table` (already in stable time order), and the user's demographics. */
function makeHistory(
  ctx: Ctx,
  userId: number,
  table: RatingTable,
  rows: ArrayLike<number> | undefined,
): UserHistory {
  const user = ctx.demographics.get(userId);
  return { userId, items: rows ? historyItems(table, rows) : [], ...(user ? { user } : {}) };
}

/** The ratings at `rows` of `table` as history items (movie, rating, timestamp), in the order of `rows`. */
export function historyItems(table: RatingTable, rows: ArrayLike<number>): HistoryItem[] {
  const items: HistoryItem[] = new Array(rows.length);
  for (let j = 0; j < rows.length; j++) {
    const r = rows[j]!;
    items[j] = { movieId: table.movieIds[r]!, rating: table.ratings[r]!, timestamp: table.timestamps[r]! };
  }
  return items;
}

function moviesByUser(table: RatingTable): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (let r = 0; r < table.length; r++) {
    const u = table.userIds[r]!;
    let s = out.get(u);
    if (!s) {
      s = new Set();
      out.set(u, s);
    }
    s.add(table.movieIds[r]!);
  }
  return out;
}

function distinctUsers(table: RatingTable): number[] {
  return [...new Set(table.userIds)].sort((a, b) => a - b);
}

/** Applies the `users` cap: a seeded sample of the population (ascending ids). */
function restrictUsers(ctx: Ctx, population: readonly number[]): void {
  if (ctx.cap === undefined || ctx.cap >= population.length) return;
  const sample = new Rng(`${ctx.seed}:users`).shuffle([...population]).slice(0, ctx.cap);
  ctx.allowed = new Set(sample);
  ctx.notes.push(`Evaluated a seeded sample of ${ctx.cap} of ${population.length} users (option users).`);
}

/** Every movie of the catalog, ascending ids: `dataset.movies`, or the rated movies when there is no list. */
function catalogIds(ctx: Ctx): number[] {
  if (ctx.catalog) return ctx.catalog;
  let ids: number[];
  if (ctx.dataset.movies.length > 0) ids = [...new Set(ctx.dataset.movies.map((m) => m.id))];
  else {
    ids = [...new Set(ctx.dataset.ratings.movieIds)];
    ctx.notes.push('The data set has no movie list: the catalog is the set of rated movies.');
  }
  ids.sort((a, b) => a - b);
  ctx.catalog = ids;
  return ids;
}

function requireFolds(protocol: ProtocolName, folds: FoldSplit[] | undefined): FoldSplit[] {
  if (!folds || folds.length === 0) {
    throw new ConfigError(
      'folds',
      `the official folds for protocol ${protocol} (ML-100k u1..u5: { name, train, test } each)`,
      folds,
    );
  }
  return folds;
}

function meanOver(
  perFold: ReadonlyArray<{ metrics: Record<string, number> }>,
  keys: readonly string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    let s = 0;
    for (const f of perFold) s += f.metrics[key]!;
    out[key] = perFold.length > 0 ? s / perFold.length : Number.NaN;
  }
  return out;
}

function mergeSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b && a !== b) return AbortSignal.any([a, b]);
  return a ?? b;
}

function checkAborted(ctx: Ctx): void {
  if (ctx.signal?.aborted) throw new AbortedError(`protocol ${ctx.protocol} aborted`);
}

function progress(
  ctx: Ctx,
  model: string,
  stage: 'fit' | 'score',
  fold: string,
  done: number,
  total: number,
): void {
  ctx.onProgress?.({ protocol: ctx.protocol, model, stage, fold, done, total });
}

function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

function describeLength(x: unknown): string {
  return x && typeof (x as { length?: unknown }).length === 'number'
    ? String((x as { length: number }).length)
    : 'no';
}
