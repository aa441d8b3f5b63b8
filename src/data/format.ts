/**
 * Writers for the MovieLens 100K file formats (`u.data`, `u.item`, `u.user`, `u.genre`, `u.occupation`,
 * `u.info`) and for the IMDb details JSON that accompanies ML-100k in this project's data folder.
 *
 * The functions return plain strings and touch no file system, so they run in Node and in browsers alike;
 * the caller writes them to disk. ML-100k files are Latin-1: a caller writing them should encode with
 * `'latin1'`, and a data set whose text holds characters above U+00FF cannot be written faithfully that way
 * (write such a data set as UTF-8 and read it back with a UTF-8 loader).
 *
 * @module
 */
import { DataFormatError } from '../errors';
import type { Dataset, Movie } from './types';

/**
 * The 19 genres of ML-100k, in the order of its `u.genre` file (the order of the genre flags in `u.item`).
 *
 * @example
 * ```ts
 * import { ML100K_GENRES } from 'reelrec';
 * console.log(ML100K_GENRES.indexOf('Drama')); // 8
 * ```
 */
export const ML100K_GENRES: readonly string[] = Object.freeze([
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
]);

/**
 * The 21 occupations of ML-100k, in the (alphabetical) order of its `u.occupation` file.
 *
 * @example
 * ```ts
 * import { ML100K_OCCUPATIONS } from 'reelrec';
 * console.log(ML100K_OCCUPATIONS.length); // 21
 * ```
 */
export const ML100K_OCCUPATIONS: readonly string[] = Object.freeze([
  'administrator',
  'artist',
  'doctor',
  'educator',
  'engineer',
  'entertainment',
  'executive',
  'healthcare',
  'homemaker',
  'lawyer',
  'librarian',
  'marketing',
  'none',
  'other',
  'programmer',
  'retired',
  'salesman',
  'scientist',
  'student',
  'technician',
  'writer',
]);

/**
 * The contents of the six ML-100k files written by {@link formatMovieLens100k}, keyed by file name.
 *
 * @example
 * ```ts
 * import { formatMovieLens100k, generateSyntheticCatalog, type MovieLens100kFiles } from 'reelrec';
 * const files: MovieLens100kFiles = formatMovieLens100k(generateSyntheticCatalog());
 * console.log(files['u.info']); // 500 users / 693 items / 30000 ratings, one a line
 * ```
 */
export type MovieLens100kFiles = Record<
  'u.data' | 'u.item' | 'u.user' | 'u.genre' | 'u.occupation' | 'u.info',
  string
>;

/**
 * Formats a data set as the six files of ML-100k, byte for byte in their formats (every file ends with a line
 * break; `u.genre` ends with an extra empty line, as the original does):
 *
 * - `u.data`: `user \t movie \t rating \t timestamp`, one line a rating, in table order. Ratings print as
 *   JavaScript numbers (`4`, `3.5`).
 * - `u.item`: 24 `|`-separated fields: id, title, release date, video release date (always empty), IMDb URL, then
 *   one `0`/`1` flag per genre of `dataset.genres` (19 for ML-100k). The release date is `movie.releaseDate`,
 *   else `01-Jan-<year>` when the year is known (as ML-100k writes most dates), else empty. A missing IMDb URL
 *   is written empty.
 * - `u.user`: `id|age|gender|occupation|zip`; a `null` field is written empty.
 * - `u.genre`: `name|index` lines in `dataset.genres` order, then an empty line.
 * - `u.occupation`: the 21 ML-100k occupations plus any other occupation the users have, sorted by code unit
 *   (for ML-100k data, exactly the original file).
 * - `u.info`: `<n> users`, `<n> items`, `<n> ratings`.
 *
 * @throws {DataFormatError} when a value cannot be written in the format: a text field holding the field
 *   separator or a line break (`separator-in-field`), a movie genre missing from `dataset.genres`
 *   (`unknown-genre`), or a rating, id or timestamp that is not a finite number (`not-a-number`). The error
 *   names the output file, its 1-based line and the field.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { formatMovieLens100k, generateSyntheticCatalog } from 'reelrec';
 * const files = formatMovieLens100k(generateSyntheticCatalog({ seed: 7 }));
 * for (const [name, text] of Object.entries(files)) writeFileSync(`./out/${name}`, text, 'latin1');
 * ```
 */
