/**
 * Reference methods every benchmark table carries, each a {@link Scorer} run through the same Evaluator code
 * path as the RNN. Plain JS, no tensors, deterministic for a seed.
 *
 * @module
 */

export { GlobalMeanBaseline, UserItemBiasBaseline, type UserItemBiasOptions } from './bias';
export { BiasedMfBaseline, type BiasedMfOptions } from './biased-mf';
export { BprMfBaseline, type BprMfOptions } from './bpr-mf';
export { ContentKnnBaseline } from './content-knn';
export { EaseBaseline, type EaseOptions } from './ease';
export { ItemKnnBaseline, type ItemKnnOptions } from './item-knn';
export { PopularityBaseline, SegmentPopularityBaseline, type SegmentPopularityOptions } from './popularity';
export { RecencyItemKnnBaseline, type RecencyItemKnnOptions } from './recency-knn';
export {
  AlwaysLikedPredictor,
  type FixedThresholdScorer,
  hasFixedThreshold,
  LIKED_RATING,
  MovieMeanPredictor,
} from './trivial';
