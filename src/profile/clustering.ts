/**
 * Clustering of dense vectors (user profiles): seeded k-means++ with Lloyd iterations and restarts, the
 * silhouette and BIC criteria, and the choice of k over a range.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { choiceOption, intOption } from '../preprocess/check';
import { Rng } from '../util/random';

/**
 * Options of {@link kMeans}; every field has one default.
 *
 * @example
 * ```ts
 * import { kMeans, type KMeansOptions } from 'reelrec';
 * const options: KMeansOptions = { seed: 7, restarts: 8 };
 * const { labels } = kMeans([[0, 0], [0, 1], [9, 9]], 2, options);
 * ```
 */
export interface KMeansOptions {
  /** Seed of the k-means++ draws (default 42). */
  seed?: number | string;
  /** Runs from different k-means++ seeds; the one with the least inertia is kept (default 2). */
  restarts?: number;
  /** Most Lloyd iterations of a run (default 100); a run stops earlier when no label changes. */
  maxIterations?: number;
}

/**
 * The result of {@link kMeans}. Clusters are numbered by size, largest first (ties: the cluster holding the
 * lower point index first), so the numbering does not depend on the draws' order.
 *
 * @example
 * ```ts
 * import { kMeans, type KMeansResult } from 'reelrec';
 * const r: KMeansResult = kMeans([[0, 0], [0, 1], [9, 9]], 2);
 * console.log(r.labels, r.sizes, r.inertia); // Int32Array [0, 0, 1] [2, 1] 0.5
 * ```
 */
export interface KMeansResult {
  /** Number of clusters. */
  k: number;
  /** Each cluster's centre (the mean of its points). */
  centroids: number[][];
  /** Cluster of each point. */
  labels: Int32Array;
  /** Points in each cluster. */
  sizes: number[];
  /** Sum of the squared distances of the points to their centroids. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  iterations: number;
}

/**
 * How {@link chooseK} scores a k: `'silhouette'` (the mean silhouette of a seeded sample of points, higher is
 * better) or `'bic'` (the Bayesian information criterion of a spherical Gaussian mixture with the k-means
 * centroids and one shared variance, higher is better).
 *
 * @example
 * ```ts
 * import type { KCriterion } from 'reelrec';
 * const criterion: KCriterion = 'silhouette';
 * ```
 */
export type KCriterion = 'silhouette' | 'bic';

/**
 * Options of {@link chooseK}; every field has one default (and those of {@link KMeansOptions}).
 *
 * @example
 * ```ts
 * import { chooseK, type ChooseKOptions } from 'reelrec';
 * declare const points: number[][];
 * const options: ChooseKOptions = { range: [2, 6], criterion: 'bic' };
 * console.log(chooseK(points, options).k);
 * ```
 */
export interface ChooseKOptions extends KMeansOptions {
  /** Smallest and largest k tried (default `[2, 8]`; the largest is cut to points − 1). */
  range?: readonly [number, number];
  /** The criterion (default `'silhouette'`). */
  criterion?: KCriterion;
  /** Points the silhouette is computed on, drawn with the seed when there are more (default 500). */
  sampleSize?: number;
}

/**
 * The result of {@link chooseK}: the chosen k, every k's score, and the chosen clustering.
 *
 * @example
 * ```ts
 * import { chooseK, type ChooseKResult } from 'reelrec';
 * declare const points: number[][];
 * const r: ChooseKResult = chooseK(points);
 * for (const s of r.scores) console.log(s.k, s.score.toFixed(3));
 * ```
 */
export interface ChooseKResult {
  /** The k with the best score (ties: the smaller k). */
  k: number;
  /** The criterion used. */
  criterion: KCriterion;
  /** Every k tried, in increasing order, with its score. */
  scores: {
    /** The k. */
    k: number;
    /** Its score (higher is better). */
    score: number;
  }[];
  /** The clustering of the chosen k. */
  result: KMeansResult;
}

/** Points as one flat row-major array. */
interface Flat {
  data: Float64Array;
  n: number;
  d: number;
}

function flatten(points: readonly ArrayLike<number>[], what: string): Flat {
  if (!Array.isArray(points) || points.length === 0) {
    throw new ConfigError(what, 'a non-empty array of points (arrays of numbers)', points);
  }
  const d = points[0]?.length ?? 0;
  if (!Number.isInteger(d) || d < 1)
    throw new ConfigError(`${what}[0]`, 'a non-empty array of numbers', points[0]);
  const data = new Float64Array(points.length * d);
  points.forEach((p, i) => {
    if (p?.length !== d) throw new ConfigError(`${what}[${i}]`, `${d} numbers, like the first point`, p);
    for (let j = 0; j < d; j++) {
      const v = p[j]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new ConfigError(`${what}[${i}][${j}]`, 'a finite number', v);
      }
      data[i * d + j] = v;
    }
  });
  return { data, n: points.length, d };
}

