/**
 * Domain types: ratings, movies, users, data sets and the load report.
 *
 * Ratings are stored column-wise in a {@link RatingTable} (typed arrays), so a 25-million-rating file costs
 * about 20 bytes a rating instead of an object each; `table.at(i)` and iteration give plain objects.
 *
 * @module
 */

/** One rating: a user rated a movie at a time (Unix seconds). */
export interface Rating {
  /** Id of the user who rated. */
  userId: number;
  /** Id of the movie rated. */
  movieId: number;
  /** On the data set's scale, e.g. 1–5 (ML-100k) or 0.5–5 in half stars (ml-latest). */
  rating: number;
  /** Unix time in seconds. */
  timestamp: number;
}

/** A movie and what is known about it. Optional fields are absent when the data set lacks them. */
export interface Movie {
  /** The data set's movie id. */
  id: number;
  /** Title as given by the source, year included, e.g. `'Toy Story (1995)'`. */
  title: string;
  /** Release year, or `null` when unknown. */
  year: number | null;
  /** Genre names, in the data set's genre order. */
  genres: string[];
  /** Release date as printed in the source (`01-Jan-1995` in ML-100k), when present. */
  releaseDate?: string;
  /** Link to the movie's IMDb page (ML-100k `u.item`, ml-latest `links.csv`), when present. */
  imdbUrl?: string;
  /** One-paragraph plot (IMDb details). */
  plot?: string;
  /** Director names (IMDb details). */
  directors?: string[];
  /** Writer names (IMDb details). */
  writers?: string[];
  /** Cast names (IMDb details). */
  cast?: string[];
  /** Free-text tags (ml-latest `tags.csv`). */
  tags?: string[];
}

/** A user and their demographics (fields are `null` when the data set lacks them). */
export interface User {
  /** The data set's user id. */
  id: number;
  /** Age in years, or `null`. */
  age: number | null;
  /** `'M'`, `'F'` or `null`. */
  gender: string | null;
  /** Occupation name as given by the source (ML-1M codes are mapped to names), or `null`. */
  occupation: string | null;
  /** Zip (postal) code as a string, or `null`. */
  zip: string | null;
}

/** The rating scale of a data set. */
export interface RatingScale {
  /** Lowest possible rating. */
  min: number;
  /** Highest possible rating. */
  max: number;
  /** Smallest step between ratings: 1 for whole stars, 0.5 for half stars. */
  step: number;
}

/**
 * Ratings stored column-wise. Rows keep the order in which they were added (file order), which the
 * protocols' stable time sort relies on.
 *
 * @example
 * ```ts
 * import { RatingTable } from 'reelrec';
 * const table = RatingTable.from([
 *   { userId: 1, movieId: 10, rating: 4, timestamp: 100 },
 *   { userId: 1, movieId: 11, rating: 3, timestamp: 200 },
 * ]);
 * console.log(table.length, table.at(1).movieId); // 2 11
 * for (const r of table) console.log(r.rating);
 * ```
 */
export class RatingTable implements Iterable<Rating> {
  /** User id of each row. */
  readonly userIds: Int32Array;
  /** Movie id of each row. */
  readonly movieIds: Int32Array;
  /** Rating of each row. */
  readonly ratings: Float32Array;
  /** Unix time (seconds) of each row. */
  readonly timestamps: Float64Array;

  constructor(userIds: Int32Array, movieIds: Int32Array, ratings: Float32Array, timestamps: Float64Array) {
    const n = userIds.length;
    if (movieIds.length !== n || ratings.length !== n || timestamps.length !== n) {
      throw new RangeError(
        `RatingTable columns must have equal lengths, got ${n}/${movieIds.length}/${ratings.length}/${timestamps.length}`,
      );
    }
    this.userIds = userIds;
    this.movieIds = movieIds;
    this.ratings = ratings;
    this.timestamps = timestamps;
  }

  /** Number of ratings. */
  get length(): number {
    return this.userIds.length;
  }

  /** Builds a table from rating objects. */
  static from(ratings: Iterable<Rating>): RatingTable {
    const builder = new RatingTableBuilder();
    for (const r of ratings) builder.push(r.userId, r.movieId, r.rating, r.timestamp);
    return builder.build();
  }

  /** Row `i` as a plain object. */
  at(i: number): Rating {
    if (i < 0 || i >= this.length || !Number.isInteger(i)) {
      throw new RangeError(`row ${i} is outside 0..${this.length - 1}`);
    }
    return {
      userId: this.userIds[i]!,
      movieId: this.movieIds[i]!,
      rating: this.ratings[i]!,
      timestamp: this.timestamps[i]!,
    };
  }

