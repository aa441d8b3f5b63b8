/**
 * MovieLens readers: ML-100k, ML-1M and the ml-latest family, from a directory or from memory, with validation
 * and a load report.
 *
 * @module
 */
export { IMDB_DETAILS_FILE, IMDB_YEAR_TOLERANCE } from './imdb';
export {
  type Fold,
  type LoadOptions,
  loadMovieLens,
  loadOfficialFolds,
  type MovieLensFormat,
  OFFICIAL_FOLDS,
  parseMovieLens,
} from './load';
export { HALF_STARS, WHOLE_STARS } from './ratings';
export type { LoadMode } from './records';
