/**
 * The rating checks every rating source shares: ids, scale, timestamp, dangling ids, duplicate pairs.
 *
 * @module
 */
import { type RatingScale, type RatingTable, RatingTableBuilder } from '../types';
import { parseDecimal, parseInteger, type RecordHandler, type RecordReader } from './records';
import type { LineFileSpec } from './session';

/**
 * Whole stars 1–5: the scale of ML-100k and ML-1M, and `createDataset`'s default.
 *
 * @example
 * ```ts
 * import { WHOLE_STARS, createDataset } from 'reelrec';
 * const data = createDataset({ ratings: [{ userId: 1, movieId: 1, rating: 4, timestamp: 0 }], ratingScale: WHOLE_STARS });
 * ```
 */
export const WHOLE_STARS: Readonly<RatingScale> = Object.freeze({ min: 1, max: 5, step: 1 });
/**
 * Half stars 0.5–5: the scale of the ml-latest family.
 *
 * @example
 * ```ts
 * import { HALF_STARS, createDataset } from 'reelrec';
 * const data = createDataset({ ratings: [{ userId: 1, movieId: 1, rating: 3.5, timestamp: 0 }], ratingScale: HALF_STARS });
 * ```
 */
export const HALF_STARS: Readonly<RatingScale> = Object.freeze({ min: 0.5, max: 5, step: 0.5 });

/** Where ratings' ids must be listed to count as known. */
export interface KnownIds {
  /** The ids, e.g. a catalog's map. */
  ids: { has(id: number): boolean };
  /** The file (or label) that lists them, for messages. */
  file: string;
}

/**
 * Validates ratings and collects them into a {@link RatingTable}. The reader's first four columns are user id,
 * movie id, rating and timestamp.
 *
 * Each rating is checked as it arrives: ids (`invalid-id`), the scale (`rating-not-number`, `rating-range`,
 * `rating-step`), the time (`invalid-timestamp`, `timestamp-range`), a movie not in the movie list
 * (`dangling-movie`) and, when a user list exists, a user not in it (`dangling-user`). Repeated (user, movie)
 * pairs are found by {@link finish} after the last rating, in one linear pass (a counting sort by user), which
 * keeps memory at a few bytes a rating even for ML-25M: the first rating of a pair is kept, later ones are
 * `duplicate-rating`.
 *
 * @example
 * ```ts
 * const collector = new RatingCollector(WHOLE_STARS, { ids: movies.byId, file: 'u.item' }, null);
 * reader.read(1, ['196', '242', '3', '881250949'], (r, f) =>
 *   collector.add(r, parseInteger(f[0]!), parseInteger(f[1]!), parseDecimal(f[2]!), parseInteger(f[3]!), f),
 * );
 * collector.finish(reader);
 * const table = collector.result();
 * ```
 */
export class RatingCollector {
  private readonly builder = new RatingTableBuilder();
  /** The line of each kept rating, for messages about duplicates. */
  private lines = new Int32Array(1024);
  private table: RatingTable | null = null;

  constructor(
    readonly scale: Readonly<RatingScale>,
    private readonly movies: KnownIds | null,
    private readonly users: KnownIds | null,
  ) {}

