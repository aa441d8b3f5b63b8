/**
 * Item-based k-nearest neighbours with cosine similarity on the binary user–item matrix.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import { topK } from '../../recommend/topk';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import {
  baselineSummary,
  checkNumber,
  checkPredictArgs,
  fallbackRating,
  historyItems,
  meanRating,
  requireFitted,
  UserRatings,
} from './common';

/** Options of {@link ItemKnnBaseline}. */
export interface ItemKnnOptions {
  /** Neighbours kept per movie (the most similar ones). Default 100. */
  neighbors?: number;
}

interface KnnState {
  movies: MovieIndex;
  k: number;
  /** Neighbour count of each movie. */
  count: Int32Array;
  /** Neighbour movie indices, `k` slots per movie, most similar first. */
  nbr: Int32Array;
  /** Their similarities. */
  sim: Float32Array;
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
    const byUser = dedupeUsers(UserRatings.build(train.ratings, movies), M);
    const { offsets: uOff, items: uItems } = byUser;
    // Item → users (CSR) over the deduplicated binary matrix.
    const iOff = new Int32Array(M + 1);
    for (let p = 0; p < uItems.length; p++) iOff[uItems[p]! + 1]!++;
    for (let i = 0; i < M; i++) iOff[i + 1]! += iOff[i]!;
    const iUsers = new Int32Array(uItems.length);
    const fill = iOff.slice(0, M);
    for (let u = 0; u + 1 < uOff.length; u++) {
      for (let p = uOff[u]!; p < uOff[u + 1]!; p++) iUsers[fill[uItems[p]!]!++] = u;
    }
    const k = Math.min(this.neighbors, Math.max(M - 1, 1));
    const count = new Int32Array(M);
    const nbr = new Int32Array(M * k);
    const sim = new Float32Array(M * k);
    const co = new Float64Array(M);
    const touchedBuf = new Int32Array(M);
    const sims = new Float64Array(M);
    for (let i = 0; i < M; i++) {
      const ni = iOff[i + 1]! - iOff[i]!;
      if (ni === 0) continue;
      let nTouched = 0;
      for (let q = iOff[i]!; q < iOff[i + 1]!; q++) {
        const u = iUsers[q]!;
        for (let p = uOff[u]!; p < uOff[u + 1]!; p++) {
          const j = uItems[p]!;
          if (j === i) continue;
          if (co[j] === 0) touchedBuf[nTouched++] = j;
          co[j]!++;
        }
      }
      // Ascending movie order, so the top-K tie rule (lower position first) keeps lower movie ids.
      const touched = touchedBuf.subarray(0, nTouched).sort();
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        sims[t] = co[j]! / Math.sqrt(ni * (iOff[j + 1]! - iOff[j]!));
        co[j] = 0;
      }
      const best = topK(sims.subarray(0, nTouched), k);
      count[i] = best.indices.length;
      for (let t = 0; t < best.indices.length; t++) {
        nbr[i * k + t] = touched[best.indices[t]!]!;
        sim[i * k + t] = sims[best.indices[t]!]!;
      }
    }
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
    this.state = { movies, k, count, nbr, sim, itemMean, itemCount, mean };
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
    for (let t = 0; t < s.count[i]!; t++) if (s.nbr[i * s.k + t] === j) return s.sim[i * s.k + t]!;
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
      for (const hIdx of items) {
        const base = hIdx * s.k;
        for (let t = 0; t < s.count[hIdx]!; t++) acc[s.nbr[base + t]!]! += s.sim[base + t]!;
      }
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
        const base = t * s.k;
        for (let q = 0; q < s.count[t]!; q++) {
          const r = rated.get(s.nbr[base + q]!);
          if (r === undefined) continue;
          num += s.sim[base + q]! * r;
          den += s.sim[base + q]!;
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

/** The users' item lists with repeated movies removed (the binary matrix counts a pair once). */
function dedupeUsers(users: UserRatings, M: number): { offsets: Int32Array; items: Int32Array } {
  const seen = new Int32Array(M).fill(-1);
  const offsets = new Int32Array(users.offsets.length);
  const out: number[] = [];
  for (let u = 0; u + 1 < users.offsets.length; u++) {
    for (let p = users.offsets[u]!; p < users.offsets[u + 1]!; p++) {
      const i = users.items[p]!;
      if (seen[i] === u) continue;
      seen[i] = u;
      out.push(i);
    }
    offsets[u + 1] = out.length;
  }
  return { offsets, items: Int32Array.from(out) };
}
