/**
 * Content features of movies: one dense row per movie, the content half of the sequence model's step input
 * (the other half is a learned embedding).
 *
 * @module
 */
import type { Dataset, Movie } from '../data/types';
import { ConfigError, DataFormatError, DependencyError, StateError } from '../errors';
import {
  boolOption,
  capOption,
  expectFormat,
  expectStamp,
  intOption,
  isNumberArray,
  isStringArray,
} from '../preprocess/check';
import { MultiHotEncoder } from '../preprocess/encoders';
import { loadNaturalStemmer } from '../preprocess/natural';
import { Preprocessor } from '../preprocess/preprocessor';
import type { Stemmer, Tokenizer } from '../preprocess/tokenizer';
import { Rng } from '../util/random';

/**
 * The feature groups, in column order.
 *
 * @example
 * ```ts
 * import type { FeatureGroupName } from 'reelrec';
 * const group: FeatureGroupName = 'text';
 * ```
 */
export type FeatureGroupName = 'genres' | 'year' | 'popularity' | 'recency' | 'directors' | 'cast' | 'text';

/**
 * Movie fields that can feed the text group.
 *
 * @example
 * ```ts
 * import type { TextField } from 'reelrec';
 * const fields: TextField[] = ['plot', 'tags'];
 * ```
 */
export type TextField = 'plot' | 'tags' | 'title';

/**
 * Options of {@link FeatureExtractor}; every field has one default. A group that is on but finds nothing to
 * work with in the data (no plots, no people, no ratings) turns itself off; {@link FeatureExtractor.summary}
 * says why.
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type FeatureExtractorOptions } from 'reelrec';
 * const options: FeatureExtractorOptions = { text: false, maxCast: 100, seed: 7 };
 * const features = new FeatureExtractor(options);
 * ```
 */
export interface FeatureExtractorOptions {
  /** Genre multi-hot over `dataset.genres` (default `true`). */
  genres?: boolean;
  /** Release year `(year − 1900) / 100`, a "year unknown" flag and a decade one-hot (default `true`). */
  year?: boolean;
  /** `log(1 + ratings) / log(1 + most ratings of a movie)`, ratings up to `asOf` only (default `true`). */
  popularity?: boolean;
  /** Age of the movie and time since its last rating at `asOf`, in scaled log-days (default `true`). */
  recency?: boolean;
  /** Director and cast multi-hots, capped by frequency, when the data has people (default `true`). */
  people?: boolean;
  /** Most frequent directors kept (default 200). */
  maxDirectors?: number;
  /** Most frequent cast members kept (default 500). */
  maxCast?: number;
  /** A person is kept only if they appear in at least this many movies (default 2). */
  minPeopleCount?: number;
  /** TF-IDF of movie text reduced to `textDims` by a seeded random projection (default `true`). */
  text?: boolean;
  /** Movie fields that make up a movie's text (default `['plot', 'tags']`). */
  textFields?: readonly TextField[];
  /** Size of the dense text vector (default 32). */
  textDims?: number;
  /** Most frequent tokens kept in the text vocabulary (default 20000). */
  textVocabularySize?: number;
  /** A token is kept only if it occurs in at least this many movies' text (default 2). */
  textMinDocs?: number;
  /** Largest n-gram of the text tokens (default 1). */
  ngrams?: number;
  /**
   * Porter stemming of the text: `true` (needs `natural`, else {@link DependencyError}), `false`, or `'auto'`
   * (the default: stems when `natural` is installed, otherwise tokenizes only; pass `true` or `false` for
   * results that do not depend on what is installed).
   */
  stem?: boolean | 'auto';
  /** A stemmer of your own: always used when given, `stem` is then ignored (not saved by `toJSON`). */
  stemmer?: Stemmer;
  /** A tokenizer of your own (default: the built-in Unicode tokenizer; not saved by `toJSON`). */
  tokenizer?: Tokenizer;
  /** Stop words for the text (default `'english'`). */
  stopWords?: 'english' | 'none' | readonly string[];
  /** Seed of the text projection (default 42). */
  seed?: number | string;
}

/**
 * Options of {@link FeatureExtractor.fit}.
 *
 * @example
 * ```ts
 * import type { FeatureFitOptions } from 'reelrec';
 * const options: FeatureFitOptions = { asOf: 884_000_000 }; // Unix seconds
 * ```
 */
export interface FeatureFitOptions {
  /**
   * Unix seconds at which popularity and recency are measured: only ratings with `timestamp <= asOf` count,
   * so features never see the future of a temporal split. Default: the latest timestamp in the data.
   */
  asOf?: number;
}