function sqDist(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = a[i * d + t]! - b[j * d + t]!;
    s += x * x;
  }
  return s;
}

/**
 * The k-means++ seeds: the first centre is a uniformly drawn point, each next one a point drawn with
 * probability proportional to its squared distance to the nearest centre chosen so far. When every point
 * sits on a chosen centre, the lowest-index point not chosen yet is taken.
 */
function plusPlusSeeds(p: Flat, k: number, rng: Rng): number[] {
  const { data, n, d } = p;
  const chosen = [rng.int(n)];
  const near = new Float64Array(n);
  for (let i = 0; i < n; i++) near[i] = sqDist(data, i, data, chosen[0]!, d);
  while (chosen.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += near[i]!;
    let pick = -1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        if (near[i]! <= 0) continue;
        r -= near[i]!;
        pick = i;
        if (r < 0) break;
      }
    } else {
      const taken = new Set(chosen);
      for (let i = 0; i < n && pick < 0; i++) if (!taken.has(i)) pick = i;
    }
    chosen.push(pick);
    for (let i = 0; i < n; i++) near[i] = Math.min(near[i]!, sqDist(data, i, data, pick, d));
  }
  return chosen;
}

/**
 * Writes each point's nearest centroid (ties: the lower index) into `labels` and its squared distance into
 * `dist`; returns whether a label changed. A partial distance already past the best stops early.
 */
function assign(
  p: Flat,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): boolean {
  const { data, n, d } = p;
  let changed = false;
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const cb = c * d;
      let s = 0;
      for (let t = 0; t < d && s < bestD; t++) {
        const x = data[base + t]! - centroids[cb + t]!;
        s += x * x;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    dist[i] = bestD;
    if (labels[i] !== best) {
      labels[i] = best;
      changed = true;
    }
  }
  return changed;
}

/** One run of Lloyd's algorithm from k-means++ seeds. */
function lloyd(p: Flat, k: number, rng: Rng, maxIterations: number): KMeansResult {
  const { data, n, d } = p;
  const centroids = new Float64Array(k * d);
  plusPlusSeeds(p, k, rng).forEach((idx, c) => {
    centroids.set(data.subarray(idx * d, (idx + 1) * d), c * d);
  });
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    if (!assign(p, centroids, k, labels, dist)) break;
    const sizes = new Float64Array(k);
    const sums = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      sizes[c]!++;
      for (let t = 0; t < d; t++) sums[c * d + t]! += data[i * d + t]!;
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c]! > 0) {
        for (let t = 0; t < d; t++) centroids[c * d + t] = sums[c * d + t]! / sizes[c]!;
        continue;
      }
      // An empty cluster takes the point farthest from its centroid (in a cluster of more than one point).
      let far = -1;
      for (let i = 0; i < n; i++) {
        if (sizes[labels[i]!]! > 1 && dist[i]! > 0 && (far < 0 || dist[i]! > dist[far]!)) far = i;
      }
      if (far < 0) continue;
      sizes[labels[far]!]!--;
      sizes[c] = 1;
      labels[far] = c;
      dist[far] = 0;
      centroids.set(data.subarray(far * d, (far + 1) * d), c * d);
    }
  }
  // Final centroids are the means of the final labels.
  const sizes = new Array<number>(k).fill(0);
  const sums = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    sizes[c]!++;
    for (let t = 0; t < d; t++) sums[c * d + t]! += data[i * d + t]!;
  }
  for (let c = 0; c < k; c++) {
    if (sizes[c]! > 0) for (let t = 0; t < d; t++) centroids[c * d + t] = sums[c * d + t]! / sizes[c]!;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(data, i, centroids, labels[i]!, d);
  return relabel({
    k,
    centroids: Array.from({ length: k }, (_, c) => Array.from(centroids.subarray(c * d, (c + 1) * d))),
    labels,
    sizes,
    inertia,
    iterations,
  });
}

/** Renumbers clusters by size, largest first; ties: the cluster whose first point comes first. */
function relabel(r: KMeansResult): KMeansResult {
  const first = new Array<number>(r.k).fill(Number.POSITIVE_INFINITY);
  r.labels.forEach((c, i) => {
    if (first[c] === Number.POSITIVE_INFINITY) first[c] = i;
  });
  const order = Array.from({ length: r.k }, (_, c) => c).sort(
    (a, b) => r.sizes[b]! - r.sizes[a]! || first[a]! - first[b]! || a - b,
  );
  const newOf = new Int32Array(r.k);
  order.forEach((old, c) => {
    newOf[old] = c;
  });
  return {
    k: r.k,
    centroids: order.map((c) => r.centroids[c]!),
    labels: r.labels.map((c) => newOf[c]!),
    sizes: order.map((c) => r.sizes[c]!),
    inertia: r.inertia,
    iterations: r.iterations,
  };
}

