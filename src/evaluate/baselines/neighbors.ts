/**
 * Item–item cosine neighbour lists on the binary user–item matrix, shared by the item-kNN baselines (internal,
 * not part of the public API).
 *
 * @module
 */

import type { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import { topK } from '../../recommend/topk';
import { distinctUserItems, UserRatings } from './common';

/**
 * Each movie's most similar movies: movie `i`'s neighbours are `nbr[i·k .. i·k + count[i]]` (movie indices,
 * most similar first, ties by lower index) with their similarities in `sim`.
 */
export interface NeighborLists {
  /** Slots per movie. */
  k: number;
  /** Neighbour count of each movie. */
  count: Int32Array;
  /** Neighbour movie indices, `k` slots per movie, most similar first. */
  nbr: Int32Array;
  /** Their similarities. */
  sim: Float32Array;
}

/**
 * The cosine neighbour lists of the movies of `train`: sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i|·|U_j|) on the
 * binary matrix (a user who rated a movie twice counts once), the `neighbors` most similar kept per movie.
 * Co-occurrences are counted row by row from the users' lists with one dense scratch row, never as an M×M
 * matrix: memory O(M·neighbors), time O(Σ_u n_u²).
 *
 * @example
 * ```ts
 * import { MovieIndex } from '../../data/catalog';
 * import { cosineNeighbors } from './neighbors';
 * declare const train: import('../../data/types').Dataset;
 * const lists = cosineNeighbors(train, MovieIndex.fromDataset(train), 100);
 * ```
 */
export function cosineNeighbors(train: Dataset, movies: MovieIndex, neighbors: number): NeighborLists {
  const M = movies.size;
  const { offsets: uOff, items: uItems } = distinctUserItems(UserRatings.build(train.ratings, movies), M);
  // Item → users (CSR) over the deduplicated binary matrix.
  const iOff = new Int32Array(M + 1);
  for (let p = 0; p < uItems.length; p++) iOff[uItems[p]! + 1]!++;
  for (let i = 0; i < M; i++) iOff[i + 1]! += iOff[i]!;
  const iUsers = new Int32Array(uItems.length);
  const fill = iOff.slice(0, M);
  for (let u = 0; u + 1 < uOff.length; u++) {
    for (let p = uOff[u]!; p < uOff[u + 1]!; p++) iUsers[fill[uItems[p]!]!++] = u;
  }
  const k = Math.min(neighbors, Math.max(M - 1, 1));
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
  return { k, count, nbr, sim };
}

/**
 * Adds `weight · sim(item, j)` to `acc[j]` for every neighbour `j` of movie index `item`.
 *
 * @example
 * ```ts
 * import { addNeighborScores, type NeighborLists } from './neighbors';
 * declare const lists: NeighborLists;
 * const acc = new Float64Array(lists.count.length);
 * addNeighborScores(lists, 0, 1, acc);
 * ```
 */
export function addNeighborScores(
  lists: NeighborLists,
  item: number,
  weight: number,
  acc: Float64Array,
): void {
  const base = item * lists.k;
  const end = base + lists.count[item]!;
  for (let t = base; t < end; t++) acc[lists.nbr[t]!]! += weight * lists.sim[t]!;
}
