/**
 * Content features of movies: one dense row per movie, the content half of the sequence model's step input
 * (the other half is a learned embedding).
 *
 * @module
 */
import type { Dataset, Movie } from '../data/types';
import { ConfigError, DataFormatError, DependencyError, ModelFormatError, StateError } from '../errors';
import {
  boolOption,
  byCountThenName,
  capOption,
  expectFormat,
  expectStamp,
  intOption,
  isNumberArray,
  isStringArray,
} from '../preprocess/check';
import { MultiHotEncoder } from '../preprocess/encoders';
import { loadNaturalStemmer } from '../preprocess/natural';
import { Preprocessor, type PreprocessorJSON } from '../preprocess/preprocessor';
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
export type FeatureGroupName =
  | 'genres'
  | 'year'
  | 'popularity'
  | 'recency'
  | 'directors'
  | 'cast'
  | 'partnerships'
  | 'text';

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
  /**
   * Recurring actor–director and actor–actor pairs as a multi-hot (`pair:director:X|actor:Y`,
   * `pair:actor:A|actor:B`), when movies have cast (default `true`; independent of `people`).
   */
  partnerships?: boolean;
  /** Top-billed cast members (the first names of `movie.cast`) that form pairs (default 5). */
  partnershipTopCast?: number;
  /** A pair is kept only if it occurs in at least this many movies (default 2). */
  minPartnershipCount?: number;
  /** Most frequent pairs kept, ties by name (default 1000). */
  maxPartnerships?: number;
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
  /** What the partnerships group found, or `null` when it is off. */
  partnerships: {
    /** Top-billed cast members per movie that formed pairs. */
    topCast: number;
    /** Distinct pairs occurring in at least `minPartnershipCount` movies (before the cap). */
    found: number;
    /** Pairs kept as columns (after the cap). */
    kept: number;
    /** Kept director–actor pairs. */
    directorActor: number;
    /** Kept actor–actor pairs. */
    actorActor: number;
  } | null;
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
   * What {@link FeatureExtractor.transformMovies} needs to build the row of a movie from its metadata: the
   * fitted vocabularies and scales. Absent in documents saved before it existed (such an extractor transforms
   * catalogue ids only).
   */
  vocabularies?: FeatureVocabularies;
  /**
   * Each movie's ratings up to `asOf` (`counts`) and its last rating's time (`last`, `null` for none), aligned
   * with `movieIds`; absent with `vocabularies`.
   */
  ratingStats?: {
    /** Ratings of each movie up to `asOf`. */
    counts: number[];
    /** Unix seconds of each movie's last rating up to `asOf`, or `null`. */
    last: (number | null)[];
  };
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
  /** {@link FeatureExtractorOptions.partnerships}. */
  partnerships: boolean;
  /** {@link FeatureExtractorOptions.partnershipTopCast}. */
  partnershipTopCast: number;
  /** {@link FeatureExtractorOptions.minPartnershipCount}. */
  minPartnershipCount: number;
  /** {@link FeatureExtractorOptions.maxPartnerships}; `null` for no cap (`Infinity`). */
  maxPartnerships: number | null;
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

/**
 * The fitted vocabularies and scales of a {@link FeatureExtractor}, one entry per group (`null` when the group
 * is off): what it needs to build the row of any movie from its metadata.
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type FeatureVocabularies } from 'reelrec';
 * declare const features: FeatureExtractor;
 * const v: FeatureVocabularies | undefined = features.toJSON().vocabularies;
 * console.log(v?.partnerships?.slice(0, 2)); // e.g. ['actor:DeForest Kelley|actor:James Doohan', …]
 * ```
 */
export interface FeatureVocabularies {
  /** The genres, in column order. */
  genres: string[] | null;
  /** The first and last decade of the decade one-hot (e.g. 1920 and 1990). */
  decades: {
    /** First decade (a multiple of 10). */
    first: number;
    /** Last decade (a multiple of 10). */
    last: number;
  } | null;
  /** The largest number of ratings of a movie up to `asOf` (the popularity scale). */
  popularityMax: number | null;
  /** The time (Unix seconds) recency is measured at. */
  recencyAsOf: number | null;
  /** The directors, in column order. */
  directors: string[] | null;
  /** The cast members, in column order. */
  cast: string[] | null;
  /** The pairs, in column order, as `director:X|actor:Y` or `actor:A|actor:B` (column names without `pair:`). */
  partnerships: string[] | null;
  /** The text preprocessor (vocabulary and document frequencies); the projection is rebuilt from the seed. */
  text: PreprocessorJSON | null;
}