function kMeansFlat(p: Flat, k: number, options: KMeansOptions): KMeansResult {
  const restarts = intOption('kMeans.restarts', options.restarts, 2, 1);
  const maxIterations = intOption('kMeans.maxIterations', options.maxIterations, 100, 1);
  const seed = options.seed ?? 42;
  const base = new Rng(seed);
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(p, k, base.fork(`kmeans:${k}:${r}`), maxIterations);
    if (best === null || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/**
 * k-means of points: k-means++ seeding (seeded: the same seed gives the same clusters), Lloyd iterations
 * until no label changes (at most `maxIterations`), the best of `restarts` runs by inertia. Ties in the
 * nearest centroid go to the lower cluster; an empty cluster takes the point farthest from its centroid.
 * Clusters are numbered largest first (see {@link KMeansResult}).
 *
 * @throws {ConfigError} for points that are not equal-length arrays of finite numbers, a k outside
 *   1..points, or a bad option.
 *
 * @example
 * ```ts
 * import { kMeans } from 'reelrec';
 * const r = kMeans([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]], 2, { seed: 1 });
 * console.log(r.centroids); // [[0.333, 0.333], [10.333, 10.333]]
 * console.log(r.inertia); // 2.667 (= 4/3 per cluster)
 * ```
 */
export function kMeans(
  points: readonly ArrayLike<number>[],
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  const p = flatten(points, 'points');
  if (!Number.isInteger(k) || k < 1 || k > p.n) throw new ConfigError('k', `an integer from 1 to ${p.n}`, k);
  return kMeansFlat(p, k, options);
}

/** Indices of the silhouette sample: every point, or `size` drawn with the seed (ascending). */
function sampleIndices(n: number, size: number, seed: number | string): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= size) return all;
  return new Rng(seed)
    .fork('silhouette-sample')
    .shuffle(all)
    .slice(0, size)
    .sort((a, b) => a - b);
}

/** Euclidean distances between the sample's points (row-major `s × s`). */
function sampleDistances(p: Flat, sample: readonly number[]): Float64Array {
  const s = sample.length;
  const dist = new Float64Array(s * s);
  for (let a = 0; a < s; a++) {
    for (let b = a + 1; b < s; b++) {
      const v = Math.sqrt(sqDist(p.data, sample[a]!, p.data, sample[b]!, p.d));
      dist[a * s + b] = v;
      dist[b * s + a] = v;
    }
  }
  return dist;
}

function silhouetteOf(dist: Float64Array, sampleLabels: Int32Array, k: number): number {
  const s = sampleLabels.length;
  if (s === 0) return 0;
  const counts = new Float64Array(k);
  for (const c of sampleLabels) counts[c]!++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let a = 0; a < s; a++) {
    sums.fill(0);
    for (let b = 0; b < s; b++) if (b !== a) sums[sampleLabels[b]!]! += dist[a * s + b]!;
    const own = sampleLabels[a]!;
    if (counts[own]! <= 1) continue; // a point alone in its cluster scores 0
    const ai = sums[own]! / (counts[own]! - 1);
    let bi = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) bi = Math.min(bi, sums[c]! / counts[c]!);
    if (!Number.isFinite(bi)) continue; // one cluster only
    const m = Math.max(ai, bi);
    if (m > 0) total += (bi - ai) / m;
  }
  return total / s;
}

/**
 * The mean silhouette of a clustering: for each point, `(b − a) / max(a, b)` with `a` its mean Euclidean
 * distance to the other points of its cluster and `b` the least mean distance to the points of another
 * cluster; a point alone in its cluster scores 0. In [-1, 1], higher is better. With more points than
 * `sampleSize` (default 500), it is computed on a sample drawn with `seed` (default 42), distances within
 * the sample only.
 *
 * @throws {ConfigError} for bad points, labels of another length or outside 0.., or a bad option.
 *
 * @example
 * ```ts
 * import { silhouetteScore } from 'reelrec';
 * // Two pairs 10 apart, each pair 1 apart: every point has a = 1, b = 10.05 on average → about 0.9.
 * console.log(silhouetteScore([[0, 0], [0, 1], [10, 0], [10, 1]], [0, 0, 1, 1]));
 * ```
 */
export function silhouetteScore(
  points: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  options: { sampleSize?: number; seed?: number | string } = {},
): number {
  const p = flatten(points, 'points');
  if (labels?.length !== p.n) throw new ConfigError('labels', `${p.n} cluster indices`, labels);
  let k = 0;
  for (let i = 0; i < p.n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0) throw new ConfigError(`labels[${i}]`, 'an integer ≥ 0', c);
    k = Math.max(k, c + 1);
  }
  const sampleSize = intOption('silhouette.sampleSize', options.sampleSize, 500, 2);
  const sample = sampleIndices(p.n, sampleSize, options.seed ?? 42);
  return silhouetteOf(
    sampleDistances(p, sample),
    Int32Array.from(sample, (i) => labels[i]!),
    k,
  );
}

