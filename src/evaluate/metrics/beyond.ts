/**
 * Beyond-accuracy metrics of recommendation lists: catalog coverage, intra-list diversity and novelty.
 *
 * @module
 */

import type { RatingTable } from '../../data/types';
import { ConfigError } from '../../errors';

/**
 * Catalog coverage: the share of the catalog that appears in at least one list,
 * |⋃ lists| / `catalogSize`. Ids outside the catalog still count, so pass lists drawn from the catalog.
 *
 * @param lists one recommendation list (ids) per user.
 * @param catalogSize number of movies that could have been recommended; a positive integer.
 * @throws {ConfigError} when `catalogSize` is not a positive integer.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.catalogCoverage([[1, 2], [2, 3]], 10); // |{1, 2, 3}| / 10 = 0.3
 * ```
 */
export function catalogCoverage(lists: Iterable<ArrayLike<number>>, catalogSize: number): number {
  if (!Number.isInteger(catalogSize) || catalogSize < 1) {
    throw new ConfigError('catalogSize', 'a positive integer', catalogSize);
  }
  const seen = new Set<number>();
  for (const list of lists) for (let i = 0; i < list.length; i++) seen.add(list[i]!);
  return seen.size / catalogSize;
}

/** Genres of a movie: a function of its id or a map from id. A movie without an entry has no genre. */
export type GenreLookup =
  | ((movieId: number) => readonly string[] | undefined)
  | ReadonlyMap<number, readonly string[]>;

/**
 * Intra-list diversity: the mean, over all unordered pairs of the list, of the genre distance
 * **1 − Jaccard(genres(a), genres(b))** = 1 − |A ∩ B| / |A ∪ B|. Two movies that both lack genres are
 * identical (distance 0); one with genres and one without are at distance 1. A list of fewer than two movies
 * has no pair and scores 0.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * const genres = new Map([[1, ['Comedy']], [2, ['Comedy', 'Drama']], [3, ['Horror']]]);
 * // pairs: (1,2) 1 − 1/2 = 0.5; (1,3) 1; (2,3) 1 → (0.5 + 1 + 1) / 3 ≈ 0.833
 * metrics.intraListDiversity([1, 2, 3], genres);
 * ```
 */
export function intraListDiversity(list: ArrayLike<number>, genresOf: GenreLookup): number {
  const n = list.length;
  if (n < 2) return 0;
  const lookup =
    typeof genresOf === 'function'
      ? genresOf
      : (id: number) => (genresOf as ReadonlyMap<number, readonly string[]>).get(id);
  const sets: Array<ReadonlySet<string>> = [];
  for (let i = 0; i < n; i++) sets.push(new Set(lookup(list[i]!) ?? []));
  let total = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) total += 1 - jaccard(sets[a]!, sets[b]!);
  }
  return total / ((n * (n - 1)) / 2);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const g of a) if (b.has(g)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * How many users rated each movie, and out of how many users: the popularity that
 * {@link metrics | metrics.novelty} reads. Build it from the training ratings with
 * {@link metrics | metrics.popularityCounts}.
 */
export interface PopularityCounts {
  /** Distinct users who rated each movie; a missing movie has 0. */
  counts: ReadonlyMap<number, number>;
  /** Number of distinct users. */
  users: number;
}

/**
 * Popularity of every movie in a rating table: the number of distinct users who rated it, and the number of
 * distinct users in the table.
 *
 * @example
 * ```ts
 * import { RatingTable, metrics } from 'reelrec';
 * const train = RatingTable.from([
 *   { userId: 1, movieId: 10, rating: 4, timestamp: 1 },
 *   { userId: 2, movieId: 10, rating: 3, timestamp: 2 },
 * ]);
 * const pop = metrics.popularityCounts(train); // counts: 10 → 2, users: 2
 * ```
 */
export function popularityCounts(table: RatingTable): PopularityCounts {
  const pairs = new Map<number, Set<number>>();
  const users = new Set<number>();
  for (let i = 0; i < table.length; i++) {
    const m = table.movieIds[i]!;
    const u = table.userIds[i]!;
    users.add(u);
    let s = pairs.get(m);
    if (!s) {
      s = new Set();
      pairs.set(m, s);
    }
    s.add(u);
  }
  const counts = new Map<number, number>();
  for (const [m, s] of pairs) counts.set(m, s.size);
  return { counts, users: users.size };
}

/**
 * Novelty: the mean over the list of −log2(share of users who rated the movie), share = count / users.
 * **Zero counts:** a movie nobody rated (or that is missing from `counts`) is counted as rated by one user, so
 * its novelty is log2(users), the largest finite value, instead of infinity. An empty list scores 0.
 *
 * @throws {ConfigError} when `popularity.users` is not a positive integer.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * const pop = { counts: new Map([[1, 4], [2, 1]]), users: 8 };
 * // −log2(4/8) = 1, −log2(1/8) = 3, movie 3 unseen → −log2(1/8) = 3: (1 + 3 + 3) / 3 ≈ 2.333
 * metrics.novelty([1, 2, 3], pop);
 * ```
 */
export function novelty(list: ArrayLike<number>, popularity: PopularityCounts): number {
  const users = popularity.users;
  if (!Number.isInteger(users) || users < 1)
    throw new ConfigError('popularity.users', 'a positive integer', users);
  const n = list.length;
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.max(1, popularity.counts.get(list[i]!) ?? 0);
    total -= Math.log2(c / users);
  }
  return total / n;
}
