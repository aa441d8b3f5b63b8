/**
 * Evaluation metrics, one file per family (ranking, rating, classification, beyond accuracy), gathered in the
 * {@link metrics} object, plus the {@link metricRegistry}.
 *
 * @module
 */
import { catalogCoverage, intraListDiversity, novelty, popularityCounts } from './beyond';
import { bestF1Threshold, classificationReport, rocAuc } from './classification';
import {
  f1AtK,
  hitRateAtK,
  mapAtK,
  mapRelAtK,
  mrrAtK,
  ndcgAtK,
  precisionAtK,
  rankingMetricsAtK,
  recallAtK,
} from './ranking';
import { mae, rmse } from './rating';

export type { GenreLookup, PopularityCounts } from './beyond';
export type { BinaryLabel, ClassificationReport } from './classification';
export type { IdCollection, RankingMetrics } from './ranking';
export type { MetricDirection, MetricEntry, MetricFn } from './registry';
export { getMetric, isBetter, metricKey, metricRegistry } from './registry';
export { rankingMetricsAtK };

/**
 * Every metric function, with plain-array signatures. Ranking metrics take `ranked` ids (best first), the
 * `relevant` ids (array or `Set`) and the cutoff `k`; see each function for its edge cases.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.ndcgAtK([3, 1, 2], new Set([1]), 10); // 1/log2(3) ≈ 0.631
 * metrics.rmse([3.5, 4], [4, 4]); // sqrt(0.25 / 2) ≈ 0.354
 * metrics.rocAuc([0.2, 0.7], [false, true]); // 1
 * ```
 */
export const metrics = Object.freeze({
  /** Precision@K: hits among the first `k` ids divided by `k` (a shorter list still divides by `k`). */
  precisionAtK,
  /** Recall@K: hits among the first `k` ids divided by the number of relevant ids. */
  recallAtK,
  /** F1@K: the harmonic mean of precision@K and recall@K, 0 when both are 0. */
  f1AtK,
  /** NDCG@K with binary relevance: Σ over hits at rank r ≤ K of 1 / log2(r + 1), over the ideal DCG. */
  ndcgAtK,
  /** MAP@K (`MAP@10` in reports): Σ of precision@r at each hit's rank r ≤ K, over min(K, |relevant|). */
  mapAtK,
  /** MAP@K as Microsoft Recommenders defines it (`MAPrel@10`): the same sum over |relevant|. */
  mapRelAtK,
  /** Hit rate@K: 1 when any of the first `k` ids is relevant, else 0. */
  hitRateAtK,
  /** MRR@K: 1 / the 1-based rank of the first relevant id among the first `k`, else 0. */
  mrrAtK,
  /** All the ranking metrics above of one list in one pass, as a {@link RankingMetrics} object. */
  rankingMetricsAtK,
  /** Root mean squared error of aligned arrays, sqrt(Σ (predicted − actual)² / n); `NaN` when empty. */
  rmse,
  /** Mean absolute error of aligned arrays, Σ |predicted − actual| / n; `NaN` when empty. */
  mae,
  /** ROC AUC of scores for binary labels (Mann–Whitney U, ties count ½); `NaN` when a class is absent. */
  rocAuc,
  /** Precision, recall, F1, accuracy and confusion counts of predictions: a {@link ClassificationReport}. */
  classificationReport,
  /** The threshold t maximising F1 when "score ≥ t" predicts positive, searched over the distinct scores. */
  bestF1Threshold,
  /** Catalog coverage: the share of the catalog appearing in at least one list. */
  catalogCoverage,
  /** Intra-list diversity: the mean genre distance (1 − Jaccard) over all pairs of a list. */
  intraListDiversity,
  /** Novelty: the mean −log2(share of users who rated the movie) over a list. */
  novelty,
  /** How many distinct users rated each movie, out of how many ({@link PopularityCounts}), for `novelty`. */
  popularityCounts,
});
