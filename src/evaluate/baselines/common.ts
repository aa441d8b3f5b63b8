/**
 * Shared plumbing of the baselines (internal, not part of the public API): per-user rating lists (CSR), fit
 * summaries, option checks. The movie catalog is `MovieIndex` of `src/data/catalog`.
 *
 * @module
 */
import type { MovieIndex } from '../../data/catalog';
import type { RatingScale, RatingTable } from '../../data/types';
import { ConfigError, StateError } from '../../errors';
import { distinctItemRows } from '../../model/item-item';
import type { FitSummary, UserHistory } from '../../recommend/types';

/**
 * Ratings grouped by user in compressed-sparse-row form: user `u`'s items are
 * `items[offsets[u] .. offsets[u+1]]` (movie indices), with their ratings. Rows keep the table's order.
 *
 * @example
 * ```ts
 * import { MovieIndex } from '../../data/catalog';
 * import { UserRatings } from './common';
 * declare const train: import('../../data/types').Dataset;
 * const byUser = UserRatings.build(train.ratings, MovieIndex.fromDataset(train));
 * console.log(byUser.userIds.length);
 * ```
 */
export class UserRatings {
  private constructor(
    /** Distinct user ids, ascending. */
    readonly userIds: Int32Array,
    readonly offsets: Int32Array,
    /** Movie indices (into the {@link MovieIndex}). */
    readonly items: Int32Array,
    readonly ratings: Float32Array,
    private readonly index: Map<number, number>,
  ) {}

  /** Groups `table`'s rows by user; every movie must be in `movies`. */
  static build(table: RatingTable, movies: MovieIndex): UserRatings {
    const index = new Map<number, number>();
    const distinct = [...new Set(table.userIds)].sort((a, b) => a - b);
    for (let i = 0; i < distinct.length; i++) index.set(distinct[i]!, i);
    const nUsers = distinct.length;
    const offsets = new Int32Array(nUsers + 1);
    for (let i = 0; i < table.length; i++) offsets[index.get(table.userIds[i]!)! + 1]!++;
    for (let u = 0; u < nUsers; u++) offsets[u + 1]! += offsets[u]!;
    const fill = offsets.slice(0, nUsers);
    const items = new Int32Array(table.length);
    const ratings = new Float32Array(table.length);
    for (let i = 0; i < table.length; i++) {
      const u = index.get(table.userIds[i]!)!;
      const pos = fill[u]!++;
      items[pos] = movies.indexOf(table.movieIds[i]!);
      ratings[pos] = table.ratings[i]!;
    }
    return new UserRatings(Int32Array.from(distinct), offsets, items, ratings, index);
  }

  /** Dense index of a user id, or -1 when the user has no row. */
  indexOf(userId: number): number {
    return this.index.get(userId) ?? -1;
  }
}

/**
 * Each user's distinct movie indices (the binary user–item matrix counts a pair once), as CSR arrays aligned
 * with `users.userIds`: in first-rated order, or ascending when `sorted`.
 *
 * @example
 * ```ts
 * import { distinctUserItems, type UserRatings } from './common';
 * declare const byUser: UserRatings;
 * const { offsets, items } = distinctUserItems(byUser, 1682, true);
 * ```
 */
export function distinctUserItems(
  users: UserRatings,
  M: number,
  sorted = false,
): { offsets: Int32Array; items: Int32Array } {
  return distinctItemRows(users, M, sorted);
}

/**
 * The rated, known items of a history: movie indices and ratings (items the catalog lacks, or without a rating
 * when `ratedOnly`, are left out). Repeated movies keep their last rating.
 *
 * @example
 * ```ts
 * import type { MovieIndex } from '../../data/catalog';
 * import { historyItems } from './common';
 * declare const movies: MovieIndex;
 * const { items, ratings } = historyItems({ items: [{ movieId: 1, rating: 4 }] }, movies, true);
 * ```
 */
export function historyItems(
  history: UserHistory,
  movies: MovieIndex,
  ratedOnly: boolean,
): { items: number[]; ratings: number[] } {
  const pos = new Map<number, number>();
  const items: number[] = [];
  const ratings: number[] = [];
  for (const h of history.items) {
    const idx = movies.indexOf(h.movieId);
    if (idx < 0) continue;
    const r = h.rating;
    if (ratedOnly && (r === undefined || !Number.isFinite(r))) continue;
    const at = pos.get(idx);
    if (at !== undefined) {
      ratings[at] = r ?? Number.NaN;
      continue;
    }
    pos.set(idx, items.length);
    items.push(idx);
    ratings.push(r ?? Number.NaN);
  }
  return { items, ratings };
}

