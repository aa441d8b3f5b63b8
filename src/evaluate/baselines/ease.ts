/**
 * EASE (Steck 2019): a closed-form linear item–item model on the binary user–item matrix.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import { ConfigError } from '../../errors';
import { easeCost, easeWeights } from '../../model/item-item';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import {
  baselineSummary,
  checkNumber,
  distinctUserItems,
  historyItems,
  requireFitted,
  UserRatings,
} from './common';

/** Options of {@link EaseBaseline}. */
export interface EaseOptions {
  /**
   * The L2 penalty λ added to the diagonal of XᵀX. Default 700, chosen on an inner split of protocol T's
   * training ratings of ML-100k (split again 75/25, seed 43): inner NDCG@10 0.244 at λ = 100, 0.260 at 500,
   * 0.263 at 700 and 800, 0.260 at 1000 (see `docs/reports.md`).
   */
  lambda?: number;
  /**
   * The largest catalog `fit` accepts. EASE holds one dense M×M matrix of doubles (8·M² bytes: 3.2 GB at
   * 20,000 movies) and inverts it in about M³/2 multiply-adds, so a larger catalog is refused with a
   * {@link ConfigError} instead of running out of memory. Default 20,000.
   */
  maxMovies?: number;
}

interface EaseState {
  movies: MovieIndex;
  /** The item–item weights B, M×M row-major, zero diagonal. */
  B: Float32Array;
}

/**
 * EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019). With X the binary
 * user–item matrix of the training ratings (any rating counts as an interaction) and
 * P = (XᵀX + λI)⁻¹, the item–item weights are B = I − P·diagMat(1/diag(P)), i.e. B_ij = −P_ij / P_jj and
 * B_jj = 0: the ridge regression of each item's column on all the others, with the item itself excluded.
 * The inverse is computed in plain JS (Cholesky, then the inverse of the factor; see `invertSpdInPlace`).
 *
 * - **Ranking:** score = x·B, where x is the history's binary row (its distinct movies known at fit time).
 *   The history alone decides, so unknown users (cold start) are scored the same way. Movies unknown at fit
 *   time score `-Infinity`. Ranking only (no `predictRatings`).
 *
 * @example
 * ```ts
 * import { EaseBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const ease = new EaseBaseline({ lambda: 700 });
 * await ease.fit(train);
 * const [scores] = await ease.score([{ items: [{ movieId: 1 }, { movieId: 50 }] }], [2, 3, 4]);
 * console.log(ease.weight(1, 2)); // B for movie 1 → movie 2
 * ease.dispose();
 * ```
 */
export class EaseBaseline implements Scorer {
  readonly name: string = 'ease';
  readonly kind = 'baseline' as const;
  private readonly lambda: number;
  private readonly maxMovies: number;
  private state: EaseState | null = null;

  constructor(options: EaseOptions = {}) {
    this.lambda = checkNumber('lambda', options.lambda ?? 700, { min: 0, exclusiveMin: true });
    this.maxMovies = checkNumber('maxMovies', options.maxMovies ?? 20_000, { integer: true, min: 1 });
  }

  /**
   * Builds XᵀX + λI, inverts it and keeps B.
   *
   * @throws {ConfigError} when the catalog has more than `maxMovies` movies.
   */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const M = movies.size;
    if (M > this.maxMovies) {
      throw new ConfigError(
        'maxMovies',
        `a catalog of at most ${this.maxMovies} movies for EASE (its ${easeCost(M)}; raise maxMovies only with the memory for it, or use another baseline)`,
        M,
      );
    }
    this.state = null;
    const B = easeWeights(distinctUserItems(UserRatings.build(train.ratings, movies), M), M, this.lambda);
    this.state = { movies, B };
    return baselineSummary(start, []);
  }

  /** The weight B of movie `from` → movie `to` (0 when either is unknown or they are the same). */
  weight(from: number, to: number): number {
    const s = requireFitted(this.state, this.name);
    const i = s.movies.indexOf(from);
    const j = s.movies.indexOf(to);
    return i < 0 || j < 0 ? 0 : s.B[i * s.movies.size + j]!;
  }

  /** x·B for each history (see the class notes). */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const s = requireFitted(this.state, this.name);
    const M = s.movies.size;
    const idx = candidates.map((id) => s.movies.indexOf(id));
    const acc = new Float64Array(M);
    return histories.map((h) => {
      acc.fill(0);
      for (const i of historyItems(h, s.movies, false).items) {
        const base = i * M;
        for (let j = 0; j < M; j++) acc[j]! += s.B[base + j]!;
      }
      return Float32Array.from(idx, (i) => (i < 0 ? Number.NEGATIVE_INFINITY : acc[i]!));
    });
  }

  /** Drops B. */
  dispose(): void {
    this.state = null;
  }
}
