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
  precisionAtK,
  recallAtK,
  f1AtK,
  ndcgAtK,
  mapAtK,
  mapRelAtK,
  hitRateAtK,
  mrrAtK,
  rankingMetricsAtK,
  rmse,
  mae,
  rocAuc,
  classificationReport,
  bestF1Threshold,
  catalogCoverage,
  intraListDiversity,
  novelty,
  popularityCounts,
});
