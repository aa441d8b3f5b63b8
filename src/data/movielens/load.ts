/**
 * The public MovieLens entry points: {@link loadMovieLens} (a directory, streaming; Node), {@link parseMovieLens}
 * (file contents in memory; anywhere, browsers included) and {@link loadOfficialFolds} (the ML-100k splits).
 * They run the same format readers; only the I/O differs.
 *
 * @module
 */
import { ConfigError, DataMissingError } from '../../errors';
import {
  baseName,
  fileExists,
  listDirectory,
  readFileChunks,
  relativePath,
  resolvePath,
} from '../../platform/node';
import type { Dataset, LoadReport, RatingTable } from '../types';
import { IMDB_DETAILS_FILE, joinImdbDetails } from './imdb';
import { readMl1m } from './ml1m';
import { readMl100k, readMl100kFold } from './ml100k';
import { readMlLatest } from './mllatest';
import { LoadCollector, type LoadMode, resolveCommonOptions } from './records';
import { type DatasetParts, type FileRequest, type Reader, ReadSession } from './session';

/**
 * The MovieLens formats the loaders read: `'ml-100k'`, `'ml-1m'`, and `'ml-latest'` for the CSV family
 * (ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m).
 *
 * @example
 * ```ts
 * import { type MovieLensFormat, loadMovieLens } from 'reelrec';
 * const format: MovieLensFormat = 'ml-latest';
 * const data = await loadMovieLens('./data/ml-25m', { format });
 * ```
 */
export type MovieLensFormat = 'ml-100k' | 'ml-1m' | 'ml-latest';

/**
 * Options of {@link loadMovieLens} and {@link parseMovieLens}.
 *
 * @example
 * ```ts
 * import { type LoadOptions, loadMovieLens } from 'reelrec';
 * const options: LoadOptions = { mode: 'lenient', maxIssues: 20, imdbDetails: false };
 * const data = await loadMovieLens('./data/ml-100k', options);
 * ```
 */
export interface LoadOptions {
  /**
   * `'strict'` (default): the first bad record throws a `DataFormatError` naming file, line and field.
   * `'lenient'`: bad records are skipped and counted in `report` (problems with a whole file, such as a wrong
   * CSV header or an empty required file, throw in both modes).
   */
  mode?: LoadMode;
  /**
   * IMDb details JSON to join onto the movies (see `joinImdbDetails` for what is joined and how entries are
   * judged). Default: `movielens100k_details.json` in the data directory, else in the sibling directory
   * `<dir>-imdb-details/`, if either exists. A path (relative to the working directory; for `parseMovieLens`,
   * a key of `files`) makes the file required. `false`: no details.
   */
  imdbDetails?: string | false;
  /** Detail entries kept in `report.issues` (default 100); the counts in `report.files` are always complete. */
  maxIssues?: number;
  /** Skip detection and read this format. */
  format?: MovieLensFormat;
}

/**
 * One official ML-100k split: `<name>.base` trains, `<name>.test` tests.
 *
 * @example
 * ```ts
 * import { type Fold, loadOfficialFolds } from 'reelrec';
 * const folds: Fold[] = await loadOfficialFolds('./data/ml-100k');
 * const sizes = folds.map((f) => [f.name, f.train.length, f.test.length]);
 * ```
 */
export interface Fold {
  /** `'u1'` … `'u5'`, `'ua'` or `'ub'`. */
  name: string;
  /** The ratings of `<name>.base`. */
  train: RatingTable;
  /** The ratings of `<name>.test`. */
  test: RatingTable;
  /** How the two files were read (what lenient mode skipped). */
  report: LoadReport;
}

/**
 * The split names of ML-100k: five disjoint folds `u1`–`u5` (80,000 / 20,000) and `ua`, `ub` (10 tests a user).
 *
 * @example
 * ```ts
 * import { OFFICIAL_FOLDS, loadOfficialFolds } from 'reelrec';
 * const all = await loadOfficialFolds('./data/ml-100k', { folds: [...OFFICIAL_FOLDS] });
 * ```
 */
export const OFFICIAL_FOLDS: readonly string[] = Object.freeze(['u1', 'u2', 'u3', 'u4', 'u5', 'ua', 'ub']);