export function formatMovieLens100k(dataset: Dataset): MovieLens100kFiles {
  return {
    'u.data': formatRatings(dataset),
    'u.item': formatItems(dataset),
    'u.user': formatUsers(dataset),
    'u.genre': formatGenres(dataset.genres),
    'u.occupation': formatOccupations(dataset),
    'u.info': `${dataset.users.length} users\n${dataset.movies.length} items\n${dataset.ratings.length} ratings\n`,
  };
}

/**
 * One entry of the IMDb details file as {@link formatImdbDetails} writes it: the fields of
 * `movielens100k_details.json` that a data set can fill. The title is written twice, as `movie_title` (the key
 * of the original file) and as `title`.
 *
 * @example
 * ```ts
 * import { formatImdbDetails, generateSyntheticCatalog, type ImdbDetailsEntry } from 'reelrec';
 * const entries = JSON.parse(formatImdbDetails(generateSyntheticCatalog())) as ImdbDetailsEntry[];
 * console.log(entries[0]!.movie_id, entries[0]!.director); // 1 [ '…' ]
 * ```
 */
export interface ImdbDetailsEntry {
  /** The movie's id in the data set (`Movie.id`). */
  movie_id: number;
  /** The movie's title (`Movie.title`), under the original file's key. */
  movie_title: string;
  /** The movie's title again (`Movie.title`). */
  title: string;
  /** Genre indices into the data set's genre list (the original file's are unreliable; these are not). */
  movie_genres: number[];
  /** Genre names (`Movie.genres`). */
  genre: string[];
  /** The plot (`Movie.plot`), or `""`. */
  description: string;
  /** Director names (`Movie.directors`), or `[]`. */
  director: string[];
  /** Writer names (`Movie.writers`), or `[]`. */
  writer: string[];
  /** Cast names (`Movie.cast`), or `[]`. */
  cast: string[];
  /** Release year (`Movie.year`), or `null`. */
  year: number | null;
}

/**
 * Formats the content of a data set's movies (plot, directors, writers, cast) as a JSON array in the shape of
 * `movielens100k_details.json` (see {@link ImdbDetailsEntry}), indented by two spaces and ending with a line
 * break. Only movies that have content (a plot, directors, writers or cast) get an entry, in `dataset.movies`
 * order; a missing part is written as `""` or `[]`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { formatImdbDetails, generateSyntheticCatalog } from 'reelrec';
 * const json = formatImdbDetails(generateSyntheticCatalog({ seed: 7 }));
 * writeFileSync('./out/movielens100k_details.json', json, 'utf8');
 * ```
 */
export function formatImdbDetails(dataset: Dataset): string {
  const genreIndex = new Map(dataset.genres.map((g, i) => [g, i]));
  const entries: ImdbDetailsEntry[] = [];
  for (const m of dataset.movies) {
    if (!hasContent(m)) continue;
    entries.push({
      movie_id: m.id,
      movie_title: m.title,
      title: m.title,
      movie_genres: m.genres.map((g) => genreIndex.get(g) ?? -1).filter((i) => i >= 0),
      genre: [...m.genres],
      description: m.plot ?? '',
      director: [...(m.directors ?? [])],
      writer: [...(m.writers ?? [])],
      cast: [...(m.cast ?? [])],
      year: m.year,
    });
  }
  return `${JSON.stringify(entries, null, 2)}\n`;
}

function hasContent(m: Movie): boolean {
  return m.plot !== undefined || m.directors !== undefined || m.writers !== undefined || m.cast !== undefined;
}

