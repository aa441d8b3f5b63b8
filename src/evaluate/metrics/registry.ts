/**
 * The metric registry: every metric with its report key, its direction (is higher better?) and a description,
 * so early stopping and hyperparameter search read the direction instead of assuming it.
 *
 * @module
 */
import { ConfigError } from '../../errors';
import { catalogCoverage, intraListDiversity, novelty } from './beyond';
import { type BinaryLabel, classificationReport, rocAuc } from './classification';
import { f1AtK, hitRateAtK, mapAtK, mapRelAtK, mrrAtK, ndcgAtK, precisionAtK, recallAtK } from './ranking';
import { mae, rmse } from './rating';

/** Whether a larger value of a metric is better (`'higher'`) or worse (`'lower'`). */
export type MetricDirection = 'higher' | 'lower';

/** Any metric function: some arguments in, one number out. */
export type MetricFn = (...args: never[]) => number;

/** One registered metric. */
export interface MetricEntry {
  /** The function's name, e.g. `'ndcgAtK'`. */
  readonly name: string;
  /**
   * The key the protocols report it under, e.g. `'NDCG'` (reported as `NDCG@10` with K = 10 when `atK`), `'RMSE'`.
   */
  readonly key: string;
  /** True when the reported key carries the cutoff: `${key}@${k}`. */
  readonly atK: boolean;
  /** The metric's family (and source file): ranking, rating error, classification or beyond accuracy. */
  readonly family: 'ranking' | 'rating' | 'classification' | 'beyond';
  /** Whether higher or lower values are better (read by early stopping and search). */
  readonly direction: MetricDirection;
  /** A one-line definition, e.g. `'hits in the top K / K'`. */
  readonly description: string;
  /** The metric function itself. */
  readonly fn: MetricFn;
}

const entries: MetricEntry[] = [
  {
    name: 'precisionAtK',
    key: 'P',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'hits in the top K / K',
    fn: precisionAtK,
  },
  {
    name: 'recallAtK',
    key: 'R',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'hits in the top K / |relevant|',
    fn: recallAtK,
  },
  {
    name: 'f1AtK',
    key: 'F1',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'harmonic mean of precision@K and recall@K',
    fn: f1AtK,
  },
  {
    name: 'ndcgAtK',
    key: 'NDCG',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'binary-relevance DCG@K (log2 discount) / ideal DCG over min(K, |relevant|)',
    fn: ndcgAtK,
  },
  {
    name: 'mapAtK',
    key: 'MAP',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'sum of precision at each hit in the top K / min(K, |relevant|)',
    fn: mapAtK,
  },
  {
    name: 'mapRelAtK',
    key: 'MAPrel',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: 'sum of precision at each hit in the top K / |relevant| (Microsoft Recommenders)',
    fn: mapRelAtK,
  },
  {
    name: 'hitRateAtK',
    key: 'HR',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: '1 when any of the top K is relevant',
    fn: hitRateAtK,
  },
  {
    name: 'mrrAtK',
    key: 'MRR',
    atK: true,
    family: 'ranking',
    direction: 'higher',
    description: '1 / rank of the first relevant item in the top K, else 0',
    fn: mrrAtK,
  },
  {
    name: 'rmse',
    key: 'RMSE',
    atK: false,
    family: 'rating',
    direction: 'lower',
    description: 'root mean squared error of predicted ratings',
    fn: rmse,
  },
  {
    name: 'mae',
    key: 'MAE',
    atK: false,
    family: 'rating',
    direction: 'lower',
    description: 'mean absolute error of predicted ratings',
    fn: mae,
  },
  {
    name: 'precision',
    key: 'precision',
    atK: false,
    family: 'classification',
    direction: 'higher',
    description: 'precision of the liked class (tp / (tp + fp))',
    fn: (p: ArrayLike<BinaryLabel>, y: ArrayLike<BinaryLabel>) => classificationReport(p, y).precision,
  },
  {
    name: 'recall',
    key: 'recall',
    atK: false,
    family: 'classification',
    direction: 'higher',
    description: 'recall of the liked class (tp / (tp + fn))',
    fn: (p: ArrayLike<BinaryLabel>, y: ArrayLike<BinaryLabel>) => classificationReport(p, y).recall,
  },
  {
    name: 'f1',
    key: 'F1',
    atK: false,
    family: 'classification',
    direction: 'higher',
    description: 'F1 of the liked class',
    fn: (p: ArrayLike<BinaryLabel>, y: ArrayLike<BinaryLabel>) => classificationReport(p, y).f1,
  },
  {
    name: 'rocAuc',
    key: 'AUC',
    atK: false,
    family: 'classification',
    direction: 'higher',
    description: 'ROC AUC (Mann–Whitney, ties count one half)',
    fn: rocAuc,
  },
  {
    name: 'catalogCoverage',
    key: 'coverage',
    atK: false,
    family: 'beyond',
    direction: 'higher',
    description: 'share of the catalog recommended to at least one user',
    fn: catalogCoverage,
  },
  {
    name: 'intraListDiversity',
    key: 'diversity',
    atK: false,
    family: 'beyond',
    direction: 'higher',
    description: 'mean pairwise genre distance (1 − Jaccard) within a list',
    fn: intraListDiversity,
  },
  {
    name: 'novelty',
    key: 'novelty',
    atK: false,
    family: 'beyond',
    direction: 'higher',
    description: 'mean −log2 of the share of users who rated each recommended movie',
    fn: novelty,
  },
];