const READERS: Record<MovieLensFormat, (s: ReadSession) => Reader<DatasetParts>> = {
  'ml-100k': readMl100k,
  'ml-1m': readMl1m,
  'ml-latest': readMlLatest,
};

/** The file whose presence identifies each format, in the order detection tries them. */
const MARKERS: ReadonlyArray<[MovieLensFormat, string]> = [
  ['ml-100k', 'u.data'],
  ['ml-1m', 'ratings.dat'],
  ['ml-latest', 'ratings.csv'],
];

/**
 * Loads a MovieLens directory: ML-100k (`u.data`, `u.item`, …), ML-1M (`ratings.dat`, …) or the ml-latest family
 * (`ratings.csv`, …; ml-latest-small, ml-20m, ml-25m, ml-32m), recognised by which files exist. Files stream from
 * disk, so memory grows with the ratings kept (about 20 bytes each), not with file sizes. Node only; in a browser
 * use {@link parseMovieLens}.
 *
 * What each format's files must hold is documented on `readMl100k`, `readMl1m` and `readMlLatest`. Every
 * record is validated; `report` lists every file read with its encoding and counts (accepted, flagged,
 * skipped, by reason) and the first `maxIssues` issues in detail. Reason codes:
 * - any line: `encoding` (invalid UTF-8, or U+FFFD), `binary` (NUL or another control character),
 *   `line-too-long`, `field-count`;
 * - CSV: `unterminated-quote`, `csv-quote` (other broken quoting), `header` (throws in both modes);
 * - ids: `invalid-id` (not an integer from 1 to 2^31−1), `duplicate-id` (a movie or user listed twice; the
 *   first wins);
 * - ratings: `rating-not-number`, `rating-range`, `rating-step` (e.g. 3.3 on a whole-star scale),
 *   `invalid-timestamp`, `timestamp-range` (before 1970 or after 2100), `dangling-movie`, `dangling-user`,
 *   `duplicate-rating` (a repeated (user, movie) pair; the first wins);
 * - movies: `missing-value` (empty title), `genre-flag`, `genre-index`, `genre-list` (flag), `invalid-date`
 *   (flag); users: `invalid-age`, `invalid-gender`, `invalid-occupation`, `unknown-occupation` (flag);
 * - IMDb details: see `joinImdbDetails`;
 * - a whole file: `empty-file` (a required file without any valid record; throws in both modes).
 *
 * @throws {@link DataMissingError} when the directory is missing, holds no MovieLens data (the message lists
 *   what was looked for), or lacks a required file of its format (named).
 * @throws {@link DataFormatError} in strict mode at the first bad record; in both modes for a problem with a
 *   whole file.
 * @throws {@link ConfigError} for an option outside what it accepts.
 * @example
 * ```ts
 * import { loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./data/ml-100k', { mode: 'lenient' });
 * console.log(data.ratings.length, data.movies.length, data.users.length); // 100000 1682 943
 * for (const file of data.report.files) console.log(file.file, file.encoding, file.accepted, file.skipped);
 * ```
 */
export async function loadMovieLens(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const { mode, maxIssues, format: forced, imdbDetails } = resolveLoadOptions(options);
  const names = await listDirectory(dir);
  const format = forced ?? detectFormat(names, dir);
  const root = resolvePath(dir);
  const imdb =
    typeof imdbDetails === 'string'
      ? [relativePath(root, resolvePath(imdbDetails))]
      : [IMDB_DETAILS_FILE, `../${baseName(root)}-imdb-details/${IMDB_DETAILS_FILE}`];
  const collector = new LoadCollector(mode, maxIssues);
  const reader = readDataset(format, new ReadSession(collector), imdbDetails, imdb);
  const parts = await readFromDisk(reader, root, missingFile(format, `"${dir}"`, names));
  return toDataset(parts, baseName(root), collector.report(dir, format));
}