/**
 * One feature group's place in the row and why it is on or off.
 *
 * @example
 * ```ts
 * import type { FeatureGroupSummary } from 'reelrec';
 * const g: FeatureGroupSummary = { name: 'cast', enabled: false, offset: 40, dim: 0, reason: 'no movie has cast' };
 * ```
 */
export interface FeatureGroupSummary {
  /** The group. */
  name: FeatureGroupName;
  /** Whether the group has columns in the row. */
  enabled: boolean;
  /** First column of the group (where it would be when off). */
  offset: number;
  /** Columns of the group (0 when off). */
  dim: number;
  /** `'on'`, or why the group is off, or a note on how it runs. */
  reason: string;
}

/**
 * What a fitted {@link FeatureExtractor} holds.
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type FeatureSummary } from 'reelrec';
 * declare const features: FeatureExtractor;
 * const s: FeatureSummary = features.summary();
 * for (const g of s.groups) console.log(g.name, g.enabled ? g.dim : g.reason);
 * ```
 */
export interface FeatureSummary {
  /** Columns of a row. */
  dim: number;
  /** Movies with a row. */
  movies: number;
  /** The time popularity and recency were measured at (Unix seconds), or `null` without ratings. */
  asOf: number | null;
  /** Every group, in column order, on or off. */
  groups: FeatureGroupSummary[];
  /** Ratings counted for popularity and recency. */
  ratingsUsed: number;
  /** Ratings left out because they are later than `asOf`. */
  ratingsAfterAsOf: number;
  /** Ratings left out because their movie is not in `dataset.movies`. */
  ratingsUnknownMovie: number;
  /** The text group's set-up, or `null` when it is off. */
  text: {
    /** Name of the stemmer used, or `null` when the text was not stemmed. */
    stemmer: string | null;
    /** Name of the tokenizer used. */
    tokenizer: string;
    /** Tokens in the text vocabulary (the out-of-vocabulary token not counted). */
    vocabularySize: number;
    /** Movies that have text. */
    documents: number;
  } | null;
}

/**
 * The saved form of a fitted {@link FeatureExtractor}: options, summary, column names and every movie's row.
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type FeatureExtractorJSON } from 'reelrec';
 * declare const features: FeatureExtractor;
 * const json: FeatureExtractorJSON = features.toJSON();
 * const again = FeatureExtractor.fromJSON(JSON.parse(JSON.stringify(json)));
 * ```
 */
export interface FeatureExtractorJSON {
  /** Marks the document as saved features. */
  format: 'reelrec.features';
  /** Version of the saved form. */
  version: 1;
  /** The options the extractor was made with. */
  options: SavedFeatureOptions;
  /** What the fitted extractor holds. */
  summary: FeatureSummary;
  /** Name of each column, e.g. `'genre:Drama'`. */
  names: string[];
  /** Id of the movie of each row, in row order. */
  movieIds: number[];
  /**
   * The rows, sparse (compressed sparse rows): row `r`'s non-zero columns are
   * `columns[offsets[r] .. offsets[r + 1] - 1]` with `values` aligned; `offsets` has `movieIds.length + 1` entries.
   */
  rows: {
    /** Where each row starts in `columns` and `values`, then where the last one ends. */
    offsets: number[];
    /** Column index of each non-zero value. */
    columns: number[];
    /** The non-zero values. */
    values: number[];
  };
}

/**
 * The JSON-able options a {@link FeatureExtractor} saves (custom stemmer and tokenizer objects are not saved).
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type SavedFeatureOptions } from 'reelrec';
 * declare const features: FeatureExtractor;
 * const o: SavedFeatureOptions = features.toJSON().options;
 * console.log(o.textDims); // 32
 * ```
 */
