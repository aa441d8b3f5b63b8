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
}

/** Defaults of the Recommender module. */
export interface RecommenderModuleOptions {
  /** Default list length. Default 10. */
  k: number;
  /** Default seen-filtering. Default true. */
  excludeSeen: boolean;
  /** Default popularity weight. Default 0. */
  popularityWeight: number;
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
    this.options = { k: 10, excludeSeen: true, popularityWeight: 0, ...options };
    checkK(this.options.k);
  }

  /**
   * The best `k` catalog positions for one user.
   *
   * @param scores one score per catalog position.
   * @param catalog the catalog the scores are aligned with.
   * @param context `seen`: catalog positions the user has rated; `popularity`: ratings per catalog position
   *   (needed when `popularityWeight` ≠ 0).
   */
  select(
    scores: Float32Array,
    catalog: MovieIndex,
    context: { seen?: ArrayLike<number>; popularity?: ArrayLike<number> },
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
    const weight = options.popularityWeight ?? this.options.popularityWeight;
    let adjusted = scores;
    if (weight !== 0) {
      if (!context.popularity)
        throw new ConfigError('popularityWeight', 'popularity counts in the context', undefined);
      adjusted = new Float32Array(scores.length);
      for (let i = 0; i < scores.length; i++)
        adjusted[i] = scores[i]! + weight * Math.log1p(context.popularity[i]!);
    }
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