/**
 * Parses MovieLens files held in memory: the same readers and checks as {@link loadMovieLens}, without the file
 * system, so it runs in browsers. `files` maps file names to their contents; only the last path segment of a
 * key counts (`'ml-100k/u.data'` is `u.data`). Pass bytes (`Uint8Array`) rather than strings where you can:
 * ML-100k and ML-1M are Latin-1, and bytes let the parser tell Latin-1 from UTF-8 (a string's file reports
 * encoding `'text'`).
 *
 * @param options `source` names the data in the report (default `'in-memory'`) and, by its last segment, the
 *   data set (default: the format). `imdbDetails` is a key of `files` here; by default
 *   `movielens100k_details.json` is joined when present.
 * @throws {@link DataMissingError}, {@link DataFormatError}, {@link ConfigError} as {@link loadMovieLens} does.
 * @example
 * ```ts
 * import { parseMovieLens } from 'reelrec';
 * const names = ['u.data', 'u.item', 'u.user', 'u.genre', 'u.occupation'];
 * const files: Record<string, Uint8Array> = {};
 * for (const name of names) {
 *   files[name] = new Uint8Array(await (await fetch(`/data/ml-100k/${name}`)).arrayBuffer());
 * }
 * const data = parseMovieLens(files, { source: 'ml-100k' });
 * ```
 */
export function parseMovieLens(
  files: Record<string, string | Uint8Array>,
  options: LoadOptions & { source?: string } = {},
): Dataset {
  const { mode, maxIssues, format: forced, imdbDetails } = resolveLoadOptions(options);
  const source = options.source ?? 'in-memory';
  const contents = filesByName(files);
  const names = [...contents.keys()].sort();
  const format = forced ?? detectFormat(names, source);
  const collector = new LoadCollector(mode, maxIssues);
  const imdb = [typeof imdbDetails === 'string' ? imdbDetails : IMDB_DETAILS_FILE];
  const reader = readDataset(format, new ReadSession(collector), imdbDetails, imdb);
  const label = options.source === undefined ? 'the files given' : `"${source}"`;
  const parts = readFromMemory(reader, contents, missingFile(format, label, names));
  const name = options.source === undefined ? format : lastSegment(source) || format;
  return toDataset(parts, name, collector.report(source, format));
}

/**
 * Loads official ML-100k splits: for each name, `<name>.base` as `train` and `<name>.test` as `test`, checked
 * like `u.data` (ids, scale, timestamps, repeated pairs; not against `u.item`, which the splits do not need).
 * Default: the five cross-validation folds `u1`–`u5` (80,000 / 20,000 ratings each).
 *
 * @param options.folds names among {@link OFFICIAL_FOLDS}; `mode` and `maxIssues` as for {@link loadMovieLens}.
 * @throws {@link DataMissingError} naming every missing file, before anything is read.
 * @throws {@link ConfigError} for an unknown fold name.
 * @example
 * ```ts
 * import { loadOfficialFolds } from 'reelrec';
 * for (const { name, train, test } of await loadOfficialFolds('./data/ml-100k')) {
 *   console.log(name, train.length, test.length); // u1 80000 20000 …
 * }
 * ```
 */
export async function loadOfficialFolds(
  dir: string,
  options: { folds?: string[]; mode?: LoadMode; maxIssues?: number } = {},
): Promise<Fold[]> {
  const { mode, maxIssues } = resolveCommonOptions(options);
  const folds = options.folds ?? OFFICIAL_FOLDS.slice(0, 5);
  const known = `a non-empty list of names among ${OFFICIAL_FOLDS.map((f) => `'${f}'`).join(', ')}`;
  if (!Array.isArray(folds) || folds.length === 0) throw new ConfigError('folds', known, folds);
  for (const fold of folds) if (!OFFICIAL_FOLDS.includes(fold)) throw new ConfigError('folds', known, fold);

  const names = new Set(await listDirectory(dir));
  const missing = folds.flatMap((f) => [`${f}.base`, `${f}.test`]).filter((file) => !names.has(file));
  const root = resolvePath(dir);
  if (missing.length > 0) {
    const verb = missing.length === 1 ? 'is' : 'are';
    throw new DataMissingError(
      `ML-100k splits in "${dir}": ${missing.join(', ')} ${verb} missing`,
      resolvePath(root, missing[0]!),
    );
  }
  const result: Fold[] = [];
  for (const name of folds) {
    const collector = new LoadCollector(mode, maxIssues);
    const reader = readMl100kFold(new ReadSession(collector), name);
    const { train, test } = await readFromDisk(reader, root, (file) => `ML-100k split ${name} needs ${file}`);
    result.push({ name, train, test, report: collector.report(dir, 'ml-100k') });
  }
  return result;
}