export interface SavedFeatureOptions {
  /** {@link FeatureExtractorOptions.genres}. */
  genres: boolean;
  /** {@link FeatureExtractorOptions.year}. */
  year: boolean;
  /** {@link FeatureExtractorOptions.popularity}. */
  popularity: boolean;
  /** {@link FeatureExtractorOptions.recency}. */
  recency: boolean;
  /** {@link FeatureExtractorOptions.people}. */
  people: boolean;
  /** {@link FeatureExtractorOptions.maxDirectors}; `null` for no cap (`Infinity`). */
  maxDirectors: number | null;
  /** {@link FeatureExtractorOptions.maxCast}; `null` for no cap (`Infinity`). */
  maxCast: number | null;
  /** {@link FeatureExtractorOptions.minPeopleCount}. */
  minPeopleCount: number;
  /** {@link FeatureExtractorOptions.text}. */
  text: boolean;
  /** {@link FeatureExtractorOptions.textFields}. */
  textFields: TextField[];
  /** {@link FeatureExtractorOptions.textDims}. */
  textDims: number;
  /** {@link FeatureExtractorOptions.textVocabularySize}; `null` for no cap (`Infinity`). */
  textVocabularySize: number | null;
  /** {@link FeatureExtractorOptions.textMinDocs}. */
  textMinDocs: number;
  /** {@link FeatureExtractorOptions.ngrams}. */
  ngrams: number;
  /** {@link FeatureExtractorOptions.stem}. */
  stem: boolean | 'auto';
  /** {@link FeatureExtractorOptions.stopWords}. */
  stopWords: 'english' | 'none' | string[];
  /** {@link FeatureExtractorOptions.seed}. */
  seed: number | string;
}

/**
 * A movie similar to another, with its cosine similarity.
 *
 * @example
 * ```ts
 * import type { SimilarMovie } from 'reelrec';
 * const s: SimilarMovie = { movieId: 2, score: 0.93 };
 * ```
 */
export interface SimilarMovie {
  /** The similar movie. */
  movieId: number;
  /** Cosine similarity of the two movies' feature rows, in [-1, 1]. */
  score: number;
}

const DAY = 86_400;
const YEAR_DAYS = 365.25;
/** Recency features are `log(1 + days) / log(1 + 36525)`: 100 years gives 1. */
const RECENCY_SCALE = Math.log1p(100 * YEAR_DAYS);
const TEXT_FIELDS: readonly TextField[] = ['plot', 'tags', 'title'];

/** Resolves and checks every option (custom objects apart). */
function resolveOptions(options: FeatureExtractorOptions): SavedFeatureOptions {
  const textFields = options.textFields ?? ['plot', 'tags'];
  if (!Array.isArray(textFields) || !textFields.every((f) => TEXT_FIELDS.includes(f))) {
    throw new ConfigError('features.textFields', "an array of 'plot', 'tags', 'title'", textFields);
  }
  const stem = options.stem ?? 'auto';
  if (stem !== true && stem !== false && stem !== 'auto') {
    throw new ConfigError('features.stem', "true, false or 'auto'", stem);
  }
  const stopWords = options.stopWords ?? 'english';
  if (stopWords !== 'english' && stopWords !== 'none' && !isStringArray(stopWords)) {
    throw new ConfigError('features.stopWords', "'english', 'none' or an array of strings", stopWords);
  }
  const seed = options.seed ?? 42;
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    throw new ConfigError('features.seed', 'a finite number or a string', seed);
  }
  const maxDirectors = capOption('features.maxDirectors', options.maxDirectors, 200);
  const maxCast = capOption('features.maxCast', options.maxCast, 500);
  const textVocabularySize = capOption('features.textVocabularySize', options.textVocabularySize, 20_000, 1);
  const ngrams = intOption('features.ngrams', options.ngrams, 1, 1);
  if (ngrams > 5) throw new ConfigError('features.ngrams', 'an integer from 1 to 5', ngrams);
  return {
    genres: boolOption('features.genres', options.genres, true),
    year: boolOption('features.year', options.year, true),
    popularity: boolOption('features.popularity', options.popularity, true),
    recency: boolOption('features.recency', options.recency, true),
    people: boolOption('features.people', options.people, true),
    maxDirectors: Number.isFinite(maxDirectors) ? maxDirectors : null,
    maxCast: Number.isFinite(maxCast) ? maxCast : null,
    minPeopleCount: intOption('features.minPeopleCount', options.minPeopleCount, 2, 1),
    text: boolOption('features.text', options.text, true),
    textFields: [...new Set(textFields)],
    textDims: intOption('features.textDims', options.textDims, 32, 1),
    textVocabularySize: Number.isFinite(textVocabularySize) ? textVocabularySize : null,
    textMinDocs: intOption('features.textMinDocs', options.textMinDocs, 2, 1),
    ngrams,
    stem,
    stopWords: Array.isArray(stopWords) ? [...stopWords] : (stopWords as 'english' | 'none'),
    seed,
  };
}

