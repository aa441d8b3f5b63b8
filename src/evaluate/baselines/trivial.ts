/**
 * The two trivial predictors of protocol C, which every liked-or-not table carries beside the models.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import { baselineSummary, checkPredictArgs, fallbackRating, meanRating, requireFitted } from './common';

/**
 * The rating from which a rating counts as liked in protocol C (`PROTOCOL.md`: liked = rating ≥ 4).
 *
 * @example
 * ```ts
 * import { LIKED_RATING } from 'reelrec';
 * const liked = [5, 3, 4].map((r) => r >= LIKED_RATING); // [true, false, true]
 * ```
 */
export const LIKED_RATING = 4;

/**
 * A scorer whose liked-or-not decision uses a fixed threshold on its predicted ratings: protocol C uses
 * `likedThreshold` as is instead of tuning one on a validation slice.
 *
 * @example
 * ```ts
 * import { AlwaysLikedPredictor, hasFixedThreshold } from 'reelrec';
 * hasFixedThreshold(new AlwaysLikedPredictor()); // true
 * ```
 */
export interface FixedThresholdScorer extends Scorer {
  /** A predicted rating ≥ this counts as liked. */
  readonly likedThreshold: number;
}

/**
 * True when `scorer` carries a fixed liked threshold (see {@link FixedThresholdScorer}).
 *
 * @example
 * ```ts
 * import { MovieMeanPredictor, hasFixedThreshold } from 'reelrec';
 * hasFixedThreshold(new MovieMeanPredictor()); // true
 * ```
 */
export function hasFixedThreshold(scorer: Scorer): scorer is FixedThresholdScorer {
  const t = (scorer as Partial<FixedThresholdScorer>).likedThreshold;
  return typeof t === 'number' && !Number.isNaN(t);
}

/**
 * "Always liked": predicts the top of the rating scale for every movie, so with its fixed threshold
 * ({@link LIKED_RATING}) it calls everything liked (recall 1, precision = share of liked ratings). Its scores
 * are constant (AUC 0.5). Movies unknown at fit time score `-Infinity` but are still predicted liked.
 *
 * @example
 * ```ts
 * import { AlwaysLikedPredictor } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const always = new AlwaysLikedPredictor();
 * await always.fit(train);
 * await always.predictRatings([{ items: [] }], [[1, 2]]); // [[5, 5]] on a 1–5 scale
 * ```
 */
export class AlwaysLikedPredictor implements FixedThresholdScorer {
  readonly name: string = 'always-liked';
  readonly kind = 'baseline' as const;
  readonly likedThreshold = LIKED_RATING;
  private state: { movies: MovieIndex; max: number } | null = null;

  /** Remembers the catalog and the top of the scale. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    this.state = { movies: MovieIndex.fromDataset(train), max: train.ratingScale.max };
    return baselineSummary(start, []);
  }

  /** The top of the scale for every known movie. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const { movies, max } = requireFitted(this.state, this.name);
    const row = Float32Array.from(candidates, (id) =>
      movies.indexOf(id) < 0 ? Number.NEGATIVE_INFINITY : max,
    );
    return histories.map(() => row.slice());
  }

  /** The top of the scale for every movie. */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const { max } = requireFitted(this.state, this.name);
    checkPredictArgs(histories, movieIds);
    return movieIds.map((ids) => ids.map(() => max));
  }

  /** Drops the catalog. */
  dispose(): void {
    this.state = null;
  }
}

/**
 * "Liked when the movie's mean training rating ≥ 4": predicts each movie's mean training rating (the global
 * mean for a movie without training ratings), with the **fixed** threshold {@link LIKED_RATING}, never tuned.
 * `score` ranks by the same mean.
 *
 * @example
 * ```ts
 * import { MovieMeanPredictor } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const movieMean = new MovieMeanPredictor();
 * await movieMean.fit(train);
 * const [[p]] = await movieMean.predictRatings([{ items: [] }], [[50]]);
 * ```
 */
export class MovieMeanPredictor implements FixedThresholdScorer {
  readonly name: string = 'movie-mean';
  readonly kind = 'baseline' as const;
  readonly likedThreshold = LIKED_RATING;
  private state: { movies: MovieIndex; means: Float64Array; mean: number } | null = null;

  /** Computes each movie's mean training rating. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const sum = new Float64Array(movies.size);
    const count = new Float64Array(movies.size);
    const { movieIds, ratings } = train.ratings;
    for (let r = 0; r < movieIds.length; r++) {
      const i = movies.indexOf(movieIds[r]!);
      sum[i]! += ratings[r]!;
      count[i]!++;
    }
    const mean = fallbackRating(meanRating(train.ratings), train.ratingScale);
    const means = new Float64Array(movies.size);
    for (let i = 0; i < movies.size; i++) means[i] = count[i]! > 0 ? sum[i]! / count[i]! : mean;
    this.state = { movies, means, mean };
    return baselineSummary(start, []);
  }

  /** Each movie's mean training rating; `-Infinity` for unknown movies. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const { movies, means } = requireFitted(this.state, this.name);
    const row = Float32Array.from(candidates, (id) => {
      const i = movies.indexOf(id);
      return i < 0 ? Number.NEGATIVE_INFINITY : means[i]!;
    });
    return histories.map(() => row.slice());
  }

  /** Each movie's mean training rating; the global mean for unknown movies. */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const { movies, means, mean } = requireFitted(this.state, this.name);
    checkPredictArgs(histories, movieIds);
    return movieIds.map((ids) =>
      ids.map((id) => {
        const i = movies.indexOf(id);
        return i < 0 ? mean : means[i]!;
      }),
    );
  }

  /** Drops the means. */
  dispose(): void {
    this.state = null;
  }
}