/**
 * Custom parts a restored {@link FeatureExtractor} needs to build rows of new movies' text with
 * {@link FeatureExtractor.transformMovies} (they are saved by name only).
 *
 * @example
 * ```ts
 * import { FeatureExtractor, type FeatureTextParts, loadNaturalStemmer } from 'reelrec';
 * declare const json: ReturnType<FeatureExtractor['toJSON']>;
 * const parts: FeatureTextParts = { stemmer: await loadNaturalStemmer() };
 * const features = FeatureExtractor.fromJSON(json, parts);
 * ```
 */
export interface FeatureTextParts {
  /** The stemmer the text was fitted with (natural's Porter stemmer: `await loadNaturalStemmer()`). */
  stemmer?: Stemmer;
  /** The custom tokenizer the text was fitted with (the built-in ones are rebuilt). */
  tokenizer?: Tokenizer;
}

const DAY = 86_400;
const YEAR_DAYS = 365.25;
/** Recency features are `log(1 + days) / log(1 + 36525)`: 100 years gives 1. */
const RECENCY_SCALE = Math.log1p(100 * YEAR_DAYS);
const TEXT_FIELDS: readonly TextField[] = ['plot', 'tags', 'title'];
const GROUP_ORDER: readonly FeatureGroupName[] = [
  'genres',
  'year',
  'popularity',
  'recency',
  'directors',
  'cast',
  'partnerships',
  'text',
];

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
  const maxPartnerships = capOption('features.maxPartnerships', options.maxPartnerships, 1000);
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
    partnerships: boolOption('features.partnerships', options.partnerships, true),
    partnershipTopCast: intOption('features.partnershipTopCast', options.partnershipTopCast, 5, 1),
    minPartnershipCount: intOption('features.minPartnershipCount', options.minPartnershipCount, 2, 1),
    maxPartnerships: Number.isFinite(maxPartnerships) ? maxPartnerships : null,
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

/** What the ratings up to `asOf` say about one movie (`null` for a movie outside the fitted catalogue). */
interface MovieStats {
  /** Ratings up to `asOf`. */
  count: number;
  /** Time of the last of them (`-Infinity` for none). */
  last: number;
}

/** Writes one movie's columns of a group into `out` from `offset` (the columns are zero already). */
type Writer = (out: Float32Array, offset: number, movie: Movie, stats: MovieStats | null) => void;

/** A group's columns and the writer of a movie's values, built from the fitted vocabularies. */
interface Layout {
  names: string[];
  write: Writer;
}

/** Why each group is off (absent: on, or `reason` holds a note). */
type Reasons = Partial<Record<FeatureGroupName, string>>;

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

/** The distinct, trimmed, non-empty names of a people field, in billing order. */
function peopleOf(movie: Movie, field: 'directors' | 'cast'): string[] {
  const list = movie[field];
  if (!Array.isArray(list)) return [];
  return [...new Set(list.map((p) => String(p).trim()).filter((p) => p.length > 0))];
}

/**
 * The partnership keys of a movie: `director:D|actor:A` for each director and each of the first `topCast`
 * distinct cast members (a person is never paired with themself), and `actor:A|actor:B` (A before B in
 * code-unit order) for each unordered pair of those cast members.
 */
function partnershipKeys(movie: Movie, topCast: number): string[] {
  const cast = peopleOf(movie, 'cast').slice(0, topCast);
  const keys = new Set<string>();
  for (const d of peopleOf(movie, 'directors')) {
    for (const a of cast) if (d !== a) keys.add(`director:${d}|actor:${a}`);
  }
  for (let i = 0; i < cast.length; i++) {
    for (let j = i + 1; j < cast.length; j++) {
      const [x, y] = cast[i]! < cast[j]! ? [cast[i]!, cast[j]!] : [cast[j]!, cast[i]!];
      keys.add(`actor:${x}|actor:${y}`);
    }
  }
  return [...keys];
}

const knownYear = (m: Movie): m is Movie & { year: number } =>
  typeof m.year === 'number' && Number.isFinite(m.year);

