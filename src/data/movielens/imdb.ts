/**
 * The IMDb details of ML-100k movies (`movielens100k_details.json` from the public movielens-details scrape):
 * plot, directors, writers and cast, joined onto the movies by `movie_id`.
 *
 * @module
 */
import type { Movie } from '../types';
import type { IdCatalog } from './catalog';
import { describeValue, type FileTally, numberOrNaN, type RecordHandler, RecordReader } from './records';

/**
 * The IMDb details file the loaders look for, in the data directory or in `<dir>-imdb-details/` beside it.
 *
 * @example
 * ```ts
 * import { IMDB_DETAILS_FILE, parseMovieLens } from 'reelrec';
 * declare const files: Record<string, Uint8Array>;
 * const withDetails = IMDB_DETAILS_FILE in files; // joined by parseMovieLens when present
 * ```
 */
export const IMDB_DETAILS_FILE = 'movielens100k_details.json';

/**
 * Largest difference in years between an IMDb entry and its movie that still counts as the same film (release
 * dates differ by country and festival).
 *
 * @example
 * ```ts
 * import { IMDB_YEAR_TOLERANCE } from 'reelrec';
 * const sameFilm = (imdbYear: number, movieYear: number) => Math.abs(imdbYear - movieYear) <= IMDB_YEAR_TOLERANCE;
 * ```
 */
export const IMDB_YEAR_TOLERANCE = 1;

/** How IMDb starts its text for a title without a plot summary. */
const PLACEHOLDER_PLOT = "It looks like we don't have any Plot Summaries";
const COLUMNS = ['movie_id', 'description', 'director', 'writer', 'cast', 'year'] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Joins IMDb details onto movies: `description` → `Movie.plot`, `director` → `directors`, `writer` →
 * `writers`, `cast` → `cast`. Nothing else is used: **the file's genre fields are wrong** (genres come from the
 * data set), and its ratings, posters and lengths are not part of a `Movie`.
 *
 * Each array entry is one record of the report, counted as:
 * - **accepted**: joined in full.
 * - **flagged**: kept apart from what is suspicious, which is *not* joined:
 *   - `imdb-year-invalid`: its `year` is not a number (`null`, `"TV Movie"`, `"Episode aired …"`): likely the
 *     wrong IMDb title; nothing is joined.
 *   - `imdb-year-mismatch`: its year differs from the movie's by more than {@link IMDB_YEAR_TOLERANCE}: likely
 *     another film of the same name; nothing is joined.
 *   - `imdb-year-unverifiable`: the movie has no year to compare with; nothing is joined.
 *   - `imdb-placeholder-plot`: the description is IMDb's "no plot summary yet" text; the people are joined,
 *     the plot is not.
 * - **skipped** (strict mode: thrown): `imdb-malformed` (not an object; `description` not a string; `director`,
 *   `writer` or `cast` not an array of strings), `invalid-id`, `dangling-movie` (no such movie in the data set),
 *   `duplicate-id` (a second entry for a movie; the first wins).
 *
 * A `year` given as a four-digit string (`"1995"`) is a number. Blank names are left out of the lists.
 *
 * @throws {@link DataFormatError} `invalid-json` (both modes) when the text is not a JSON array.
 * @example
 * ```ts
 * const tally = collector.file('movielens100k_details.json', 'utf-8');
 * joinImdbDetails(text, tally, movies, 'u.item');
 * console.log(tally.report.accepted, tally.report.flagged, tally.report.skipped);
 * ```
 */
export function joinImdbDetails(
  text: string,
  tally: FileTally,
  movies: IdCatalog<Movie>,
  movieFile: string,
): void {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (err) {
    tally.fail('invalid-json', { line: 0, field: '*', expected: 'JSON', found: (err as Error).message });
  }
  if (!Array.isArray(entries)) {
    tally.fail('invalid-json', {
      line: 0,
      field: '*',
      expected: 'a JSON array of movie objects',
      found: entries === null ? 'null' : typeof entries,
    });
  }
  const lines = elementLines(text);
  const seen = new Set<number>();
  const handle: RecordHandler<unknown> = (r, entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      r.reject('imdb-malformed', '*', 'an object', describeValue(entry));
    }
    const fields = entry as Partial<Record<Column, unknown>>;
    const id = r.id(0, numberOrNaN(fields.movie_id), fields.movie_id);
    const movie = movies.lookup(r, 0, id, movieFile);
    const plot = textField(r, fields, 'description');
    const directors = namesField(r, fields, 'director');
    const writers = namesField(r, fields, 'writer');
    const cast = namesField(r, fields, 'cast');
    if (seen.has(id)) r.reject('duplicate-id', 0, 'one entry per movie', String(id));
    seen.add(id);

    const year = imdbYear(fields.year);
    if (year === null) {
      r.flag('imdb-year-invalid', 'year', 'a year', describeValue(fields.year));
    } else if (movie.year === null) {
      r.flag('imdb-year-unverifiable', 'year', `a movie with a year in ${movieFile}`, `movie ${id} has none`);
    } else if (Math.abs(year - movie.year) > IMDB_YEAR_TOLERANCE) {
      r.flag(
        'imdb-year-mismatch',
        'year',
        `${movie.year} ± ${IMDB_YEAR_TOLERANCE} (movie ${id})`,
        String(year),
      );
    } else {
      Object.assign(movie, { directors, writers, cast });
      if (plot?.startsWith(PLACEHOLDER_PLOT)) {
        r.flag('imdb-placeholder-plot', 'description', 'a plot summary', describeValue(plot));
      } else if (plot) {
        movie.plot = plot;
      }
    }
  };
  const reader = new RecordReader(tally, COLUMNS);
  for (let i = 0; i < entries.length; i++) reader.read(lines[i] ?? 0, entries[i], handle);
}

/** The year of an entry: a finite integer, or a four-digit string; `null` otherwise. */
function imdbYear(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^\d{4}$/.test(value.trim())) return Number(value);
  return null;
}

function textField(
  r: RecordReader,
  entry: Partial<Record<Column, unknown>>,
  column: Column,
): string | undefined {
  const value = entry[column];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') r.reject('imdb-malformed', column, 'a string', describeValue(value));
  return value.trim() || undefined;
}

function namesField(r: RecordReader, entry: Partial<Record<Column, unknown>>, column: Column): string[] {
  const value = entry[column];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    r.reject('imdb-malformed', column, 'an array of names', describeValue(value));
  }
  return (value as string[]).map((name) => name.trim()).filter((name) => name !== '');
}

/**
 * The 1-based line on which each element of a top-level JSON array starts (for messages), by one scan that
 * tracks strings and nesting.
 */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let awaitingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (awaitingElement && c !== ']') {
      lines.push(line);
      awaitingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') awaitingElement = ++depth === 1;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) awaitingElement = true;
  }
  return lines;
}