  /** A new table with the given rows, in the order given. */
  select(rows: ArrayLike<number>): RatingTable {
    const n = rows.length;
    const u = new Int32Array(n);
    const m = new Int32Array(n);
    const r = new Float32Array(n);
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = rows[k]!;
      u[k] = this.userIds[i]!;
      m[k] = this.movieIds[i]!;
      r[k] = this.ratings[i]!;
      t[k] = this.timestamps[i]!;
    }
    return new RatingTable(u, m, r, t);
  }

  /** Rows for which `keep` returns true, in order. */
  filter(keep: (row: number, table: RatingTable) => boolean): RatingTable {
    const rows: number[] = [];
    for (let i = 0; i < this.length; i++) if (keep(i, this)) rows.push(i);
    return this.select(rows);
  }

  /** All rows as plain objects. */
  toArray(): Rating[] {
    const out = new Array<Rating>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  /** Iterates the rows as plain objects, in order. */
  *[Symbol.iterator](): Iterator<Rating> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/**
 * Grows a {@link RatingTable} row by row with amortised doubling; memory stays proportional to the rows kept.
 *
 * @example
 * ```ts
 * import { RatingTableBuilder } from 'reelrec';
 * const b = new RatingTableBuilder();
 * b.push(1, 10, 4, 874965758);
 * const table = b.build();
 * console.log(table.length); // 1
 * ```
 */
export class RatingTableBuilder {
  private u: Int32Array;
  private m: Int32Array;
  private r: Float32Array;
  private t: Float64Array;
  private n = 0;

  constructor(initialCapacity = 1024) {
    const c = Math.max(16, initialCapacity);
    this.u = new Int32Array(c);
    this.m = new Int32Array(c);
    this.r = new Float32Array(c);
    this.t = new Float64Array(c);
  }

  /** Rows pushed so far. */
  get length(): number {
    return this.n;
  }

  /** Appends one row. */
  push(userId: number, movieId: number, rating: number, timestamp: number): void {
    if (this.n === this.u.length) this.grow();
    const i = this.n++;
    this.u[i] = userId;
    this.m[i] = movieId;
    this.r[i] = rating;
    this.t[i] = timestamp;
  }

  /** The table of the rows pushed (copied to exact size). */
  build(): RatingTable {
    const n = this.n;
    return new RatingTable(this.u.slice(0, n), this.m.slice(0, n), this.r.slice(0, n), this.t.slice(0, n));
  }

  private grow(): void {
    const c = this.u.length * 2;
    const u = new Int32Array(c);
    u.set(this.u);
    const m = new Int32Array(c);
    m.set(this.m);
    const r = new Float32Array(c);
    r.set(this.r);
    const t = new Float64Array(c);
    t.set(this.t);
    this.u = u;
    this.m = m;
    this.r = r;
    this.t = t;
  }
}

/** One step of a user's history. */
export interface HistoryItem {
  /** The movie the user rated or watched. */
  movieId: number;
  /** The user's rating of it, on the data set's scale; absent for implicit feedback. */
  rating?: number;
  /** Unix seconds; absent when unknown. */
  timestamp?: number;
}

/**
 * What is known about a user at scoring time: their history in time order (oldest first) and, optionally,
 * who they are. A known `userId` lets a model use what it learned about the user; a history alone (or
 * demographics alone) is the cold-start path.
 */
export interface UserHistory {
  /** The user's id, when the user is known to the model. */
  userId?: number;
  /** The history, oldest first. */
  items: readonly HistoryItem[];
  /** Demographics, for cold start. */
  user?: Partial<Omit<User, 'id'>>;
}

/** How a data source was recognised. */
export type DatasetFormat = 'ml-100k' | 'ml-1m' | 'ml-latest' | 'synthetic' | 'custom';

/** One problem found while loading, with where it was. */
export interface LoadIssue {
  /** Short reason code, e.g. `'field-count'`, `'rating-range'`, `'duplicate'`, `'dangling-movie'`. */
  reason: string;
  /** `'skipped'`: the line was left out; `'flagged'`: kept, but suspicious. */
  outcome: 'skipped' | 'flagged';
  /** File name relative to the data directory. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  /** Name of the offending field, e.g. `'rating'`. */
  field: string;
  /** What the field should have held. */
  expected: string;
  /** What it held. */
  found: string;
}

/** Per-file counts of a load. */
export interface FileReport {
  /** File name relative to the data directory. */
  file: string;
  /** Encoding the file was read with, e.g. `'latin1'` or `'utf-8'`. */
  encoding: string;
  /** Non-blank data lines read (header lines not counted). */
  lines: number;
  /** Records kept without remark. */
  accepted: number;
  /** Records kept but flagged as suspicious. */
  flagged: number;
  /** Records left out. */
  skipped: number;
  /** Count of skipped or flagged records by reason code. */
  reasons: Record<string, number>;
}

/**
 * What a load did: every file read, how many records were accepted, flagged or skipped and why, and the first
 * issues in detail. Nothing is dropped without being counted here.
 */
export interface LoadReport {
  /** The directory (or label) the data came from. */
  source: string;
  /** The format the data was read as. */
  format: DatasetFormat;
  /** `'strict'`: the first bad record throws; `'lenient'`: bad records are skipped and counted. */
  mode: 'strict' | 'lenient';
  /** One entry for each file read. */
  files: FileReport[];
  /** The first issues in detail (at most `maxIssues` of the load options; counts above are complete). */
  issues: LoadIssue[];
  /** Issues not listed in `issues` because of the cap. */
  issuesOmitted: number;
}

/**
 * A loaded data set: ratings, movies, users and the report of how it was read.
 *
 * @example
 * ```ts
 * import { loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./data/ml-100k');
 * console.log(data.ratings.length, data.movies.length, data.users.length);
 * ```
 */
export interface Dataset {
  /** A human-readable name, e.g. `'ml-100k'`. */
  name: string;
  /** The format the data was read as (`'synthetic'` for generated data). */
  format: DatasetFormat;
  /** Every rating, in file order. */
  ratings: RatingTable;
  /** Movies, sorted by id. */
  movies: Movie[];
  /** Users with demographics, sorted by id; empty when the data set has none (ml-latest). */
  users: User[];
  /** Genre vocabulary in the data set's order. */
  genres: string[];
  /** The scale ratings are on. */
  ratingScale: RatingScale;
  /** How the data was read: files, counts and issues. */
  report: LoadReport;
}