/**
 * Every registered metric, in report order.
 *
 * @example
 * ```ts
 * import { metricRegistry } from 'reelrec';
 * for (const m of metricRegistry) console.log(m.name, m.key, m.direction);
 * ```
 */
export const metricRegistry: readonly MetricEntry[] = Object.freeze(entries.map((e) => Object.freeze(e)));

/**
 * Looks a metric up by its function name (`'ndcgAtK'`, `'rmse'`) or by the key a protocol reports
 * (`'NDCG@10'`, `'RMSE'`, `'RMSE_u1'`, `'AUC'`, `'F1'` — classification — or `'F1@10'` — ranking).
 * A `_suffix` on a report key (a fold, e.g. `_u1`) is ignored.
 *
 * @throws {ConfigError} listing every registered name when none matches.
 *
 * @example
 * ```ts
 * import { getMetric } from 'reelrec';
 * getMetric('NDCG@10').direction; // 'higher'
 * getMetric('RMSE').direction; // 'lower'
 * ```
 */
export function getMetric(name: string): MetricEntry {
  const byName = metricRegistry.find((e) => e.name === name);
  if (byName) return byName;
  const at = /^(.+)@\d+$/.exec(name);
  const base = (at ? at[1]! : name).replace(/_[^_@]+$/, '');
  const byKey = metricRegistry.find((e) => e.key === base && e.atK === Boolean(at));
  if (byKey) return byKey;
  const known = metricRegistry.map((e) => `${e.name} (${e.atK ? `${e.key}@K` : e.key})`).join(', ');
  throw new ConfigError('metric', `one of ${known}`, name);
}

/**
 * The report key of a registered metric at cutoff `k`: `'NDCG@10'` for `ndcgAtK`, `'RMSE'` for `rmse`.
 *
 * @example
 * ```ts
 * import { metricKey } from 'reelrec';
 * metricKey('ndcgAtK', 20); // 'NDCG@20'
 * ```
 */
export function metricKey(name: string, k: number): string {
  const e = getMetric(name);
  return e.atK ? `${e.key}@${k}` : e.key;
}

/**
 * True when metric value `a` is better than `b` for the named metric (by its registered direction).
 *
 * @example
 * ```ts
 * import { isBetter } from 'reelrec';
 * isBetter('RMSE', 0.91, 0.93); // true
 * isBetter('NDCG@10', 0.1, 0.2); // false
 * ```
 */
export function isBetter(name: string, a: number, b: number): boolean {
  return getMetric(name).direction === 'higher' ? a > b : a < b;
}