/** Builds the column names and writers of every group that is on in `v` (the rest get `null`). */
function layouts(
  v: FeatureVocabularies,
  o: SavedFeatureOptions,
  text: () => Preprocessor,
): Record<FeatureGroupName, Layout | null> {
  const out: Record<FeatureGroupName, Layout | null> = {
    genres: null,
    year: null,
    popularity: null,
    recency: null,
    directors: null,
    cast: null,
    partnerships: null,
    text: null,
  };
  if (v.genres !== null && v.genres.length > 0) {
    const enc = new MultiHotEncoder(v.genres);
    out.genres = {
      names: enc.featureNames('genre:'),
      write: (o2, at, movie) => enc.encodeInto(o2, at, Array.isArray(movie.genres) ? movie.genres : []),
    };
  }
  if (v.decades !== null) {
    const { first, last } = v.decades;
    const names = ['year', 'year:unknown'];
    for (let d = first; d <= last; d += 10) names.push(`decade:${d}s`);
    out.year = {
      names,
      write: (o2, at, movie) => {
        if (!knownYear(movie)) {
          o2[at + 1] = 1;
          return;
        }
        o2[at] = (movie.year - 1900) / 100;
        const d = Math.floor(movie.year / 10) * 10;
        // A decade outside the fitted range (a new movie's) has no column.
        if (d >= first && d <= last) o2[at + 2 + (d - first) / 10] = 1;
      },
    };
  }
  if (v.popularityMax !== null && v.popularityMax > 0) {
    const scale = Math.log1p(v.popularityMax);
    out.popularity = {
      names: ['popularity'],
      write: (o2, at, _movie, stats) => {
        if (stats !== null) o2[at] = Math.log1p(stats.count) / scale;
      },
    };
  }
  if (v.recencyAsOf !== null) {
    const asOf = v.recencyAsOf;
    const asOfDays = asOf / DAY;
    out.recency = {
      names: ['age', 'since_last_rating'],
      write: (o2, at, movie, stats) => {
        if (knownYear(movie)) {
          const ageDays = asOfDays - (movie.year + 0.5 - 1970) * YEAR_DAYS;
          o2[at] = ageDays > 0 ? Math.log1p(ageDays) / RECENCY_SCALE : 0;
        }
        const l = stats === null ? Number.NEGATIVE_INFINITY : stats.last;
        o2[at + 1] = Number.isFinite(l) ? Math.log1p((asOf - l) / DAY) / RECENCY_SCALE : 1;
      },
    };
  }
  for (const field of ['directors', 'cast'] as const) {
    const people = v[field];
    if (people === null || people.length === 0) continue;
    const enc = new MultiHotEncoder(people);
    out[field] = {
      names: enc.featureNames(field === 'directors' ? 'director:' : 'cast:'),
      write: (o2, at, movie) => enc.encodeInto(o2, at, peopleOf(movie, field)),
    };
  }
  if (v.partnerships !== null && v.partnerships.length > 0) {
    const enc = new MultiHotEncoder(v.partnerships);
    const top = o.partnershipTopCast;
    out.partnerships = {
      names: enc.featureNames('pair:'),
      write: (o2, at, movie) => enc.encodeInto(o2, at, partnershipKeys(movie, top)),
    };
  }
  if (v.text !== null) {
    const vocabSize = v.text.vocabulary?.tokens.length ?? 0;
    if (vocabSize > 1) {
      // Seeded Gaussian random projection: one row of textDims N(0, 1/textDims) entries per token id (id 0,
      // the OOV token, never has TF-IDF weight).
      const d = o.textDims;
      const rng = new Rng(o.seed).fork('features.text-projection');
      const projection = new Float32Array(vocabSize * d);
      const sd = 1 / Math.sqrt(d);
      for (let i = d; i < projection.length; i++) projection[i] = rng.normal() * sd;
      out.text = {
        names: Array.from({ length: d }, (_, j) => `text:${j}`),
        write: (o2, at, movie) => {
          const t = movieText(movie, o.textFields);
          if (t.length === 0) return;
          const { indices, values } = text().tfidf(t);
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
          for (let j = 0; j < d; j++) o2[at + j] = acc[j]! / norm;
        },
      };
    }
  }
  return out;
}

/**
 * Checks a list of movies to add: an array of Movie objects with integer ids that do not repeat.
 *
 * @throws {ConfigError} naming the first entry that is not.
 * @internal
 */
export function checkMovieList(movies: readonly Movie[]): readonly Movie[] {
  if (!Array.isArray(movies)) throw new ConfigError('movies', 'an array of Movie objects', movies);
  const seen = new Set<number>();
  movies.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || !Number.isInteger(m.id)) {
      throw new ConfigError(`movies[${i}]`, 'a Movie object with an integer id', m);
    }
    if (seen.has(m.id)) throw new ConfigError(`movies[${i}].id`, 'ids that do not repeat', m.id);
    seen.add(m.id);
  });
  return movies;
}

/** The fitted state. */
interface State {
  summary: FeatureSummary;
  names: string[];
  movieIds: number[];
  rowOf: Map<number, number>;
  rows: Float32Array;
  norms: Float64Array;
  /** `null` for a document saved before vocabularies were saved. */
  vocab: FeatureVocabularies | null;
  /** Ratings up to `asOf` of each row's movie. */
  counts: Float64Array;
  /** Last rating up to `asOf` of each row's movie (`-Infinity` for none). */
  last: Float64Array;
  /** Each enabled group's offset and writer, in column order (empty without vocabularies). */
  writers: { offset: number; write: Writer }[];
}