/**
 * A {@link FitSummary} for a baseline.
 *
 * @example
 * ```ts
 * import { baselineSummary } from './common';
 * const summary = baselineSummary(performance.now(), []);
 * ```
 */
export function baselineSummary(
  startedAt: number,
  history: FitSummary['history'],
  aborted = false,
): FitSummary {
  return {
    epochs: history.length,
    bestEpoch: history.length,
    history,
    aborted,
    seconds: (performance.now() - startedAt) / 1000,
  };
}

/**
 * Throws a {@link StateError} when a baseline is used before `fit` (or after `dispose`).
 *
 * @example
 * ```ts
 * import { requireFitted } from './common';
 * const state = requireFitted({ ready: true }, 'popularity');
 * ```
 */
export function requireFitted<T>(state: T | null, name: string): T {
  if (state === null)
    throw new StateError(`${name}: score() and predictRatings() need a fitted model: call fit() first`);
  return state;
}

/**
 * Clamps a predicted rating to the scale.
 *
 * @example
 * ```ts
 * import { clampRating } from './common';
 * clampRating(5.7, { min: 1, max: 5, step: 1 }); // 5
 * ```
 */
export function clampRating(x: number, scale: RatingScale): number {
  return Math.min(Math.max(x, scale.min), scale.max);
}

/**
 * Checks a numeric option: `integer` demands an integer; `min` is inclusive unless `exclusiveMin`.
 *
 * @example
 * ```ts
 * import { checkNumber } from './common';
 * const factors = checkNumber('factors', 50, { integer: true, min: 1 });
 * ```
 */
export function checkNumber(
  option: string,
  value: number,
  rule: { integer?: boolean; min?: number; exclusiveMin?: boolean; max?: number },
): number {
  const okInt = !rule.integer || Number.isInteger(value);
  const okMin = rule.min === undefined || (rule.exclusiveMin ? value > rule.min : value >= rule.min);
  const okMax = rule.max === undefined || value <= rule.max;
  if (typeof value !== 'number' || !Number.isFinite(value) || !okInt || !okMin || !okMax) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const lo = rule.min === undefined ? '' : ` ${rule.exclusiveMin ? '>' : '≥'} ${rule.min}`;
    const hi = rule.max === undefined ? '' : `${lo ? ' and' : ''} ≤ ${rule.max}`;
    throw new ConfigError(option, `${kind}${lo}${hi}`, value);
  }
  return value;
}

/**
 * The mean rating of a table (`NaN` when empty).
 *
 * @example
 * ```ts
 * import { RatingTable } from '../../data/types';
 * import { meanRating } from './common';
 * meanRating(RatingTable.from([{ userId: 1, movieId: 1, rating: 4, timestamp: 0 }])); // 4
 * ```
 */
export function meanRating(table: RatingTable): number {
  let s = 0;
  for (let i = 0; i < table.length; i++) s += table.ratings[i]!;
  return table.length > 0 ? s / table.length : Number.NaN;
}

/**
 * The value a rating model falls back to when it knows nothing: the training mean, or the middle of the
 * scale when there is no training rating.
 *
 * @example
 * ```ts
 * import { fallbackRating } from './common';
 * fallbackRating(Number.NaN, { min: 1, max: 5, step: 1 }); // 3
 * ```
 */
export function fallbackRating(mean: number, scale: RatingScale): number {
  return Number.isFinite(mean) ? mean : (scale.min + scale.max) / 2;
}

/**
 * Throws a {@link ConfigError} when the `i`-th movie-id list of `predictRatings` is missing.
 *
 * @example
 * ```ts
 * import { checkPredictArgs } from './common';
 * checkPredictArgs([{ items: [] }], [[1, 2]]);
 * ```
 */
export function checkPredictArgs(
  histories: readonly UserHistory[],
  movieIds: readonly (readonly number[])[],
): void {
  if (histories.length !== movieIds.length) {
    throw new ConfigError(
      'movieIds',
      `one list of movie ids per history (${histories.length})`,
      `${movieIds.length} lists`,
    );
  }
}