/** One group's contribution while fitting: names, a writer of a movie's columns, and its status. */
interface Group {
  name: FeatureGroupName;
  names: string[];
  reason: string;
  /** Writes movie `m`'s (row index `row`) columns into `out` from `offset`. */
  write?: (out: Float32Array, offset: number, movie: Movie, row: number) => void;
}

function off(name: FeatureGroupName, reason: string): Group {
  return { name, names: [], reason };
}

/** The text of a movie from the chosen fields: plot, tags, title (without its trailing "(year)"). */
function movieText(movie: Movie, fields: readonly TextField[]): string {
  const parts: string[] = [];
  for (const f of fields) {
    if (f === 'plot' && typeof movie.plot === 'string' && movie.plot.trim()) parts.push(movie.plot);
    if (f === 'tags' && Array.isArray(movie.tags) && movie.tags.length > 0) parts.push(movie.tags.join('. '));
    if (f === 'title' && typeof movie.title === 'string') {
      const title = movie.title.replace(/\s*\(\d{4}\)\s*$/, '').trim();
      if (title) parts.push(title);
    }
  }
  return parts.join('\n');
}

function hasPeople(movies: readonly Movie[], field: 'directors' | 'cast'): boolean {
  return movies.some((m) => Array.isArray(m[field]) && m[field]!.length > 0);
}

/**
 * Builds a dense content-feature row for every movie of a data set. Groups, in column order (each switchable,
 * see {@link FeatureExtractorOptions}):
 *
 * - **genres**: multi-hot over `dataset.genres`, in the data set's order (`genre:Action`, …);
 * - **year**: `year` = `(year − 1900) / 100`, `year:unknown` = 1 when the year is unknown (then `year` is 0),
 *   and a one-hot of the decade (`decade:1990s`, contiguous from the earliest to the latest decade seen);
 * - **popularity**: `log(1 + n) / log(1 + max n)`, n = the movie's ratings with `timestamp <= asOf`;
 * - **recency**: `age` = `log(1 + d) / log(1 + 36525)` with d = days from the middle of the release year to
 *   `asOf` (0 when the year is unknown or later), and `since_last_rating` = the same scale of the days from the
 *   movie's last rating up to `asOf` to `asOf` (1 when it has none by then). Ratings after `asOf` are never
 *   read, so the features of a temporal split's training part do not leak its future;
 * - **directors**, **cast**: multi-hots of the `maxDirectors` / `maxCast` people appearing in the most movies
 *   (at least `minPeopleCount`), when movies have people (`director:Name`, `cast:Name`);
 * - **text**: the L2-normalised TF-IDF (see {@link Preprocessor}) of each movie's plot and tags over a
 *   vocabulary fitted on the catalogue, projected to `textDims` columns by a seeded Gaussian random projection
 *   (entries N(0, 1/textDims)) and L2-normalised again (`text:0`, …); movies without text get zeros. A later
 *   version may replace the projection by a truncated SVD.
 *
 * `fit` is async because it may load natural's Porter stemmer; `transform` is synchronous. Rows are computed
 * at `fit` for every movie of `dataset.movies`; an id outside them gets an all-zero row (see `has`).
 *
 * @example
 * ```ts
 * import { FeatureExtractor, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./data/ml-100k');
 * const features = await new FeatureExtractor({ textDims: 16 }).fit(data);
 * const rows = features.transform([1, 2, 3]); // Float32Array of 3 × features.dim
 * console.log(features.featureNames().slice(0, 3)); // ['genre:unknown', 'genre:Action', 'genre:Adventure']
 * console.log(features.similar(1, 5)); // [{ movieId, score }, …]
 * ```
 */
export class FeatureExtractor {
  private readonly saved: SavedFeatureOptions;
  private readonly stemmerOption: Stemmer | undefined;
  private readonly tokenizerOption: Tokenizer | undefined;
  private state: {
    summary: FeatureSummary;
    names: string[];
    movieIds: number[];
    rowOf: Map<number, number>;
    rows: Float32Array;
    norms: Float64Array;
  } | null = null;

  /** @throws {ConfigError} for a bad option. */
  constructor(options: FeatureExtractorOptions = {}) {
    this.saved = resolveOptions(options);
    if (options.stemmer !== undefined && typeof options.stemmer?.stem !== 'function') {
      throw new ConfigError('features.stemmer', 'an object with a stem(word) method', options.stemmer);
    }
    if (options.tokenizer !== undefined && typeof options.tokenizer?.tokenize !== 'function') {
      throw new ConfigError(
        'features.tokenizer',
        'an object with a tokenize(text) method',
        options.tokenizer,
      );
    }
    this.stemmerOption = options.stemmer;
    this.tokenizerOption = options.tokenizer;
  }