/** Feature columns computed from a movie's ratings rather than its content. */
const RATING_COUNT_FEATURES = ['popularity', 'since_last_rating'];

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
 * - **partnerships**: a multi-hot of recurring pairs of people: each director with each of the first
 *   `partnershipTopCast` distinct cast members (`pair:director:D|actor:A`), and each unordered pair of those
 *   cast members (`pair:actor:A|actor:B`, A before B in code-unit order); a person is never paired with
 *   themself. A pair is kept when it occurs in at least `minPartnershipCount` movies; at most
 *   `maxPartnerships` are kept, the most frequent first, ties by name (code-unit order), in that column order;
 * - **text**: the L2-normalised TF-IDF (see {@link Preprocessor}) of each movie's plot and tags over a
 *   vocabulary fitted on the catalogue, projected to `textDims` columns by a seeded Gaussian random projection
 *   (entries N(0, 1/textDims)) and L2-normalised again (`text:0`, …); movies without text get zeros. A later
 *   version may replace the projection by a truncated SVD.
 *
 * `fit` is async because it may load natural's Porter stemmer; `transform` is synchronous. Rows are computed
 * at `fit` for every movie of `dataset.movies`; an id outside them gets an all-zero row from `transform` (see
 * `has`), while {@link FeatureExtractor.transformMovies} builds the row of any movie from its metadata with the
 * fitted vocabularies (cold start of a new movie).
 *
 * @example
 * ```ts
 * import { FeatureExtractor, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./data/ml-100k');
 * const features = await new FeatureExtractor({ textDims: 16 }).fit(data);
 * const rows = features.transform([1, 2, 3]); // Float32Array of 3 × features.dim
 * console.log(features.featureNames().slice(0, 3)); // ['genre:unknown', 'genre:Action', 'genre:Adventure']
 * console.log(features.similar(1, 5)); // [{ movieId, score }, …]
 * const fresh = features.transformMovies([{ id: 5000, title: 'New (1998)', year: 1998, genres: ['Drama'] }]);
 * ```
 */
export class FeatureExtractor {
  private readonly saved: SavedFeatureOptions;
  private readonly stemmerOption: Stemmer | undefined;
  private readonly tokenizerOption: Tokenizer | undefined;
  private state: State | null = null;
  /** The fitted text preprocessor; `null` until it is needed after `fromJSON` (then rebuilt from the JSON). */
  private textPre: Preprocessor | null = null;

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

    const o = this.saved;
    const reasons: Reasons = {};
    const vocab: FeatureVocabularies = {
      genres: this.fitGenres(dataset, reasons),
      decades: this.fitDecades(movies, reasons),
      popularityMax: null,
      recencyAsOf: null,
      directors: this.fitPeople(movies, 'directors', reasons),
      cast: this.fitPeople(movies, 'cast', reasons),
      partnerships: null,
      text: null,
    };
    if (!o.popularity) reasons.popularity = 'disabled by options';
    else if (used === 0) reasons.popularity = 'no rating of a known movie at or before asOf';
    else vocab.popularityMax = counts.reduce((a, b) => Math.max(a, b), 0);
    if (!o.recency) reasons.recency = 'disabled by options';
    else if (asOf === null) reasons.recency = 'no ratings and no asOf to measure time from';
    else vocab.recencyAsOf = asOf;
    const pairs = this.fitPartnerships(movies, reasons);
    vocab.partnerships = pairs?.keys ?? null;
    const text = await this.fitText(movies, reasons);
    vocab.text = text.pre?.toJSON() ?? null;
    this.textPre = text.pre;

    const { summaries, names, writers } = this.layout(vocab, reasons);
    const dim = names.length;
    const rows = new Float32Array(movies.length * dim);
    movies.forEach((movie, r) => {
      const stats = { count: counts[r]!, last: last[r]! };
      for (const w of writers) w.write(rows, r * dim + w.offset, movie, stats);
    });
    const summary: FeatureSummary = {
      dim,
      movies: movies.length,
      asOf,
      groups: summaries,
      ratingsUsed: used,
      ratingsAfterAsOf: after,
      ratingsUnknownMovie: unknown,
      partnerships: pairs?.info ?? null,
      text: text.info,
    };
    const movieIds = movies.map((m) => m.id);
    this.state = {
      summary,
      names,
      movieIds,
      rowOf,
      rows,
      norms: rowNorms(rows, movieIds.length, dim),
      vocab,
      counts,
      last,
      writers,
    };
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
   * Column names, e.g. `genre:Comedy`, `year`, `decade:1990s`, `popularity`, `age`, `director:…`,
   * `pair:director:…|actor:…`, `text:0`.
   *
   * @throws {StateError} before `fit`.
   */
  featureNames(): string[] {
    return [...this.fittedState().names];
  }