/** The format's files, then the IMDb details: the first of `imdbFiles` that exists (all required if named). */
function* readDataset(
  format: MovieLensFormat,
  session: ReadSession,
  imdbDetails: string | false | undefined,
  imdbFiles: string[],
): Reader<DatasetParts> {
  const parts = yield* READERS[format](session);
  if (imdbDetails === false) return parts;
  for (const file of imdbFiles) {
    const request = session.whole(file, imdbDetails !== undefined, (text, tally) =>
      joinImdbDetails(text, tally, parts.movies, parts.movieFile),
    );
    if (yield request) break;
  }
  return parts;
}

/** The message for a missing required file of a data set. */
function missingFile(
  format: MovieLensFormat,
  source: string,
  found: readonly string[],
): (file: string) => string {
  const listing = found.length > 0 ? found.join(', ') : 'nothing';
  return (file) => `${format} data in ${source} needs ${file}, which is missing (found: ${listing})`;
}

/** Runs a reader against files under `root`, streaming each. */
async function readFromDisk<T>(
  reader: Reader<T>,
  root: string,
  missing: (file: string) => string,
): Promise<T> {
  let step = reader.next(false);
  while (!step.done) {
    const request: FileRequest = step.value;
    const path = resolvePath(root, request.file);
    const found = await fileExists(path);
    if (found) {
      const consumer = request.open();
      for await (const chunk of readFileChunks(path)) consumer.bytes(chunk);
      consumer.end();
    } else if (request.required) {
      throw new DataMissingError(missing(request.file), path);
    }
    step = reader.next(found);
  }
  return step.value;
}

/** Runs a reader against file contents in memory, found by the last segment of each requested path. */
function readFromMemory<T>(
  reader: Reader<T>,
  contents: ReadonlyMap<string, string | Uint8Array>,
  missing: (file: string) => string,
): T {
  let step = reader.next(false);
  while (!step.done) {
    const request = step.value;
    const content = contents.get(lastSegment(request.file));
    if (content !== undefined) {
      const consumer = request.open();
      if (typeof content === 'string') consumer.text(content);
      else consumer.bytes(content);
      consumer.end();
    } else if (request.required) {
      throw new DataMissingError(missing(request.file), request.file);
    }
    step = reader.next(content !== undefined);
  }
  return step.value;
}

function detectFormat(names: readonly string[], source: string): MovieLensFormat {
  for (const [format, marker] of MARKERS) if (names.includes(marker)) return format;
  const lookedFor = MARKERS.map(([format, marker]) => `${marker} (${format})`).join(', ');
  const found = names.length > 0 ? names.join(', ') : 'nothing';
  throw new DataMissingError(
    `no MovieLens data in ${source}: looked for ${lookedFor}; found ${found}`,
    source,
  );
}

function toDataset(parts: DatasetParts, name: string, report: LoadReport): Dataset {
  return {
    name,
    format: report.format,
    ratings: parts.ratings,
    movies: parts.movies.sorted(),
    users: parts.users,
    genres: parts.genres,
    ratingScale: parts.ratingScale,
    report,
  };
}

function resolveLoadOptions(options: LoadOptions): LoadOptions & { mode: LoadMode; maxIssues: number } {
  const { mode, maxIssues } = resolveCommonOptions(options);
  const { format, imdbDetails } = options;
  if (format !== undefined && !Object.hasOwn(READERS, format)) {
    throw new ConfigError('format', "'ml-100k', 'ml-1m' or 'ml-latest'", format);
  }
  if (
    imdbDetails !== undefined &&
    imdbDetails !== false &&
    (typeof imdbDetails !== 'string' || imdbDetails === '')
  ) {
    throw new ConfigError('imdbDetails', 'a path, or false', imdbDetails);
  }
  return { format, imdbDetails, mode, maxIssues };
}

function filesByName(files: Record<string, string | Uint8Array>): Map<string, string | Uint8Array> {
  const byName = new Map<string, string | Uint8Array>();
  for (const [key, content] of Object.entries(files)) {
    if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
      throw new ConfigError(`files[${JSON.stringify(key)}]`, 'a string or a Uint8Array', content);
    }
    const name = lastSegment(key);
    if (byName.has(name))
      throw new ConfigError('files', `one entry per file name (${name} is given twice)`, key);
    byName.set(name, content);
  }
  return byName;
}

function lastSegment(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