  /**
   * Fits on a data set: vocabularies, normalisations and every movie's row. Calling it again refits.
   *
   * @throws {ConfigError} for a bad `asOf`.
   * @throws {DataFormatError} when `dataset.movies` repeats an id.
   * @throws {DependencyError} with `stem: true` when `natural` is not installed and movies have text.
   */
  async fit(dataset: Dataset, options: FeatureFitOptions = {}): Promise<this> {
    const movies = dataset.movies;
    const rowOf = new Map<number, number>();
    movies.forEach((m, i) => {
      if (rowOf.has(m.id)) {
        throw new DataFormatError('duplicate', {
          file: 'dataset.movies',
          line: i + 1,
          field: 'id',
          expected: 'distinct movie ids',
          found: String(m.id),
        });
      }
      rowOf.set(m.id, i);
    });

    // Rating statistics as of `asOf`.
    const { ratings } = dataset;
    let asOf: number | null = null;
    if (options.asOf !== undefined) {
      if (typeof options.asOf !== 'number' || !Number.isFinite(options.asOf)) {
        throw new ConfigError('fit.asOf', 'a finite number of Unix seconds', options.asOf);
      }
      asOf = options.asOf;
    } else if (ratings.length > 0) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < ratings.length; i++) max = Math.max(max, ratings.timestamps[i]!);
      asOf = max;
    }
    const counts = new Float64Array(movies.length);
    const last = new Float64Array(movies.length).fill(Number.NEGATIVE_INFINITY);
    let used = 0;
    let after = 0;
    let unknown = 0;
    if (asOf !== null) {
      for (let i = 0; i < ratings.length; i++) {
        const t = ratings.timestamps[i]!;
        if (t > asOf) {
          after++;
          continue;
        }
        const row = rowOf.get(ratings.movieIds[i]!);
        if (row === undefined) {
          unknown++;
          continue;
        }
        used++;
        counts[row] = counts[row]! + 1;
        if (t > last[row]!) last[row] = t;
      }
    }

    const groups: Group[] = [
      this.genreGroup(dataset),
      this.yearGroup(movies),
      this.popularityGroup(counts, used),
      this.recencyGroup(asOf, last),
      this.peopleGroup(movies, 'directors'),
      this.peopleGroup(movies, 'cast'),
    ];
    const text = await this.textGroup(movies);
    groups.push(text.group);

    const names: string[] = [];
    const summaries: FeatureGroupSummary[] = [];
    for (const g of groups) {
      const enabled = g.names.length > 0 && g.write !== undefined;
      summaries.push({
        name: g.name,
        enabled,
        offset: names.length,
        dim: enabled ? g.names.length : 0,
        reason: g.reason,
      });
      if (enabled) names.push(...g.names);
    }
    const dim = names.length;
    const rows = new Float32Array(movies.length * dim);
    movies.forEach((movie, r) => {
      for (let k = 0; k < groups.length; k++) {
        const s = summaries[k]!;
        if (s.enabled) groups[k]!.write!(rows, r * dim + s.offset, movie, r);
      }
    });
    const summary: FeatureSummary = {
      dim,
      movies: movies.length,
      asOf,
      groups: summaries,
      ratingsUsed: used,
      ratingsAfterAsOf: after,
      ratingsUnknownMovie: unknown,
      text: text.info,
    };
    const movieIds = movies.map((m) => m.id);
    this.state = { summary, names, movieIds, rowOf, rows, norms: rowNorms(rows, movieIds.length, dim) };
    return this;
  }

  /** True once fitted (or restored). */
  get fitted(): boolean {
    return this.state !== null;
  }

  /**
   * Columns of a row.
   *
   * @throws {StateError} before `fit`.
   */
  get dim(): number {
    return this.fittedState().names.length;
  }

  /**
   * Column names, e.g. `genre:Comedy`, `year`, `decade:1990s`, `popularity`, `age`, `director:…`, `text:0`.
   *
   * @throws {StateError} before `fit`.
   */
  featureNames(): string[] {
    return [...this.fittedState().names];
  }

  /**
   * Which groups are on, where they sit in the row, and why groups are off.
   *
   * @throws {StateError} before `fit`.
   */
  summary(): FeatureSummary {
    return structuredClone(this.fittedState().summary);
  }

  /** The movie ids with a row, in `dataset.movies` order. */
  movieIds(): number[] {
    return [...this.fittedState().movieIds];
  }

  /** True when `movieId` has a row. */
  has(movieId: number): boolean {
    return this.fittedState().rowOf.has(movieId);
  }

  /**
   * The rows of `movieIds`, row-major (`movieIds.length × dim`); an id without a row gives zeros.
   *
   * @throws {StateError} before `fit`.
   */
  transform(movieIds: readonly number[]): Float32Array {
    const s = this.fittedState();
    const dim = s.names.length;
    const out = new Float32Array(movieIds.length * dim);
    for (let i = 0; i < movieIds.length; i++) {
      const row = s.rowOf.get(movieIds[i]!);
      if (row !== undefined) out.set(s.rows.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return out;
  }

  /**
   * The `k` movies whose rows have the highest cosine similarity with `movieId`'s ("more like this"), best
   * first, ties by movie id ascending; the movie itself is left out. A movie with an all-zero row scores 0.
   *
   * @throws {ConfigError} when `movieId` has no row or `k` is not a non-negative integer.
   * @throws {StateError} before `fit`.
   */
  similar(movieId: number, k = 10): SimilarMovie[] {
    const s = this.fittedState();
    const q = s.rowOf.get(movieId);
    if (q === undefined)
      throw new ConfigError('movieId', 'the id of a movie of the fitted data set', movieId);
    intOption('k', k, 10, 0);
    const dim = s.names.length;
    const qn = s.norms[q]!;
    const scored: SimilarMovie[] = [];
    for (let r = 0; r < s.movieIds.length; r++) {
      if (r === q) continue;
      let dot = 0;
      const a = q * dim;
      const b = r * dim;
      for (let j = 0; j < dim; j++) dot += s.rows[a + j]! * s.rows[b + j]!;
      const denom = qn * s.norms[r]!;
      scored.push({ movieId: s.movieIds[r]!, score: denom > 0 ? dot / denom : 0 });
    }
    scored.sort((x, y) => y.score - x.score || x.movieId - y.movieId);
    return scored.slice(0, k);
  }

  /**
   * The saved form; `FeatureExtractor.fromJSON(f.toJSON())` transforms exactly like `f`.
   *
   * @throws {StateError} before `fit`.
   */
  toJSON(): FeatureExtractorJSON {
    const s = this.fittedState();
    return {
      format: 'reelrec.features',
      version: 1,
      options: structuredClone(this.saved),
      summary: structuredClone(s.summary),
      names: [...s.names],
      movieIds: [...s.movieIds],
      rows: toSparseRows(s.rows, s.movieIds.length, s.names.length),
    };
  }

  /**
   * Restores an extractor saved by {@link FeatureExtractor.toJSON}. It transforms without `natural`; fitting
   * it again uses the saved options (and no custom stemmer or tokenizer).
   *
   * @throws {ModelFormatError} when `json` is not a saved feature extractor.
   */
  static fromJSON(json: FeatureExtractorJSON): FeatureExtractor {
    const what = 'reelrec.features';
    expectStamp(json, what, 1);
    expectFormat(
      typeof json.options === 'object' && json.options !== null,
      what,
      'options must be an object',
    );
    expectFormat(isStringArray(json.names), what, 'names must be a string array');
    expectFormat(isNumberArray(json.movieIds), what, 'movieIds must be a number array');
    const rows = fromSparseRows(json.rows, json.movieIds.length, json.names.length);
    expectFormat(json.summary?.dim === json.names.length, what, 'summary.dim must equal names.length');
    const { maxDirectors, maxCast, textVocabularySize, ...rest } = json.options;
    const fe = new FeatureExtractor({
      ...rest,
      maxDirectors: maxDirectors ?? Number.POSITIVE_INFINITY,
      maxCast: maxCast ?? Number.POSITIVE_INFINITY,
      textVocabularySize: textVocabularySize ?? Number.POSITIVE_INFINITY,
    });
    const rowOf = new Map<number, number>();
    json.movieIds.forEach((id, i) => {
      rowOf.set(id, i);
    });
    expectFormat(rowOf.size === json.movieIds.length, what, 'movieIds must be distinct');
    fe.state = {
      summary: structuredClone(json.summary),
      names: [...json.names],
      movieIds: [...json.movieIds],
      rowOf,
      rows,
      norms: rowNorms(rows, json.movieIds.length, json.names.length),
    };
    return fe;
  }

  private fittedState(): NonNullable<FeatureExtractor['state']> {
    if (this.state === null) throw new StateError('FeatureExtractor needs fitting: call fit(dataset) first');
    return this.state;
  }

  private genreGroup(dataset: Dataset): Group {
    if (!this.saved.genres) return off('genres', 'disabled by options');
    const genres = [...new Set(dataset.genres)];
    if (genres.length === 0) return off('genres', 'the data set has no genres');
    const enc = new MultiHotEncoder(genres);
    return {
      name: 'genres',
      names: enc.featureNames('genre:'),
      reason: 'on',
      write: (out, offset, movie) => enc.encodeInto(out, offset, movie.genres ?? []),
    };
  }

  private yearGroup(movies: readonly Movie[]): Group {
    if (!this.saved.year) return off('year', 'disabled by options');
    const known = (m: Movie): m is Movie & { year: number } =>
      typeof m.year === 'number' && Number.isFinite(m.year);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const m of movies) {
      if (!known(m)) continue;
      const d = Math.floor(m.year / 10) * 10;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (lo > hi) return off('year', 'no movie has a year');
    const names = ['year', 'year:unknown'];
    for (let d = lo; d <= hi; d += 10) names.push(`decade:${d}s`);
    return {
      name: 'year',
      names,
      reason: 'on',
      write: (out, offset, movie) => {
        if (!known(movie)) {
          out[offset + 1] = 1;
          return;
        }
        out[offset] = (movie.year - 1900) / 100;
        out[offset + 2 + (Math.floor(movie.year / 10) * 10 - lo) / 10] = 1;
      },
    };
  }

  private popularityGroup(counts: Float64Array, used: number): Group {
    if (!this.saved.popularity) return off('popularity', 'disabled by options');
    if (used === 0) return off('popularity', 'no rating of a known movie at or before asOf');
    let max = 0;
    for (const c of counts) max = Math.max(max, c);
    const scale = Math.log1p(max);
    return {
      name: 'popularity',
      names: ['popularity'],
      reason: 'on',
      write: (out, offset, _movie, row) => {
        out[offset] = Math.log1p(counts[row]!) / scale;
      },
    };
  }

  private recencyGroup(asOf: number | null, last: Float64Array): Group {
    if (!this.saved.recency) return off('recency', 'disabled by options');
    if (asOf === null) return off('recency', 'no ratings and no asOf to measure time from');
    const asOfDays = asOf / DAY;
    return {
      name: 'recency',
      names: ['age', 'since_last_rating'],
      reason: 'on',
      write: (out, offset, movie, row) => {
        if (typeof movie.year === 'number' && Number.isFinite(movie.year)) {
          const ageDays = asOfDays - (movie.year + 0.5 - 1970) * YEAR_DAYS;
          out[offset] = ageDays > 0 ? Math.log1p(ageDays) / RECENCY_SCALE : 0;
        }
        const l = last[row]!;
        out[offset + 1] = Number.isFinite(l) ? Math.log1p((asOf - l) / DAY) / RECENCY_SCALE : 1;
      },
    };
  }

  private peopleGroup(movies: readonly Movie[], field: 'directors' | 'cast'): Group {
    const name = field;
    const singular = field === 'directors' ? 'director' : 'cast';
    if (!this.saved.people) return off(name, 'disabled by options');
    const cap = field === 'directors' ? this.saved.maxDirectors : this.saved.maxCast;
    if (cap === 0) return off(name, `${field === 'directors' ? 'maxDirectors' : 'maxCast'} is 0`);
    if (!hasPeople(movies, field)) return off(name, `no movie has ${field}`);
    const min = this.saved.minPeopleCount;
    const clean = (m: Movie) =>
      Array.isArray(m[field]) ? m[field]!.map((p) => String(p).trim()).filter((p) => p.length > 0) : [];
    const enc = MultiHotEncoder.fit(
      movies.map((m) => clean(m)),
      { minCount: min, maxCategories: cap ?? Number.POSITIVE_INFINITY },
    );
    if (enc.categories.length === 0) {
      return off(name, `no ${field === 'directors' ? 'director' : 'cast member'} appears in ≥ ${min} movies`);
    }
    return {
      name,
      names: enc.featureNames(`${singular}:`),
      reason: 'on',
      write: (out, offset, movie) => enc.encodeInto(out, offset, clean(movie)),
    };
  }

  private async textGroup(movies: readonly Movie[]): Promise<{ group: Group; info: FeatureSummary['text'] }> {
    const o = this.saved;
    if (!o.text) return { group: off('text', 'disabled by options'), info: null };
    const texts = movies.map((m) => movieText(m, o.textFields));
    const withText = texts.filter((t) => t.length > 0).length;
    if (withText === 0)
      return { group: off('text', `no movie has ${o.textFields.join(' or ')}`), info: null };

    // Only now, with text to process, is natural loaded (and only when stemming is asked for).
    let stemmer: Stemmer | null = this.stemmerOption ?? null;
    let note = 'on';
    if (stemmer === null && o.stem !== false) {
      try {
        stemmer = await loadNaturalStemmer();
      } catch (err) {
        if (o.stem === true || !(err instanceof DependencyError)) throw err;
        note = 'on, without stemming: the optional package "natural" is not installed';
      }
    }
    const pre = new Preprocessor({
      tokenizer: this.tokenizerOption,
      stemmer,
      stopWords: o.stopWords,
      ngrams: o.ngrams,
    });
    pre.fit(
      texts.filter((t) => t.length > 0),
      { minDocs: o.textMinDocs, maxSize: o.textVocabularySize ?? Number.POSITIVE_INFINITY },
    );
    const vocab = pre.vocabulary;
    const info = {
      stemmer: pre.stemmerName,
      tokenizer: pre.tokenizerName,
      vocabularySize: vocab.size - 1,
      documents: withText,
    };
    if (vocab.size <= 1) {
      return { group: off('text', `no token appears in the text of ≥ ${o.textMinDocs} movies`), info: null };
    }
    // Seeded Gaussian random projection: one row of textDims N(0, 1/textDims) entries per token id (id 0, the
    // OOV token, never has TF-IDF weight).
    const d = o.textDims;
    const rng = new Rng(o.seed).fork('features.text-projection');
    const projection = new Float32Array(vocab.size * d);
    const sd = 1 / Math.sqrt(d);
    for (let i = d; i < projection.length; i++) projection[i] = rng.normal() * sd;
    const names = Array.from({ length: d }, (_, j) => `text:${j}`);
    return {
      group: {
        name: 'text',
        names,
        reason: note,
        write: (out, offset, _movie, row) => {
          const text = texts[row]!;
          if (text.length === 0) return;
          const { indices, values } = pre.tfidf(text);
          if (indices.length === 0) return;
          const acc = new Float64Array(d);
          for (let k = 0; k < indices.length; k++) {
            const base = indices[k]! * d;
            const w = values[k]!;
            for (let j = 0; j < d; j++) acc[j] = acc[j]! + w * projection[base + j]!;
          }
          let norm = 0;
          for (let j = 0; j < d; j++) norm += acc[j]! * acc[j]!;
          norm = Math.sqrt(norm);
          if (norm === 0) return;
          for (let j = 0; j < d; j++) out[offset + j] = acc[j]! / norm;
        },
      },
      info,
    };
  }
}

function toSparseRows(rows: Float32Array, n: number, dim: number): FeatureExtractorJSON['rows'] {
  const offsets = [0];
  const columns: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) {
      const v = rows[r * dim + j]!;
      if (v !== 0) {
        columns.push(j);
        values.push(v);
      }
    }
    offsets.push(columns.length);
  }
  return { offsets, columns, values };
}

