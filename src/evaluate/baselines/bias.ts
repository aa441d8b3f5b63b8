/**
 * Rating baselines: the global mean, and global mean + regularised user and item biases (Surprise's
 * `BaselineOnly` fitted by alternating least squares).
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset, RatingScale } from '../../data/types';
import type { EpochLog, FitOptions, FitSummary, Scorer, UserHistory } from '../../recommend/types';
import {
  baselineSummary,
  checkNumber,
  checkPredictArgs,
  clampRating,
  fallbackRating,
  historyItems,
  meanRating,
  requireFitted,
  UserRatings,
} from './common';

/**
 * Predicts the global mean training rating for everything. Rating-only: `score` gives every known movie `0`
 * (no ranking information) and unknown movies `-Infinity`, so in a ranking protocol it only measures the
 * top-K tie rule.
 *
 * @example
 * ```ts
 * import { GlobalMeanBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const mean = new GlobalMeanBaseline();
 * await mean.fit(train);
 * const [[p]] = await mean.predictRatings([{ items: [] }], [[1]]); // 3.53 on ML-100k
 * ```
 */
export class GlobalMeanBaseline implements Scorer {
  readonly name: string = 'global-mean';
  readonly kind = 'baseline' as const;
  private state: { movies: MovieIndex; mean: number } | null = null;

  /** Computes the mean training rating (the middle of the scale when there is none). */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    this.state = {
      movies: MovieIndex.fromDataset(train),
      mean: fallbackRating(meanRating(train.ratings), train.ratingScale),
    };
    return baselineSummary(start, []);
  }

  /** `0` for every known movie, `-Infinity` for unknown ones. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const { movies } = requireFitted(this.state, this.name);
    const row = Float32Array.from(candidates, (id) =>
      movies.indexOf(id) < 0 ? Number.NEGATIVE_INFINITY : 0,
    );
    return histories.map(() => row.slice());
  }

  /** The global mean for every movie. */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const { mean } = requireFitted(this.state, this.name);
    checkPredictArgs(histories, movieIds);
    return movieIds.map((ids) => ids.map(() => mean));
  }

  /** Drops the mean. */
  dispose(): void {
    this.state = null;
  }
}

/** Options of {@link UserItemBiasBaseline}. */
export interface UserItemBiasOptions {
  /** Regularisation of user biases, λ_u. Default 15 (Surprise). */
  regUser?: number;
  /** Regularisation of item biases, λ_i. Default 10 (Surprise). */
  regItem?: number;
  /** ALS passes. Default 10 (Surprise). */
  epochs?: number;
}

interface BiasState {
  movies: MovieIndex;
  users: UserRatings;
  mean: number;
  bu: Float64Array;
  bi: Float64Array;
  scale: RatingScale;
}

/**
 * The "Baseline" of Surprise: r̂(u, i) = μ + b_u + b_i, minimising Σ (r − μ − b_u − b_i)² + λ_u Σ b_u² +
 * λ_i Σ b_i² by alternating least squares (each pass sets every b_u = Σ_i (r − μ − b_i) / (λ_u + n_u), then
 * every b_i = Σ_u (r − μ − b_u) / (λ_i + n_i)). Predictions are clamped to the rating scale.
 *
 * At prediction time a `userId` seen in training uses its learned bias; any other user gets a bias folded in
 * from the rated items of its history with the same formula (0 for an empty history). Movies unknown at fit time
 * get the global mean. `score` ranks by the unclamped prediction.
 *
 * @example
 * ```ts
 * import { UserItemBiasBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const bias = new UserItemBiasBaseline({ regUser: 15, regItem: 10, epochs: 10 });
 * await bias.fit(train);
 * const [[p]] = await bias.predictRatings([{ userId: 1, items: [] }], [[50]]);
 * ```
 */
export class UserItemBiasBaseline implements Scorer {
  readonly name: string = 'user-item-bias';
  readonly kind = 'baseline' as const;
  private readonly regUser: number;
  private readonly regItem: number;
  private readonly epochs: number;
  private state: BiasState | null = null;

