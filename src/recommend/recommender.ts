/**
 * The Recommender module: from a model's scores over the catalog to a top-N list — seen-filtering, exclusion and
 * candidate lists, and popularity blending.
 *
 * @module
 */
import type { MovieIndex } from '../data/catalog';
import { ConfigError } from '../errors';
import { topK } from './topk';

/** One recommended movie. */
export interface Recommendation {
  /** The recommended movie. */
  movieId: number;
  /** The ranking score (higher is better; for the RNN, a logit of the next-movie softmax plus any blending). */
  score: number;
  /** 1-based position in the list. */
  rank: number;
  /** The movie's title, when the catalog has one. */
  title?: string;
  /** Predicted rating on the data set's scale, when the model predicts ratings. */
  predictedRating?: number;
}

/** Options of one recommendation request. */
export interface RecommendOptions {
  /** List length. Default 10. */
  k?: number;
  /** Leave out movies the user has rated. Default true. */
  excludeSeen?: boolean;
  /** Movie ids never to recommend. */
  exclude?: readonly number[];
  /** Recommend only among these movie ids (e.g. what is in stock). Default: the whole catalog. */
  candidates?: readonly number[];
  /** Weight w of log-popularity added to each score: `score + w · ln(1 + ratings of the movie)`. Default 0. */
  popularityWeight?: number;
  /**
   * Weight w of the user-group prior, the fallback for users with little history: `score + w · f(n) ·
   * ln(p + ε)`, where p is the share of the user's likely groups who rated the movie (`UserProfiler.groupScores`,
   * from demographics when the history is empty), ε one over the training users, and `f(n) = 5 / (5 + n)` fades
   * the prior as the history grows to n movies. Needs a profiler with user groups. Default 0.
   */
  groupWeight?: number;
}

/** Defaults of the Recommender module. */
export interface RecommenderModuleOptions {
  /** Default list length. Default 10. */
  k: number;
  /** Default seen-filtering. Default true. */
  excludeSeen: boolean;
  /** Default popularity weight. Default 0. */
  popularityWeight: number;
  /** Default user-group prior weight (see {@link RecommendOptions.groupWeight}). Default 0. */
  groupWeight: number;
}

/**
 * Turns catalog-aligned scores into top-N lists.
 *
 * @example
 * ```ts
 * import { MovieIndex, Recommender } from 'reelrec';
 * const catalog = new MovieIndex(Int32Array.of(10, 20, 30));
 * const ranker = new Recommender({ k: 2 });
 * const picks = ranker.select(Float32Array.of(0.1, 0.9, 0.5), catalog, { seen: [1] });
 * console.log(picks.map((p) => catalog.ids[p.index])); // [30, 10]
 * ```
 */
export class Recommender {
  /** The settings, every default filled in. */
  readonly options: RecommenderModuleOptions;

  constructor(options: Partial<RecommenderModuleOptions> = {}) {
    this.options = { k: 10, excludeSeen: true, popularityWeight: 0, groupWeight: 0, ...options };
    checkK(this.options.k);
    for (const key of ['popularityWeight', 'groupWeight'] as const) {
      if (!Number.isFinite(this.options[key])) {
        throw new ConfigError(`recommender.${key}`, 'a finite number', this.options[key]);
      }
    }
  }

  /**
   * The scores after popularity blending and the user-group prior (a new array when either applies, else
   * `scores` itself): what {@link Recommender.select} ranks by.
   *
   * @param context `popularity`: ratings per catalog position (needed when `popularityWeight` ≠ 0); `groupPrior`:
   *   `f(n) · ln(p + ε)` per catalog position (see {@link RecommendOptions.groupWeight}; absent: no prior).
   * @throws {ConfigError} when a weight needs context that is missing.
   */
  blend(
    scores: Float32Array,
    context: { popularity?: ArrayLike<number>; groupPrior?: ArrayLike<number> },
    options: RecommendOptions = {},
  ): Float32Array {
    const weight = options.popularityWeight ?? this.options.popularityWeight;
    const groupWeight = options.groupWeight ?? this.options.groupWeight;
    const prior = groupWeight !== 0 ? context.groupPrior : undefined;
    if (weight === 0 && !prior) return scores;
    if (weight !== 0 && !context.popularity) {
      throw new ConfigError('popularityWeight', 'popularity counts in the context', undefined);
    }
    const out = new Float32Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      let v = scores[i]!;
      if (weight !== 0) v += weight * Math.log1p(context.popularity![i]!);
      if (prior) v += groupWeight * prior[i]!;
      out[i] = v;
    }
    return out;
  }

  /**
   * The best `k` catalog positions for one user.
   *
   * @param scores one score per catalog position.
   * @param catalog the catalog the scores are aligned with.
   * @param context `seen`: catalog positions the user has rated; `popularity` and `groupPrior`: see
   *   {@link Recommender.blend}.
   */
  select(
    scores: Float32Array,
    catalog: MovieIndex,
    context: { seen?: ArrayLike<number>; popularity?: ArrayLike<number>; groupPrior?: ArrayLike<number> },
    options: RecommendOptions = {},
  ): Array<{
    /** Catalog position of the movie. */
    index: number;
    /** Its score after blending. */
    score: number;
  }> {
    const k = options.k ?? this.options.k;
    checkK(k);
    const excludeSeen = options.excludeSeen ?? this.options.excludeSeen;
    let adjusted = this.blend(scores, context, options);
    if (options.candidates) {
      const allowed = new Float32Array(scores.length).fill(Number.NEGATIVE_INFINITY);
      for (const id of options.candidates) {
        const i = catalog.indexOf(id);
        if (i >= 0) allowed[i] = adjusted[i]!;
      }
      adjusted = allowed;
    }
    const exclude = new Set<number>();
    if (excludeSeen && context.seen)
      for (let i = 0; i < context.seen.length; i++) exclude.add(context.seen[i]!);
    for (const id of options.exclude ?? []) {
      const i = catalog.indexOf(id);
      if (i >= 0) exclude.add(i);
    }
    const top = topK(adjusted, k, { exclude });
    return Array.from(top.indices, (index, r) => ({ index, score: top.scores[r]! }));
  }
}

function checkK(k: number): void {
  if (!(Number.isInteger(k) && k >= 1)) throw new ConfigError('k', 'an integer ≥ 1', k);
}