function fromSparseRows(sparse: FeatureExtractorJSON['rows'], n: number, dim: number): Float32Array {
  const what = 'reelrec.features';
  const { offsets, columns, values } = sparse ?? ({} as FeatureExtractorJSON['rows']);
  expectFormat(
    isNumberArray(offsets) && isNumberArray(columns) && isNumberArray(values),
    what,
    'rows must hold offsets, columns and values arrays',
  );
  expectFormat(
    offsets.length === n + 1 && offsets[0] === 0,
    what,
    `rows.offsets must have ${n + 1} entries from 0`,
  );
  expectFormat(
    columns.length === values.length && offsets[n] === columns.length,
    what,
    'rows arrays disagree',
  );
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const a = offsets[r]!;
    const b = offsets[r + 1]!;
    expectFormat(a <= b, what, 'rows.offsets must not decrease');
    for (let k = a; k < b; k++) {
      const j = columns[k]!;
      expectFormat(Number.isInteger(j) && j >= 0 && j < dim, what, `column ${j} is outside 0..${dim - 1}`);
      out[r * dim + j] = values[k]!;
    }
  }
  return out;
}

function rowNorms(rows: Float32Array, n: number, dim: number): Float64Array {
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = rows[r * dim + j]!;
      s += v * v;
    }
    norms[r] = Math.sqrt(s);
  }
  return norms;
}