  /**
   * Checks one rating and keeps it. Values are parsed numbers (`NaN` when unparsable); `raw` holds what the
   * source had (e.g. the text fields), shown when a check fails; without it the values are shown.
   */
  add(
    r: RecordReader,
    userId: number,
    movieId: number,
    rating: number,
    timestamp: number,
    raw?: ArrayLike<unknown>,
  ): void {
    r.id(0, userId, raw ? raw[0] : userId);
    r.id(1, movieId, raw ? raw[1] : movieId);
    r.rating(2, rating, raw ? raw[2] : rating, this.scale);
    r.timestamp(3, timestamp, raw ? raw[3] : timestamp);
    if (this.movies && !this.movies.ids.has(movieId)) {
      r.reject('dangling-movie', 1, `a movie id listed in ${this.movies.file}`, String(movieId));
    }
    if (this.users && !this.users.ids.has(userId)) {
      r.reject('dangling-user', 0, `a user id listed in ${this.users.file}`, String(userId));
    }
    const row = this.builder.length;
    if (row === this.lines.length) {
      const grown = new Int32Array(row * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[row] = r.line;
    this.builder.push(userId, movieId, rating, timestamp);
  }

  /** After the last rating: removes repeated (user, movie) pairs (strict mode: throws at the first). */
  finish(r: RecordReader): void {
    const table = this.builder.build();
    this.table = table;
    const repeats = repeatedPairs(table.userIds, table.movieIds);
    if (repeats.length === 0) return;
    const drop = new Uint8Array(table.length);
    const movieColumn = r.columns[1];
    for (const [row, first] of repeats) {
      drop[row] = 1;
      r.tally.retract('duplicate-rating', {
        line: this.lines[row]!,
        field: movieColumn ?? '*',
        expected: 'one rating per (user, movie) pair',
        found: `user ${table.userIds[row]} rated movie ${table.movieIds[row]} again (first on line ${this.lines[first]})`,
      });
    }
    this.table = table.filter((row) => drop[row] === 0);
  }

  /** The ratings kept, once {@link finish} has run. */
  result(): RatingTable {
    if (!this.table) throw new Error('RatingCollector.result() before finish()');
    return this.table;
  }
}

/**
 * Rows that repeat an earlier (user, movie) pair, as `[row, firstRow]`, in file order. Linear: rows are grouped
 * by user with a stable counting sort, then a movie → row map finds repeats within each user's group.
 */
function repeatedPairs(userIds: Int32Array, movieIds: Int32Array): Array<[number, number]> {
  const n = userIds.length;
  const userIndex = new Map<number, number>();
  const dense = new Int32Array(n);
  let lastUser = Number.NaN;
  let lastDense = -1;
  for (let i = 0; i < n; i++) {
    const u = userIds[i]!;
    if (u !== lastUser) {
      let d = userIndex.get(u);
      if (d === undefined) {
        d = userIndex.size;
        userIndex.set(u, d);
      }
      lastUser = u;
      lastDense = d;
    }
    dense[i] = lastDense;
  }
  const next = new Int32Array(userIndex.size + 1);
  for (let i = 0; i < n; i++) next[dense[i]! + 1]++;
  for (let d = 1; d < next.length; d++) next[d] += next[d - 1]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[dense[i]!]++] = i;

  const firstRow = new Map<number, number>();
  const repeats: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const row = order[k]!;
    const movie = movieIds[row]!;
    const first = firstRow.get(movie);
    if (first !== undefined && dense[first] === dense[row]) repeats.push([row, first]);
    else firstRow.set(movie, row);
  }
  return repeats.sort((a, b) => a[0] - b[0]);
}

/**
 * The handler of a rating file's lines: fields user id, movie id, rating, timestamp, in that order (every
 * MovieLens rating file).
 *
 * @example
 * ```ts
 * const sink = new DelimitedRecords(reader, '\t', ratingFields(collector));
 * ```
 */
export function ratingFields(collector: RatingCollector): RecordHandler<string[]> {
  return (r, f) =>
    collector.add(r, parseInteger(f[0]!), parseInteger(f[1]!), parseDecimal(f[2]!), parseInteger(f[3]!), f);
}

/**
 * How a rating file is read: required, with these column names, and the duplicate pass of `collector` at its end.
 *
 * @example
 * ```ts
 * yield s.delimited('u.data', '\t', ratingFile(collector, ['user id', 'item id', 'rating', 'timestamp']), ratingFields(collector));
 * ```
 */
export function ratingFile(collector: RatingCollector, columns: readonly string[]): LineFileSpec {
  return { required: true, columns, finish: (r) => collector.finish(r) };
}
