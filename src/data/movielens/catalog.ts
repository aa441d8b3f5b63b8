/**
 * Movies and users by id, and the small parsers of their fields (years, genre lists) that several formats share.
 *
 * @module
 */
import type { Movie } from '../types';
import { describeValue, type RecordReader } from './records';

/**
 * Entries by id, keeping the first of a repeated id (a later one is rejected as `duplicate-id`).
 *
 * @example
 * ```ts
 * const movies = new IdCatalog<Movie>('movie');
 * movies.add(reader, 0, { id: 1, title: 'Toy Story (1995)', year: 1995, genres: [] });
 * movies.byId.has(1); // true
 * ```
 */
export class IdCatalog<T extends { id: number }> {
  readonly byId = new Map<number, T>();
  private readonly lines = new Map<number, number>();

  /** @param what the kind of entry, for messages (`'movie'`, `'user'`). */
  constructor(private readonly what: string) {}

  /** Adds the entry of the reader's current record; `column` is the id's column. */
  add(r: RecordReader, column: number, entry: T): void {
    const first = this.lines.get(entry.id);
    if (first !== undefined) {
      r.reject(
        'duplicate-id',
        column,
        `a ${this.what} id not listed before`,
        `${entry.id}, already listed on line ${first}`,
      );
    }
    this.byId.set(entry.id, entry);
    this.lines.set(entry.id, r.line);
  }

  /**
   * The entry with the id in the reader's current record (a tag, a link, an IMDb entry); rejects the record
   * when there is none (`dangling-movie` or `dangling-user`).
   */
  lookup(r: RecordReader, column: number | string, id: number, listedIn: string): T {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      r.reject(`dangling-${this.what}`, column, `a ${this.what} id listed in ${listedIn}`, String(id));
    }
    return entry;
  }

  /** The entries, by ascending id. */
  sorted(): T[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}

const TITLE_YEAR = /\((\d{4})(?:[-–]\d{0,4})?\)\s*$/;

/**
 * The year in parentheses at the end of a MovieLens title (`Toy Story (1995)`, also `(2008-2010)` for a series),
 * or `null`.
 *
 * @example
 * ```ts
 * titleYear('Toy Story (1995)'); // 1995
 * titleYear('unknown'); // null
 * ```
 */
export function titleYear(title: string): number | null {
  const match = TITLE_YEAR.exec(title);
  return match ? Number(match[1]) : null;
}

const RELEASE_DATE = /^(\d{1,2})-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d{4})$/;

/**
 * The year of an ML-100k release date (`01-Jan-1995`; the day may have one digit), or `null` when the text is
 * not such a date.
 *
 * @example
 * ```ts
 * releaseDateYear('4-Feb-1971'); // 1971
 * releaseDateYear('1995-01-01'); // null
 * ```
 */
export function releaseDateYear(date: string): number | null {
  const match = RELEASE_DATE.exec(date);
  return match && Number(match[1]) >= 1 && Number(match[1]) <= 31 ? Number(match[3]) : null;
}

/**
 * The genres of a `|`-separated list (ML-1M, ml-latest). An empty field, or `none` (ml-latest's
 * `(no genres listed)`), means no genres. Empty or repeated names flag the record (`genre-list`) and are left out.
 *
 * @example
 * ```ts
 * splitGenres(reader, 2, 'Adventure|Animation|Children', '(no genres listed)'); // ['Adventure', 'Animation', 'Children']
 * ```
 */
export function splitGenres(r: RecordReader, column: number, text: string, none?: string): string[] {
  if (text === '' || text === none) return [];
  const names = text.split('|');
  const distinct = [...new Set(names)].filter((name) => name !== '');
  if (distinct.length !== names.length) {
    r.flag('genre-list', column, 'distinct, non-empty genre names separated by "|"', describeValue(text));
  }
  return distinct;
}

/**
 * The genre vocabulary of movies whose genres are names (ML-1M, ml-latest): the distinct names, sorted, which is
 * the order of the ML-1M README. Sorts each movie's genres in the same order.
 *
 * @example
 * ```ts
 * const movies = [{ id: 1, title: 'X', year: null, genres: ['Drama', 'Comedy'] }];
 * genreVocabulary(movies); // ['Comedy', 'Drama']; movies[0].genres is now ['Comedy', 'Drama']
 * ```
 */
export function genreVocabulary(movies: Iterable<Movie>): string[] {
  const names = new Set<string>();
  for (const movie of movies) {
    movie.genres.sort();
    for (const genre of movie.genres) names.add(genre);
  }
  return [...names].sort();
}
