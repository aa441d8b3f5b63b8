/**
 * A movie catalog: the dense index every model uses for its movies.
 *
 * @module
 */
import type { Dataset } from './types';

/**
 * Movie ids in ascending order and their dense indices (0-based): the catalog a model scores.
 *
 * @example
 * ```ts
 * import { MovieIndex, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const movies = MovieIndex.fromDataset(data);
 * movies.indexOf(1); // 0 for ML-100k (ids start at 1); -1 for an unknown id
 * ```
 */
export class MovieIndex {
  /** Movie ids, ascending. */
  readonly ids: Int32Array;
  private readonly index: Map<number, number>;

  constructor(ids: Int32Array) {
    this.ids = ids;
    this.index = new Map();
    for (let i = 0; i < ids.length; i++) this.index.set(ids[i]!, i);
  }

  /** The catalog of a data set: `dataset.movies` ids ∪ rated movie ids. */
  static fromDataset(dataset: Dataset): MovieIndex {
    const ids = new Set<number>();
    for (const m of dataset.movies) ids.add(m.id);
    const rated = dataset.ratings.movieIds;
    for (let i = 0; i < rated.length; i++) ids.add(rated[i]!);
    return new MovieIndex(Int32Array.from([...ids].sort((a, b) => a - b)));
  }

  /** Number of movies. */
  get size(): number {
    return this.ids.length;
  }

  /** Dense index of a movie id, or -1 when unknown. */
  indexOf(movieId: number): number {
    return this.index.get(movieId) ?? -1;
  }

  /** Whether the catalog has the movie. */
  has(movieId: number): boolean {
    return this.index.has(movieId);
  }
}