  /**
   * Indices of the columns that count a movie's ratings (`popularity`, `since_last_rating`): what a movie
   * nobody has rated cannot have a meaningful value in, so content-only models (cold start, content-kNN) leave
   * them out.
   *
   * @throws {StateError} before `fit`.
   */
  ratingCountColumns(): number[] {
    return this.fittedState().names.flatMap((n, i) => (RATING_COUNT_FEATURES.includes(n) ? [i] : []));
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
   * The rows of `movieIds`, row-major (`movieIds.length × dim`); an id without a row gives zeros (build the
   * row of a movie outside the catalogue from its metadata with {@link FeatureExtractor.transformMovies}).
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
   * The rows of movies built from their metadata (genres, year, people, plot, tags, title) with the fitted
   * vocabularies, row-major (`movies.length × dim`): the cold-start path for a movie the extractor was not
   * fitted on. What the vocabularies do not hold gets no column (an unknown genre, person, pair or token; a
   * decade outside the fitted range). The rating-based columns come from the fitted ratings when the movie's
   * id is in the catalogue; otherwise the movie counts as unrated: `popularity` 0 and `since_last_rating` 1 (the
   * "never rated" value), while `age` follows from its year. A catalogue movie given with the metadata it was
   * fitted with gets exactly its `transform` row.
   *
   * @throws {ConfigError} when an entry is not a movie object.
   * @throws {StateError} before `fit`; for an extractor restored from a document saved without vocabularies;
   *   or when a new movie has text and the restored extractor lacks the stemmer or tokenizer it was fitted with
   *   (restore it with {@link FeatureExtractor.restore}, or pass them to {@link FeatureExtractor.fromJSON}).
   */
  transformMovies(movies: readonly Movie[]): Float32Array {
    const s = this.fittedState();
    if (s.vocab === null) {
      throw new StateError(
        'FeatureExtractor.transformMovies: this extractor was saved without its vocabularies; fit it again',
      );
    }
    if (!Array.isArray(movies)) throw new ConfigError('movies', 'an array of Movie objects', movies);
    const dim = s.names.length;
    const out = new Float32Array(movies.length * dim);
    movies.forEach((movie, i) => {
      if (typeof movie !== 'object' || movie === null) {
        throw new ConfigError(`movies[${i}]`, 'a Movie object', movie);
      }
      const row = typeof movie.id === 'number' ? s.rowOf.get(movie.id) : undefined;
      const stats = row === undefined ? null : { count: s.counts[row]!, last: s.last[row]! };
      for (const w of s.writers) w.write(out, i * dim + w.offset, movie, stats);
    });
    return out;
  }

  /**
   * Gives movies the extractor was not fitted on a row of their own, built from their metadata as in
   * {@link FeatureExtractor.transformMovies} (unrated: `popularity` 0, `since_last_rating` 1), so that
   * {@link FeatureExtractor.transform}, {@link FeatureExtractor.similar} and {@link FeatureExtractor.has} know
   * them and {@link FeatureExtractor.toJSON} saves them. Movies that already have a row keep it.
   *
   * @returns the ids that got a row, in the order given.
   * @throws {ConfigError} when an entry is not a movie with an integer id, or an id repeats.
   * @throws {StateError} as {@link FeatureExtractor.transformMovies} does.
   *
   * @example
   * ```ts
   * import { FeatureExtractor, generateSyntheticCatalog } from 'reelrec';
   * const data = generateSyntheticCatalog({ users: 20, movies: 30, seed: 1 });
   * const features = await new FeatureExtractor().fit(data);
   * const premiere = { ...data.movies[0]!, id: 1000, title: 'Premiere (2026)' };
   * features.addMovies([premiere]); // [1000]
   * console.log(features.similar(1000, 3)); // the movies most like the premiere, by content
   * ```
   */
  addMovies(movies: readonly Movie[]): number[] {
    const s = this.fittedState();
    const fresh = checkMovieList(movies).filter((m) => !s.rowOf.has(m.id));
    if (fresh.length === 0) return [];
    const added = this.transformMovies(fresh);
    const n = s.movieIds.length;
    const dim = s.names.length;
    const rows = new Float32Array((n + fresh.length) * dim);
    rows.set(s.rows);
    rows.set(added, n * dim);
    const grow = (old: Float64Array, fill: number): Float64Array => {
      const out = new Float64Array(n + fresh.length).fill(fill);
      out.set(old);
      return out;
    };
    fresh.forEach((m, i) => {
      s.rowOf.set(m.id, n + i);
      s.movieIds.push(m.id);
    });
    s.rows = rows;
    s.norms = rowNorms(rows, n + fresh.length, dim);
    s.counts = grow(s.counts, 0);
    s.last = grow(s.last, Number.NEGATIVE_INFINITY);
    s.summary.movies = s.movieIds.length;
    return fresh.map((m) => m.id);
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
    const json: FeatureExtractorJSON = {
      format: 'reelrec.features',
      version: 1,
      options: structuredClone(this.saved),
      summary: structuredClone(s.summary),
      names: [...s.names],
      movieIds: [...s.movieIds],
      rows: toSparseRows(s.rows, s.movieIds.length, s.names.length),
    };
    if (s.vocab !== null) {
      json.vocabularies = structuredClone(s.vocab);
      json.ratingStats = {
        counts: Array.from(s.counts),
        last: Array.from(s.last, (t) => (Number.isFinite(t) ? t : null)),
      };
    }
    return json;
  }

  /**
   * Restores an extractor saved by {@link FeatureExtractor.toJSON}. It transforms catalogue ids without
   * `natural`; to build rows of new movies' text with {@link FeatureExtractor.transformMovies}, it needs the
   * stemmer (and custom tokenizer) the text was fitted with, in `parts` (or use {@link FeatureExtractor.restore},
   * which loads natural's Porter stemmer itself). Fitting it again uses the saved options (and the custom
   * stemmer or tokenizer of `parts`, if any).
   *
   * @throws {ModelFormatError} when `json` is not a saved feature extractor.
   */
  static fromJSON(json: FeatureExtractorJSON, parts: FeatureTextParts = {}): FeatureExtractor {
    const what = 'reelrec.features';
    expectStamp(json, what, 1);
    expectFormat(
      typeof json.options === 'object' && json.options !== null,
      what,
      'options must be an object',
    );
    expectFormat(isStringArray(json.names), what, 'names must be a string array');
    expectFormat(isNumberArray(json.movieIds), what, 'movieIds must be a number array');
    const n = json.movieIds.length;
    const rows = fromSparseRows(json.rows, n, json.names.length);
    expectFormat(json.summary?.dim === json.names.length, what, 'summary.dim must equal names.length');
    expectFormat(Array.isArray(json.summary.groups), what, 'summary.groups must be an array');
    const { maxDirectors, maxCast, maxPartnerships, textVocabularySize, ...rest } = json.options;
    let fe: FeatureExtractor;
    try {
      fe = new FeatureExtractor({
        ...rest,
        maxDirectors: maxDirectors ?? Number.POSITIVE_INFINITY,
        maxCast: maxCast ?? Number.POSITIVE_INFINITY,
        maxPartnerships: maxPartnerships ?? Number.POSITIVE_INFINITY,
        textVocabularySize: textVocabularySize ?? Number.POSITIVE_INFINITY,
        stemmer: parts.stemmer,
        tokenizer: parts.tokenizer,
      });
    } catch (err) {
      throw new ModelFormatError(`${what}: bad options`, { cause: err });
    }
    const rowOf = new Map<number, number>();
    json.movieIds.forEach((id, i) => {
      rowOf.set(id, i);
    });
    expectFormat(rowOf.size === n, what, 'movieIds must be distinct');

    let vocab: FeatureVocabularies | null = null;
    const counts = new Float64Array(n);
    const last = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    let writers: State['writers'] = [];
    if (json.vocabularies !== undefined) {
      vocab = parseVocabularies(json.vocabularies);
      const stats = json.ratingStats;
      expectFormat(
        isNumberArray(stats?.counts) &&
          stats.counts.length === n &&
          Array.isArray(stats.last) &&
          stats.last.length === n &&
          stats.last.every((t) => t === null || (typeof t === 'number' && Number.isFinite(t))),
        what,
        `ratingStats must hold ${n} counts and ${n} last times (or null)`,
      );
      counts.set(stats.counts);
      stats.last.forEach((t, i) => {
        if (t !== null) last[i] = t;
      });
      const reasons: Reasons = {};
      for (const g of json.summary.groups) if (!g.enabled) reasons[g.name] = g.reason;
      const laid = fe.layout(vocab, reasons);
      expectFormat(
        laid.names.length === json.names.length && laid.names.every((x, i) => x === json.names[i]),
        what,
        'the vocabularies do not give the saved column names',
      );
      writers = laid.writers;
    }
    fe.state = {
      summary: structuredClone(json.summary),
      names: [...json.names],
      movieIds: [...json.movieIds],
      rowOf,
      rows,
      norms: rowNorms(rows, n, json.names.length),
      vocab,
      counts,
      last,
      writers,
    };
    return fe;
  }

  /**
   * {@link FeatureExtractor.fromJSON}, and when the saved text was stemmed with natural's Porter stemmer and
   * `parts` brings none, loads it (so {@link FeatureExtractor.transformMovies} works on new movies' text). If
   * `natural` is not installed the extractor is restored all the same: only `transformMovies` of a new movie
   * with text then throws.
   *
   * @throws {ModelFormatError} when `json` is not a saved feature extractor.
   *
   * @example
   * ```ts
   * import { FeatureExtractor } from 'reelrec';
   * declare const json: ReturnType<FeatureExtractor['toJSON']>;
   * const features = await FeatureExtractor.restore(json);
   * features.transformMovies([{ id: 9999, title: 'New', year: 2024, genres: ['Drama'], plot: 'A new story.' }]);
   * ```
   */
  static async restore(json: FeatureExtractorJSON, parts: FeatureTextParts = {}): Promise<FeatureExtractor> {
    let stemmer = parts.stemmer;
    if (stemmer === undefined && json?.vocabularies?.text?.stemmer === 'porter') {
      try {
        stemmer = await loadNaturalStemmer();
      } catch (err) {
        if (!(err instanceof DependencyError)) throw err;
      }
    }
    return FeatureExtractor.fromJSON(json, { ...parts, stemmer });
  }

  private fittedState(): State {
    if (this.state === null) throw new StateError('FeatureExtractor needs fitting: call fit(dataset) first');
    return this.state;
  }

  /** Column names, group summaries and writers from the vocabularies and the reasons groups are off. */
  private layout(
    vocab: FeatureVocabularies,
    reasons: Reasons,
  ): { summaries: FeatureGroupSummary[]; names: string[]; writers: State['writers'] } {
    const laid = layouts(vocab, this.saved, () => this.textPreprocessor());
    const names: string[] = [];
    const summaries: FeatureGroupSummary[] = [];
    const writers: State['writers'] = [];
    for (const name of GROUP_ORDER) {
      const l = laid[name];
      const offset = names.length;
      if (l === null) {
        summaries.push({ name, enabled: false, offset, dim: 0, reason: reasons[name] ?? 'off' });
        continue;
      }
      summaries.push({ name, enabled: true, offset, dim: l.names.length, reason: reasons[name] ?? 'on' });
      names.push(...l.names);
      writers.push({ offset, write: l.write });
    }
    return { summaries, names, writers };
  }

  /** The fitted text preprocessor, rebuilt from the saved vocabulary on first use after `fromJSON`. */
  private textPreprocessor(): Preprocessor {
    if (this.textPre !== null) return this.textPre;
    const saved = this.state?.vocab?.text;
    if (saved === null || saved === undefined) {
      throw new StateError('FeatureExtractor: the text group has no fitted preprocessor');
    }
    try {
      this.textPre = Preprocessor.fromJSON(saved, {
        stemmer: this.stemmerOption,
        tokenizer: this.tokenizerOption,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new StateError(
        `FeatureExtractor.transformMovies: ${err.message}; restore the extractor with ` +
          '`await FeatureExtractor.restore(json)` or pass it to `FeatureExtractor.fromJSON(json, parts)`',
      );
    }
    return this.textPre;
  }

  private fitGenres(dataset: Dataset, reasons: Reasons): string[] | null {
    if (!this.saved.genres) {
      reasons.genres = 'disabled by options';
      return null;
    }
    const genres = [...new Set(dataset.genres)];
    if (genres.length === 0) {
      reasons.genres = 'the data set has no genres';
      return null;
    }
    return genres;
  }

  private fitDecades(movies: readonly Movie[], reasons: Reasons): FeatureVocabularies['decades'] {
    if (!this.saved.year) {
      reasons.year = 'disabled by options';
      return null;
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const m of movies) {
      if (!knownYear(m)) continue;
      const d = Math.floor(m.year / 10) * 10;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    if (lo > hi) {
      reasons.year = 'no movie has a year';
      return null;
    }
    return { first: lo, last: hi };
  }

  private fitPeople(
    movies: readonly Movie[],
    field: 'directors' | 'cast',
    reasons: Reasons,
  ): string[] | null {
    const off = (reason: string) => {
      reasons[field] = reason;
      return null;
    };
    if (!this.saved.people) return off('disabled by options');
    const cap = field === 'directors' ? this.saved.maxDirectors : this.saved.maxCast;
    if (cap === 0) return off(`${field === 'directors' ? 'maxDirectors' : 'maxCast'} is 0`);
    if (!hasPeople(movies, field)) return off(`no movie has ${field}`);
    const min = this.saved.minPeopleCount;
    const enc = MultiHotEncoder.fit(
      movies.map((m) => peopleOf(m, field)),
      { minCount: min, maxCategories: cap ?? Number.POSITIVE_INFINITY },
    );
    if (enc.categories.length === 0) {
      return off(`no ${field === 'directors' ? 'director' : 'cast member'} appears in ≥ ${min} movies`);
    }
    return [...enc.categories];
  }

  private fitPartnerships(
    movies: readonly Movie[],
    reasons: Reasons,
  ): { keys: string[]; info: NonNullable<FeatureSummary['partnerships']> } | null {
    const o = this.saved;
    const off = (reason: string) => {
      reasons.partnerships = reason;
      return null;
    };
    if (!o.partnerships) return off('disabled by options');
    if (o.maxPartnerships === 0) return off('maxPartnerships is 0');
    if (!hasPeople(movies, 'cast')) return off('no movie has cast');
    const counts = new Map<string, number>();
    for (const m of movies) {
      for (const key of partnershipKeys(m, o.partnershipTopCast)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const found = [...counts].filter(([, c]) => c >= o.minPartnershipCount).sort(byCountThenName);
    if (found.length === 0) {
      return off(`no pair of people appears together in ≥ ${o.minPartnershipCount} movies`);
    }
    const keys = found.slice(0, o.maxPartnerships ?? found.length).map(([k]) => k);
    const directorActor = keys.filter((k) => k.startsWith('director:')).length;
    return {
      keys,
      info: {
        topCast: o.partnershipTopCast,
        found: found.length,
        kept: keys.length,
        directorActor,
        actorActor: keys.length - directorActor,
      },
    };
  }

  private async fitText(
    movies: readonly Movie[],
    reasons: Reasons,
  ): Promise<{ pre: Preprocessor | null; info: FeatureSummary['text'] }> {
    const o = this.saved;
    const off = (reason: string) => {
      reasons.text = reason;
      return { pre: null, info: null };
    };
    if (!o.text) return off('disabled by options');
    const texts = movies.map((m) => movieText(m, o.textFields)).filter((t) => t.length > 0);
    if (texts.length === 0) return off(`no movie has ${o.textFields.join(' or ')}`);

    // Only now, with text to process, is natural loaded (and only when stemming is asked for).
    let stemmer: Stemmer | null = this.stemmerOption ?? null;
    if (stemmer === null && o.stem !== false) {
      try {
        stemmer = await loadNaturalStemmer();
      } catch (err) {
        if (o.stem === true || !(err instanceof DependencyError)) throw err;
        reasons.text = 'on, without stemming: the optional package "natural" is not installed';
      }
    }
    const pre = new Preprocessor({
      tokenizer: this.tokenizerOption,
      stemmer,
      stopWords: o.stopWords,
      ngrams: o.ngrams,
    });
    pre.fit(texts, { minDocs: o.textMinDocs, maxSize: o.textVocabularySize ?? Number.POSITIVE_INFINITY });
    const vocab = pre.vocabulary;
    if (vocab.size <= 1) return off(`no token appears in the text of ≥ ${o.textMinDocs} movies`);
    return {
      pre,
      info: {
        stemmer: pre.stemmerName,
        tokenizer: pre.tokenizerName,
        vocabularySize: vocab.size - 1,
        documents: texts.length,
      },
    };
  }
}

/** Checks the saved vocabularies' shapes. */
function parseVocabularies(v: FeatureVocabularies): FeatureVocabularies {
  const what = 'reelrec.features';
  expectFormat(typeof v === 'object' && v !== null, what, 'vocabularies must be an object');
  const list = (x: unknown, name: string) =>
    expectFormat(x === null || isStringArray(x), what, `vocabularies.${name} must be a string array or null`);
  list(v.genres, 'genres');
  list(v.directors, 'directors');
  list(v.cast, 'cast');
  list(v.partnerships, 'partnerships');
  expectFormat(
    v.decades === null ||
      (Number.isInteger(v.decades?.first) &&
        Number.isInteger(v.decades?.last) &&
        v.decades.first <= v.decades.last),
    what,
    'vocabularies.decades must be { first, last } or null',
  );
  for (const key of ['popularityMax', 'recencyAsOf'] as const) {
    const x = v[key];
    expectFormat(
      x === null || (typeof x === 'number' && Number.isFinite(x)),
      what,
      `vocabularies.${key} must be a number or null`,
    );
  }
  expectFormat(
    v.text === null || (typeof v.text === 'object' && v.text.format === 'reelrec.preprocessor'),
    what,
    'vocabularies.text must be a saved preprocessor or null',
  );
  return structuredClone(v);
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
