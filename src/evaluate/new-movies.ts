/**
 * New-movie cold start, measured: a seeded sample of movies loses every rating before training (their content
 * stays in `dataset.movies`), and each user who had rated some of them gets a ranking from their remaining
 * history. Not one of PROTOCOL.md's protocols; reelrec's own measurement for content cold start.
 *
 * @module
 */

import { userTimelines } from '../data/split';
import type { Dataset } from '../data/types';
import { ConfigError } from '../errors';
import { topK } from '../recommend/topk';
import type { FitOptions, UserHistory } from '../recommend/types';
import { Rng } from '../util/random';
import { hitRateAtK, recallAtK } from './metrics/ranking';
import { historyItems, type ModelSpec } from './protocols';

/** Options of {@link evaluateNewMovies}. */
export interface NewMoviesOptions {
  /** Share of the eligible movies held out. Default 0.05. */
  share?: number;
  /** Only movies with at least this many ratings are eligible (so enough users can find them). Default 20. */
  minRatings?: number;
  /** Cutoff of the ranking metrics. Default 10. */
  k?: number;
  /** Seed of the movie sample. Default 42. */
  seed?: number | string;
  /** Passed to each model's `fit` (progress, abort). */
  fitOptions?: FitOptions;
}

/** One model's figures in {@link NewMoviesResult}. */
export interface NewMoviesRow {
  /** The model's spec name. */
  name: string;
  /** Whether it is a model under test or a baseline. */
  kind: 'model' | 'baseline';
  /**
   * `R@K new` and `HR@K new`: ranking only the held-out movies; `R@K all`: ranking every movie outside the
   * user's history (held-out movies compete with rated ones). Means over users.
   */
  metrics: Record<string, number>;
  /** Seconds to fit and score. */
  seconds: number;
}

/** What {@link evaluateNewMovies} measured. */
export interface NewMoviesResult {
  /** Always `'new-movies'`. */
  protocol: 'new-movies';
  /** The held-out movie ids, ascending. */
  movies: number[];
  /** Ratings removed from training. */
  ratingsRemoved: number;
  /** Users evaluated: those who rated at least one held-out movie and kept at least one other rating. */
  users: number;
  /** Cutoff of the ranking metrics. */
  k: number;
  /** What a random ranking scores on each metric (its expectation). */
  chance: Record<string, number>;
  /** One row per model, in the order given. */
  results: NewMoviesRow[];
}

/**
 * Holds out every rating of a seeded sample of movies, trains each model on the rest (the held-out movies keep
 * their content in `dataset.movies`), and measures how well each ranks the held-out movies for the users who
 * rated them, given their other ratings in time order. Models are disposed after scoring.
 *
 * @throws {ConfigError} for a bad option, or when no movie is eligible.
 * @example
 * ```ts
 * import { createRecommender, evaluateNewMovies, ContentKnnBaseline } from 'reelrec';
 * declare const data: import('reelrec').Dataset;
 * const result = await evaluateNewMovies(data, [
 *   { name: 'lstm', kind: 'model', create: () => createRecommender() },
 *   { name: 'content-knn', kind: 'baseline', create: () => new ContentKnnBaseline() },
 * ]);
 * console.log(result.results.map((r) => [r.name, r.metrics['R@10 new']]));
 * ```
 */