function formatRatings(dataset: Dataset): string {
  const { userIds, movieIds, ratings, timestamps } = dataset.ratings;
  const n = dataset.ratings.length;
  // Build in chunks: one string per 4096 lines keeps the join cheap for millions of ratings.
  const chunks: string[] = [];
  let lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const rating = ratings[i]!;
    const time = timestamps[i]!;
    if (!Number.isFinite(rating)) notNumber('u.data', i + 1, 'rating', rating);
    if (!Number.isFinite(time)) notNumber('u.data', i + 1, 'timestamp', time);
    lines.push(`${userIds[i]}\t${movieIds[i]}\t${rating}\t${time}\n`);
    if (lines.length === 4096) {
      chunks.push(lines.join(''));
      lines = [];
    }
  }
  chunks.push(lines.join(''));
  return chunks.join('');
}

function formatItems(dataset: Dataset): string {
  const genres = dataset.genres;
  const genreIndex = new Map(genres.map((g, i) => [g, i]));
  const out: string[] = [];
  dataset.movies.forEach((m, k) => {
    const line = k + 1;
    if (!Number.isFinite(m.id)) notNumber('u.item', line, 'movie id', m.id);
    const flags = new Array<string>(genres.length).fill('0');
    for (const g of m.genres) {
      const gi = genreIndex.get(g);
      if (gi === undefined) {
        throw new DataFormatError('unknown-genre', {
          file: 'u.item',
          line,
          field: 'genres',
          expected: `one of the data set's genres (${genres.join(', ')})`,
          found: g,
        });
      }
      flags[gi] = '1';
    }
    const date = m.releaseDate ?? (m.year !== null ? `01-Jan-${m.year}` : '');
    const fields = [
      String(m.id),
      text('u.item', line, 'title', m.title, '|'),
      text('u.item', line, 'release date', date, '|'),
      '',
      text('u.item', line, 'IMDb URL', m.imdbUrl ?? '', '|'),
      ...flags,
    ];
    out.push(`${fields.join('|')}\n`);
  });
  return out.join('');
}

function formatUsers(dataset: Dataset): string {
  const out: string[] = [];
  dataset.users.forEach((u, k) => {
    const line = k + 1;
    if (!Number.isFinite(u.id)) notNumber('u.user', line, 'user id', u.id);
    const fields = [
      String(u.id),
      u.age === null ? '' : String(u.age),
      text('u.user', line, 'gender', u.gender ?? '', '|'),
      text('u.user', line, 'occupation', u.occupation ?? '', '|'),
      text('u.user', line, 'zip', u.zip ?? '', '|'),
    ];
    out.push(`${fields.join('|')}\n`);
  });
  return out.join('');
}

function formatGenres(genres: readonly string[]): string {
  const lines = genres.map((g, i) => `${text('u.genre', i + 1, 'genre', g, '|')}|${i}\n`);
  return `${lines.join('')}\n`;
}

function formatOccupations(dataset: Dataset): string {
  const all = new Set<string>(ML100K_OCCUPATIONS);
  for (const u of dataset.users) if (u.occupation !== null) all.add(u.occupation);
  const sorted = [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map((o, i) => `${text('u.occupation', i + 1, 'occupation', o, '\n')}\n`).join('');
}

/** Returns `value` when it holds neither `separator` nor a line break; throws otherwise. */
function text(file: string, line: number, field: string, value: string, separator: string): string {
  if (value.includes(separator) || value.includes('\n') || value.includes('\r')) {
    const sep = separator === '\n' ? 'a line break' : `"${separator}"`;
    throw new DataFormatError('separator-in-field', {
      file,
      line,
      field,
      expected: `text without ${sep} or line breaks`,
      found: value,
    });
  }
  return value;
}

function notNumber(file: string, line: number, field: string, value: number): never {
  throw new DataFormatError('not-a-number', {
    file,
    line,
    field,
    expected: 'a finite number',
    found: String(value),
  });
}
