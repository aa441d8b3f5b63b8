/**
 * Evaluation: metrics, baselines, the protocols of `PROTOCOL.md` and the Evaluator.
 *
 * @module
 */
export * from './baselines';
export {
  type BootstrapOptions,
  bootstrapIntervals,
  type ClassificationPerUser,
  type ComparableRow,
  compareModels,
  type ModelComparison,
  metricsFromWeights,
  type PerUserData,
  percentileInterval,
  type RankingPerUser,
  type RatingPerUser,
} from './bootstrap';
export {
  Evaluator,
  type EvaluatorOptions,
  type JsonMetricRow,
  type JsonOptions,
  type JsonProtocolResult,
  type MarkdownOptions,
  resultToJSON,
  resultToMarkdown,
} from './evaluator';
export {
  type BinaryLabel,
  type ClassificationReport,
  type GenreLookup,
  getMetric,
  type IdCollection,
  isBetter,
  type MetricDirection,
  type MetricEntry,
  type MetricFn,
  metricKey,
  metricRegistry,
  metrics,
  type PopularityCounts,
  type RankingMetrics,
} from './metrics';
export {
  evaluateNewMovies,
  type NewMoviesOptions,
  type NewMoviesResult,
  type NewMoviesRow,
} from './new-movies';
export {
  type FoldSplit,
  type MetricRow,
  type ModelSpec,
  PROTOCOL_INFO,
  PROTOCOL_NAMES,
  type ProgressEvent,
  type ProtocolName,
  type ProtocolOptions,
  type ProtocolResult,
  runProtocol,
  type TrainingRecord,
} from './protocols';
export { type HtmlReportOptions, resultToHtml } from './report-html';