export async function evaluateNewMovies(
  data: Dataset,
  models: readonly ModelSpec[],
  options: NewMoviesOptions = {},
): Promise<NewMoviesResult> {
  const share = options.share ?? 0.05;
  const minRatings = options.minRatings ?? 20;
  const k = options.k ?? 10;
  if (!(share > 0 && share < 1)) throw new ConfigError('share', 'a number in (0, 1)', share);
  if (!(Number.isInteger(minRatings) && minRatings >= 1)) {
    throw new ConfigError('minRatings', 'an integer ≥ 1', minRatings);
  }
  if (!(Number.isInteger(k) && k >= 1)) throw new ConfigError('k', 'an integer ≥ 1', k);
  const { ratings } = data;
  const counts = new Map<number, number>();
  for (let i = 0; i < ratings.length; i++) {
    counts.set(ratings.movieIds[i]!, (counts.get(ratings.movieIds[i]!) ?? 0) + 1);
  }
  const eligible = [...counts.entries()]
    .filter(([, c]) => c >= minRatings)
    .map(([id]) => id)
    .sort((a, b) => a - b);
  if (eligible.length === 0) {
    throw new ConfigError(
      'minRatings',
      `a count some movie reaches (the most rated has ${Math.max(0, ...counts.values())})`,
      minRatings,
    );
  }
  const take = Math.max(1, Math.round(eligible.length * share));
  const held = new Set(new Rng(`new-movies:${options.seed ?? 42}`).shuffle([...eligible]).slice(0, take));

  const keep: number[] = [];
  const heldByUser = new Map<number, Set<number>>();
  for (let i = 0; i < ratings.length; i++) {
    const movie = ratings.movieIds[i]!;
    if (held.has(movie)) {
      const user = ratings.userIds[i]!;
      if (!heldByUser.has(user)) heldByUser.set(user, new Set());
      heldByUser.get(user)!.add(movie);
    } else keep.push(i);
  }
  const train: Dataset = { ...data, ratings: data.ratings.select(keep) };
  const histories = trainingHistories(train);
  const cases = [...heldByUser.entries()]
    .filter(([user]) => (histories.get(user)?.items.length ?? 0) > 0)
    .sort((a, b) => a[0] - b[0]);
  const newMovies = [...held].sort((a, b) => a - b);
  const allMovies = [...new Set([...data.movies.map((m) => m.id), ...counts.keys()])].sort((a, b) => a - b);
  const positionOf = new Map(allMovies.map((id, i) => [id, i]));

  const chance: Record<string, number> = { [`R@${k} new`]: 0, [`HR@${k} new`]: 0, [`R@${k} all`]: 0 };
  for (const [user, relevant] of cases) {
    const n = newMovies.length;
    const r = relevant.size;
    chance[`R@${k} new`]! += Math.min(k, n) / n;
    // P(at least one of r relevant among k drawn from n) = 1 − C(n−r, k) / C(n, k).
    let miss = 1;
    for (let j = 0; j < Math.min(k, n); j++) miss *= Math.max(0, n - r - j) / (n - j);
    chance[`HR@${k} new`]! += 1 - miss;
    const unseen = allMovies.length - histories.get(user)!.items.length;
    chance[`R@${k} all`]! += Math.min(k, unseen) / Math.max(1, unseen);
  }
  for (const key of Object.keys(chance)) chance[key]! /= Math.max(1, cases.length);

  const results: NewMoviesRow[] = [];
  for (const spec of models) {
    const start = performance.now();
    const scorer = await spec.create();
    try {
      await scorer.fit(train, options.fitOptions);
      const userHistories = cases.map(([user]) => histories.get(user)!);
      const sums: Record<string, number> = { [`R@${k} new`]: 0, [`HR@${k} new`]: 0, [`R@${k} all`]: 0 };
      const newScores = await scorer.score(userHistories, newMovies);
      const allScores = await scorer.score(userHistories, allMovies);
      cases.forEach(([, relevant], u) => {
        const rel = [...relevant];
        const rankedNew = Array.from(topK(newScores[u]!, k).indices, (i) => newMovies[i]!);
        sums[`R@${k} new`]! += recallAtK(rankedNew, rel, k);
        sums[`HR@${k} new`]! += hitRateAtK(rankedNew, rel, k);
        const exclude = userHistories[u]!.items.map((it) => positionOf.get(it.movieId)!);
        const rankedAll = Array.from(topK(allScores[u]!, k, { exclude }).indices, (i) => allMovies[i]!);
        sums[`R@${k} all`]! += recallAtK(rankedAll, rel, k);
      });
      for (const key of Object.keys(sums)) sums[key]! /= Math.max(1, cases.length);
      results.push({
        name: spec.name,
        kind: spec.kind,
        metrics: sums,
        seconds: (performance.now() - start) / 1000,
      });
    } finally {
      scorer.dispose();
    }
  }
  return {
    protocol: 'new-movies',
    movies: newMovies,
    ratingsRemoved: ratings.length - keep.length,
    users: cases.length,
    k,
    chance,
    results,
  };
}

/** Each user's training ratings in stable time order (`userTimelines`), with demographics. */
function trainingHistories(train: Dataset): Map<number, UserHistory> {
  const users = new Map(train.users.map(({ id, ...demographics }) => [id, demographics]));
  const out = new Map<number, UserHistory>();
  for (const [userId, rows] of userTimelines(train.ratings)) {
    const user = users.get(userId);
    out.set(userId, { userId, items: historyItems(train.ratings, rows), ...(user ? { user } : {}) });
  }
  return out;
}