  constructor(options: UserItemBiasOptions = {}) {
    this.regUser = checkNumber('regUser', options.regUser ?? 15, { min: 0 });
    this.regItem = checkNumber('regItem', options.regItem ?? 10, { min: 0 });
    this.epochs = checkNumber('epochs', options.epochs ?? 10, { integer: true, min: 1 });
  }

  /** Fits the biases; reports the training RMSE after each pass as `loss` (mean squared error). */
  async fit(train: Dataset, options: FitOptions = {}): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const users = UserRatings.build(train.ratings, movies);
    const mean = fallbackRating(meanRating(train.ratings), train.ratingScale);
    const nUsers = users.userIds.length;
    const bu = new Float64Array(nUsers);
    const bi = new Float64Array(movies.size);
    const itemSum = new Float64Array(movies.size);
    const itemCount = new Float64Array(movies.size);
    const { offsets, items, ratings } = users;
    const history: EpochLog[] = [];
    let aborted = false;
    for (let epoch = 1; epoch <= this.epochs; epoch++) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = performance.now();
      for (let u = 0; u < nUsers; u++) {
        let s = 0;
        for (let p = offsets[u]!; p < offsets[u + 1]!; p++) s += ratings[p]! - mean - bi[items[p]!]!;
        bu[u] = s / (this.regUser + offsets[u + 1]! - offsets[u]!);
      }
      itemSum.fill(0);
      itemCount.fill(0);
      for (let u = 0; u < nUsers; u++) {
        for (let p = offsets[u]!; p < offsets[u + 1]!; p++) {
          itemSum[items[p]!]! += ratings[p]! - mean - bu[u]!;
          itemCount[items[p]!]!++;
        }
      }
      for (let i = 0; i < movies.size; i++) bi[i] = itemSum[i]! / (this.regItem + itemCount[i]!);
      let se = 0;
      for (let u = 0; u < nUsers; u++) {
        for (let p = offsets[u]!; p < offsets[u + 1]!; p++) {
          const e = ratings[p]! - mean - bu[u]! - bi[items[p]!]!;
          se += e * e;
        }
      }
      const log: EpochLog = {
        epoch,
        loss: items.length > 0 ? se / items.length : 0,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(log);
      options.onEpochEnd?.(log);
    }
    this.state = { movies, users, mean, bu, bi, scale: train.ratingScale };
    return baselineSummary(start, history, aborted);
  }

  /** Unclamped μ + b_u + b_i of each candidate; `-Infinity` for unknown movies. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const state = requireFitted(this.state, this.name);
    const idx = candidates.map((id) => state.movies.indexOf(id));
    return histories.map((h) => {
      const b = this.userBias(state, h);
      return Float32Array.from(idx, (i) =>
        i < 0 ? Number.NEGATIVE_INFINITY : state.mean + b + state.bi[i]!,
      );
    });
  }

  /** μ + b_u + b_i clamped to the scale; the global mean for unknown movies. */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const state = requireFitted(this.state, this.name);
    checkPredictArgs(histories, movieIds);
    return histories.map((h, k) => {
      const b = this.userBias(state, h);
      return movieIds[k]!.map((id) => {
        const i = state.movies.indexOf(id);
        return i < 0 ? state.mean : clampRating(state.mean + b + state.bi[i]!, state.scale);
      });
    });
  }

  /** Drops the biases. */
  dispose(): void {
    this.state = null;
  }

  private userBias(state: BiasState, h: UserHistory): number {
    const u = h.userId === undefined ? -1 : state.users.indexOf(h.userId);
    if (u >= 0) return state.bu[u]!;
    const { items, ratings } = historyItems(h, state.movies, true);
    let s = 0;
    for (let k = 0; k < items.length; k++) s += ratings[k]! - state.mean - state.bi[items[k]!]!;
    return s / (this.regUser + items.length);
  }
}
