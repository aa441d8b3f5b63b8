/**
 * Item-based k-nearest neighbours with cosine similarity on the binary user–item matrix.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import {
  baselineSummary,
  checkNumber,
  checkPredictArgs,
  fallbackRating,
  historyItems,
  meanRating,
  requireFitted,
} from './common';
import { addNeighborScores, cosineNeighbors, type NeighborLists } from './neighbors';

/** Options of {@link ItemKnnBaseline}. */
export interface ItemKnnOptions {
  /** Neighbours kept per movie (the most similar ones). Default 100. */
  neighbors?: number;
}

interface KnnState {
  movies: MovieIndex;
  lists: NeighborLists;
  itemMean: Float64Array;
  itemCount: Int32Array;
  mean: number;
}

/**
 * Item–item cosine k-NN. Similarity of movies i and j on the binary user–item matrix:
 * sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i|·|U_j|), where U_i is the set of training users who rated i. Each
 * movie keeps its `neighbors` most similar movies (ties: lower movie id first). Co-occurrence counts are
 * built row by row from the users' lists (one dense scratch row of the catalog's size), never as an M×M matrix,
 * so memory is O(M·neighbors) and time O(Σ_u n_u²).
 *
 * - **Ranking:** score(c) = Σ over the history's distinct known movies h of sim(h, c), taken from h's neighbour
 *   list (0 when c is not among them); movies unknown at fit time score `-Infinity`.
 * - **Rating:** the similarity-weighted mean of the history's ratings of the target's neighbours,
 *   Σ sim(t, j)·r_j / Σ sim(t, j); with no rated neighbour in the history, the movie's mean training rating,
 *   else the mean of the history's ratings, else the global mean (also the value for unknown movies).
 *
 * @example
 * ```ts
 * import { ItemKnnBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const knn = new ItemKnnBaseline({ neighbors: 100 });
 * await knn.fit(train);
 * const [scores] = await knn.score([{ items: [{ movieId: 1, rating: 5 }] }], [2, 3, 4]);
 * console.log(knn.similarity(1, 2));
 * knn.dispose();
 * ```
 */
export class ItemKnnBaseline implements Scorer {
  readonly name: string = 'item-knn';
  readonly kind = 'baseline' as const;
  private readonly neighbors: number;
  private state: KnnState | null = null;

  constructor(options: ItemKnnOptions = {}) {
    this.neighbors = checkNumber('neighbors', options.neighbors ?? 100, { integer: true, min: 1 });
  }

  /** Computes the neighbour lists and the movie means. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const M = movies.size;
    const lists = cosineNeighbors(train, movies, this.neighbors);
    const itemMean = new Float64Array(M);
    const itemCount = new Int32Array(M);
    const { movieIds, ratings } = train.ratings;
    for (let r = 0; r < movieIds.length; r++) {
      const i = movies.indexOf(movieIds[r]!);
      itemMean[i]! += ratings[r]!;
      itemCount[i]!++;
    }
    for (let i = 0; i < M; i++) if (itemCount[i]! > 0) itemMean[i]! /= itemCount[i]!;
    const mean = fallbackRating(meanRating(train.ratings), train.ratingScale);
    this.state = { movies, lists, itemMean, itemCount, mean };
    return baselineSummary(start, []);
  }

  /**
   * The cosine similarity of two movies as kept in the neighbour list of `a` (0 when `b` is not among `a`'s
   * neighbours or either movie is unknown).
   */
  similarity(a: number, b: number): number {
    const s = requireFitted(this.state, this.name);
    const i = s.movies.indexOf(a);
    const j = s.movies.indexOf(b);
    if (i < 0 || j < 0) return 0;
    const { k, count, nbr, sim } = s.lists;
    for (let t = 0; t < count[i]!; t++) if (nbr[i * k + t] === j) return sim[i * k + t]!;
    return 0;
  }

  /** Sum of similarities of each candidate to the history's movies (see the class notes). */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const s = requireFitted(this.state, this.name);
    const idx = candidates.map((id) => s.movies.indexOf(id));
    const acc = new Float64Array(s.movies.size);
    return histories.map((h) => {
      acc.fill(0);
      const { items } = historyItems(h, s.movies, false);
      for (const hIdx of items) addNeighborScores(s.lists, hIdx, 1, acc);
      return Float32Array.from(idx, (i) => (i < 0 ? Number.NEGATIVE_INFINITY : acc[i]!));
    });
  }

  /** Similarity-weighted mean of the history's ratings of each target's neighbours, with fallbacks. */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const s = requireFitted(this.state, this.name);
    checkPredictArgs(histories, movieIds);
    return histories.map((h, n) => {
      const { items, ratings } = historyItems(h, s.movies, true);
      const rated = new Map<number, number>();
      let userSum = 0;
      for (let q = 0; q < items.length; q++) {
        rated.set(items[q]!, ratings[q]!);
        userSum += ratings[q]!;
      }
      const userMean = items.length > 0 ? userSum / items.length : Number.NaN;
      return movieIds[n]!.map((id) => {
        const t = s.movies.indexOf(id);
        if (t < 0) return s.mean;
        let num = 0;
        let den = 0;
        const { k, count, nbr, sim } = s.lists;
        for (let q = t * k; q < t * k + count[t]!; q++) {
          const r = rated.get(nbr[q]!);
          if (r === undefined) continue;
          num += sim[q]! * r;
          den += sim[q]!;
        }
        if (den > 0) return num / den;
        if (s.itemCount[t]! > 0) return s.itemMean[t]!;
        return Number.isFinite(userMean) ? userMean : s.mean;
      });
    });
  }

  /** Drops the neighbour lists. */
  dispose(): void {
    this.state = null;
  }
}
