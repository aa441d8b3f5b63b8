/**
 * Item-kNN whose history weights decay with recency: a next-movie baseline for protocol S.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import { baselineSummary, checkNumber, requireFitted } from './common';
import { addNeighborScores, cosineNeighbors, type NeighborLists } from './neighbors';

/** Options of {@link RecencyItemKnnBaseline}. The defaults were tuned on protocol S (see the class notes). */
export interface RecencyItemKnnOptions {
  /** Neighbours kept per movie (the most similar ones), as in {@link ItemKnnBaseline}. Default 100. */
  neighbors?: number;
  /**
   * Weight factor per step back in the history: the j-th most recent distinct movie (j = 0 for the last one)
   * weighs `decay^j`. 1 gives the plain item-kNN score. In (0, 1]. Default 0.6.
   */
  decay?: number;
}

interface RecencyState {
  movies: MovieIndex;
  lists: NeighborLists;
}

/**
 * Item-kNN with recency-weighted history: score(c) = Σ_j decay^j · sim(h_j, c), where h_0 is the most recent
 * distinct movie of the history (the history's order is its time order; a repeated movie counts at its latest
 * position) and sim the cosine neighbour lists of {@link ItemKnnBaseline} (0 when c is not among h_j's
 * neighbours). Movies unknown at fit time score `-Infinity`. Ranking only (no `predictRatings`).
 *
 * The defaults (`neighbors` 100, `decay` 0.6) were chosen on the protocol S validation items of ML-100k (each
 * user's second-to-last rating as the target, the test ratings removed), never on the test items: over decay
 * 0.3–1 and 50–400 neighbours, NDCG@10 on those items ranged 0.068–0.114 (see `docs/reports.md`).
 *
 * @example
 * ```ts
 * import { RecencyItemKnnBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const knn = new RecencyItemKnnBaseline({ decay: 0.6 });
 * await knn.fit(train);
 * // Movie 3 was seen last, so its neighbours weigh most.
 * const [scores] = await knn.score([{ items: [{ movieId: 1 }, { movieId: 3 }] }], [2, 4, 5]);
 * knn.dispose();
 * ```
 */
export class RecencyItemKnnBaseline implements Scorer {
  readonly name: string = 'recency-item-knn';
  readonly kind = 'baseline' as const;
  private readonly neighbors: number;
  private readonly decay: number;
  private state: RecencyState | null = null;

  constructor(options: RecencyItemKnnOptions = {}) {
    this.neighbors = checkNumber('neighbors', options.neighbors ?? 100, { integer: true, min: 1 });
    this.decay = checkNumber('decay', options.decay ?? 0.6, { min: 0, exclusiveMin: true, max: 1 });
  }

  /** Computes the cosine neighbour lists. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    this.state = { movies, lists: cosineNeighbors(train, movies, this.neighbors) };
    return baselineSummary(start, []);
  }

  /**
   * The weight of each distinct known movie of a history, by movie id: `decay^j` for the j-th most recent.
   * Movies unknown at fit time are left out and do not count as a step.
   */
  recencyWeights(history: UserHistory): Map<number, number> {
    const s = requireFitted(this.state, this.name);
    const out = new Map<number, number>();
    for (const [idx, w] of this.weightsByIndex(s, history)) out.set(s.movies.ids[idx]!, w);
    return out;
  }

  /** Recency-weighted sum of similarities of each candidate to the history's movies. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const s = requireFitted(this.state, this.name);
    const idx = candidates.map((id) => s.movies.indexOf(id));
    const acc = new Float64Array(s.movies.size);
    return histories.map((h) => {
      acc.fill(0);
      for (const [item, w] of this.weightsByIndex(s, h)) addNeighborScores(s.lists, item, w, acc);
      return Float32Array.from(idx, (i) => (i < 0 ? Number.NEGATIVE_INFINITY : acc[i]!));
    });
  }

  /** Drops the neighbour lists. */
  dispose(): void {
    this.state = null;
  }

  private weightsByIndex(s: RecencyState, history: UserHistory): Map<number, number> {
    const weights = new Map<number, number>();
    let w = 1;
    for (let t = history.items.length - 1; t >= 0; t--) {
      const idx = s.movies.indexOf(history.items[t]!.movieId);
      if (idx < 0 || weights.has(idx)) continue;
      weights.set(idx, w);
      w *= this.decay;
    }
    return weights;
  }
}