/**
 * The BIC of a k-means clustering read as a hard-assigned spherical Gaussian mixture with one shared
 * variance: `σ² = inertia / (n·d)` (its maximum-likelihood estimate, floored at 1e-12), log-likelihood
 * `Σ_c n_c ln(n_c / n) − (n·d / 2)·ln(2π·σ²) − n·d / 2`, parameters `(k − 1) + k·d + 1`, and
 * BIC = log-likelihood − parameters / 2 · ln n. Higher is better.
 *
 * @throws {ConfigError} for bad points, or a result whose labels do not match them.
 *
 * @example
 * ```ts
 * import { kMeans, kMeansBIC } from 'reelrec';
 * const points = [[0, 0], [0, 1], [10, 0], [10, 1]];
 * console.log(kMeansBIC(points, kMeans(points, 2)) > kMeansBIC(points, kMeans(points, 1))); // true
 * ```
 */
export function kMeansBIC(points: readonly ArrayLike<number>[], result: KMeansResult): number {
  const p = flatten(points, 'points');
  if (result?.labels?.length !== p.n)
    throw new ConfigError('result', `a clustering of the ${p.n} points`, result);
  return bicOf(p.n, p.d, result);
}

function bicOf(n: number, d: number, r: KMeansResult): number {
  const variance = Math.max(r.inertia / (n * d), 1e-12);
  let ll = -(n * d) / 2 - ((n * d) / 2) * Math.log(2 * Math.PI * variance);
  for (const size of r.sizes) if (size > 0) ll += size * Math.log(size / n);
  const params = r.k - 1 + r.k * d + 1;
  return ll - (params / 2) * Math.log(n);
}

/**
 * Chooses k over a range: runs {@link kMeans} for each k and scores it with the criterion (see
 * {@link KCriterion}); the best score wins, ties going to the smaller k. The silhouette needs at least 3
 * points (k from 2 to points − 1); BIC also scores k = 1 when the range starts there.
 *
 * @throws {ConfigError} for bad points, a range that is empty after cutting it to the points, or a bad option.
 *
 * @example
 * ```ts
 * import { chooseK } from 'reelrec';
 * const blobs = [[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10], [20, 0], [20, 1], [21, 0]];
 * console.log(chooseK(blobs, { range: [2, 5] }).k); // 3
 * ```
 */
export function chooseK(points: readonly ArrayLike<number>[], options: ChooseKOptions = {}): ChooseKResult {
  const p = flatten(points, 'points');
  return chooseKFlat(p, options);
}

function chooseKFlat(p: Flat, options: ChooseKOptions): ChooseKResult {
  const criterion = choiceOption(
    'chooseK.criterion',
    options.criterion,
    ['silhouette', 'bic'] as const,
    'silhouette',
  );
  const range = options.range ?? [2, 8];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((x) => Number.isInteger(x) && x >= 1) ||
    range[0] > range[1]
  ) {
    throw new ConfigError(
      'chooseK.range',
      '[smallest k, largest k], integers with 1 ≤ smallest ≤ largest',
      range,
    );
  }
  const lo = criterion === 'silhouette' ? Math.max(2, range[0]) : range[0];
  const hi = Math.min(range[1], criterion === 'silhouette' ? p.n - 1 : p.n);
  if (lo > hi) {
    throw new ConfigError(
      'chooseK.range',
      `a range of k the ${p.n} points allow (${criterion === 'silhouette' ? `2..${p.n - 1}` : `1..${p.n}`})`,
      range,
    );
  }
  const seed = options.seed ?? 42;
  const sampleSize = intOption('chooseK.sampleSize', options.sampleSize, 500, 2);
  let sample: number[] = [];
  let dist: Float64Array = new Float64Array(0);
  if (criterion === 'silhouette') {
    sample = sampleIndices(p.n, sampleSize, seed);
    dist = sampleDistances(p, sample);
  }
  const scores: ChooseKResult['scores'] = [];
  let best: { k: number; score: number; result: KMeansResult } | null = null;
  for (let k = lo; k <= hi; k++) {
    const result = kMeansFlat(p, k, options);
    const score =
      criterion === 'silhouette'
        ? silhouetteOf(
            dist,
            Int32Array.from(sample, (i) => result.labels[i]!),
            k,
          )
        : bicOf(p.n, p.d, result);
    scores.push({ k, score });
    if (best === null || score > best.score) best = { k, score, result };
  }
  return { k: best!.k, criterion, scores, result: best!.result };
}
