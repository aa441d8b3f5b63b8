/**
 * User profiles: what a history and demographics say about a user, as a readable object and as a dense
 * vector of fixed size (to set a sequence model's initial state, or to serve cold start).
 *
 * @module
 */
import { userTimelines } from '../data/split';
import type { Dataset, User, UserHistory } from '../data/types';
import { ConfigError, ModelFormatError, StateError } from '../errors';
import type { FeatureExtractor } from '../features/feature-extractor';
import {
  boolOption,
  expectFormat,
  expectStamp,
  intOption,
  isNumberArray,
  isStringArray,
  numberOption,
} from '../preprocess/check';
import { OneHotEncoder } from '../preprocess/encoders';
import { AGE_BANDS, type AgeBand, ageBand, ZIP_REGIONS, type ZipRegion, zipRegion } from './demographics';
import {
  type ClusteredUser,
  type ClusterPart,
  type DemographicKey,
  type GroupMovie,
  resolveGroupOptions,
  type SavedUserGroupOptions,
  type UserGroupingSummary,
  type UserGroupOptions,
  type UserGroupSummary,
  UserGroups,
  type UserGroupsJSON,
} from './user-groups';

/**
 * Options of {@link UserProfiler}; every field has one default.
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserProfilerOptions } from 'reelrec';
 * const options: UserProfilerOptions = { affinityShrinkage: 2, content: false };
 * const profiler = new UserProfiler(options);
 * ```
 */
export interface UserProfilerOptions {
  /** Age band, gender, occupation and zip region one-hots, each with an unknown slot (default `true`). */
  demographics?: boolean;
  /** Genre affinities and genre shares (default `true`). */
  genres?: boolean;
  /** Rating count, mean, std, activity span and rate (default `true`). */
  stats?: boolean;
  /** The mean content-feature row of the history, when `fit` gets a `FeatureExtractor` (default `true`). */
  content?: boolean;
  /** Added to each genre's rated count in the affinity's denominator, shrinking rare genres to 0 (default 1). */
  affinityShrinkage?: number;
  /**
   * User groups: k-means clusters of the fitted users' profile vectors, with each group's popular and
   * characteristic movies, a `userGroup:…` part appended to the vector, and cold-start priors (default `true`:
   * k chosen by silhouette over 2..8 on the genre part; `false` for none; see {@link UserGroupOptions}).
   */
  groups?: boolean | UserGroupOptions;
}

/**
 * The resolved options of a {@link UserProfiler}, as saved.
 *
 * @example
 * ```ts
 * import { UserProfiler, type SavedProfilerOptions } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const o: SavedProfilerOptions = profiler.toJSON().options;
 * console.log(o.groups === false ? 'no groups' : o.groups.k);
 * ```
 */
export interface SavedProfilerOptions {
  /** {@link UserProfilerOptions.demographics}. */
  demographics: boolean;
  /** {@link UserProfilerOptions.genres}. */
  genres: boolean;
  /** {@link UserProfilerOptions.stats}. */
  stats: boolean;
  /** {@link UserProfilerOptions.content}. */
  content: boolean;
  /** {@link UserProfilerOptions.affinityShrinkage}. */
  affinityShrinkage: number;
  /** {@link UserProfilerOptions.groups}, resolved; `false` for none. */
  groups: SavedUserGroupOptions | false;
}

/**
 * A readable profile of one user (see {@link UserProfiler.profile}).
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserProfile } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const p: UserProfile = profiler.profile({ items: [{ movieId: 1, rating: 5 }] });
 * console.log(p.count, p.mean, p.genreAffinity.Comedy);
 * ```
 */
export interface UserProfile {
  /** History items. */
  count: number;
  /** Items with a rating. */
  ratedCount: number;
  /** Mean rating, `null` without ratings. */
  mean: number | null;
  /** Population standard deviation of the ratings, `null` without ratings. */
  std: number | null;
  /** Items whose movie is not in the fitted catalogue (they count in the statistics, not in genres). */
  unknownMovies: number;
  /**
   * Per genre: the sum over the user's rated movies of that genre of `(rating − mean)`, divided by
   * `(rated movies of the genre + affinityShrinkage) × (scale max − scale min)`; in [-1, 1], 0 without ratings.
   */
  genreAffinity: Record<string, number>;
  /** Per genre: the share of the user's known movies that have it, in [0, 1]. */
  genreShare: Record<string, number>;
  /** When and how often the user rated. */
  activity: {
    /** Earliest timestamp (Unix seconds), `null` when no item has one. */
    first: number | null;
    /** Latest timestamp (Unix seconds), `null` when no item has one. */
    last: number | null;
    /** Distinct UTC days with at least one item. */
    activeDays: number;
    /** `(last − first)` in days. */
    spanDays: number;
    /** Items with a timestamp per active day (0 without timestamps). */
    ratingsPerActiveDay: number;
  };
  /** Who the user is, as far as known. */
  demographics: {
    /** The age band of the user's age, `null` when unknown. */
    ageBand: AgeBand | null;
    /** `'M'`, `'F'`, or `null` for missing or anything else. */
    gender: 'M' | 'F' | null;
    /** Occupation (trimmed), `null` when unknown. */
    occupation: string | null;
    /** The zip code's region (its first digit, or `'other'`), `null` when unknown. */
    region: ZipRegion | null;
    /** Where the demographics came from: the history's `user`, the fitted users by `userId`, or nowhere. */
    source: 'history' | 'fitted' | 'none';
  };
  /** Mean content-feature row of the known movies (zeros without any), `null` without a FeatureExtractor. */
  content: number[] | null;
}

/**
 * A part of the profile vector and why it is on or off.
 *
 * @example
 * ```ts
 * import type { ProfileGroupSummary } from 'reelrec';
 * const g: ProfileGroupSummary = { name: 'demographics', enabled: false, offset: 0, dim: 0, reason: 'the data set has no users' };
 * ```
 */
export interface ProfileGroupSummary {
  /** The part (`userGroup`: the user's group, see {@link UserGroupOptions.feature}). */
  name: 'demographics' | 'genres' | 'stats' | 'content' | 'userGroup';
  /** Whether the part has columns in the vector. */
  enabled: boolean;
  /** First column of the part (where it would be when off). */
  offset: number;
  /** Columns of the part (0 when off). */
  dim: number;
  /** `'on'`, or why the part is off. */
  reason: string;
}

/**
 * The saved form of a fitted {@link UserProfiler}.
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserProfilerJSON } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const json: UserProfilerJSON = profiler.toJSON();
 * const again = UserProfiler.fromJSON(JSON.parse(JSON.stringify(json)));
 * ```
 */
export interface UserProfilerJSON {
  /** Marks the document as a saved profiler. */
  format: 'reelrec.profiler';
  /** Version of the saved form. */
  version: 1;
  /** The options, every default filled in. */
  options: SavedProfilerOptions;
  /** The fitted data set's genres, in its order. */
  genres: string[];
  /** The fitted users' distinct occupations, sorted. */
  occupations: string[];
  /** The fitted data set's rating scale. */
  scale: {
    /** Lowest possible rating. */
    min: number;
    /** Highest possible rating. */
    max: number;
  };
  /** Largest history, span (days) and items per active day of a fitted user: the scales of `stats`. */
  maxCount: number;
  /** Largest activity span of a fitted user, in days. */
  maxSpanDays: number;
  /** Largest number of items per active day of a fitted user. */
  maxRate: number;
  /** Every fitted movie's genres. */
  movies: {
    /** Movie ids. */
    ids: number[];
    /** Genre indices (into `genres`) of each movie, aligned with `ids`. */
    genres: number[][];
  };
  /** Every fitted user's demographics, as columns aligned with `ids`. */
  users: {
    /** User ids. */
    ids: number[];
    /** Age of each user, or `null`. */
    age: (number | null)[];
    /** Gender of each user as the data set gave it, or `null`. */
    gender: (string | null)[];
    /** Occupation of each user, or `null`. */
    occupation: (string | null)[];
    /** Zip code of each user, or `null`. */
    zip: (string | null)[];
  };
  /** The FeatureExtractor's column names when the content group is on, else `null`. */
  content: {
    /** Column names of the FeatureExtractor the profiler was fitted with. */
    names: string[];
  } | null;
  /** Every part of the vector, on or off. */
  groups: ProfileGroupSummary[];
  /** The user groups, `null` when off (absent in documents saved before groups existed). */
  userGroups?: UserGroupsJSON | null;
}

interface Fitted {
  genres: string[];
  genreIndex: Map<string, number>;
  occupations: string[];
  scale: { min: number; max: number };
  maxCount: number;
  maxSpanDays: number;
  maxRate: number;
  movieGenres: Map<number, number[]>;
  users: Map<number, Omit<User, 'id'>>;
  features: FeatureExtractor | null;
  contentNames: string[] | null;
  groups: ProfileGroupSummary[];
  names: string[];
  encoders: { age: OneHotEncoder; gender: OneHotEncoder; occupation: OneHotEncoder; region: OneHotEncoder };
  /** The user groups, `null` when off. */
  userGroups: UserGroups | null;
}

const DAY = 86_400;
const UNKNOWN = '<unk>';

function resolveOptions(options: UserProfilerOptions): SavedProfilerOptions {
  return {
    demographics: boolOption('profile.demographics', options.demographics, true),
    genres: boolOption('profile.genres', options.genres, true),
    stats: boolOption('profile.stats', options.stats, true),
    content: boolOption('profile.content', options.content, true),
    affinityShrinkage: numberOption('profile.affinityShrinkage', options.affinityShrinkage, 1, 0),
    groups: resolveGroupOptions(options.groups),
  };
}

function normGender(g: string | null | undefined): 'M' | 'F' | null {
  if (typeof g !== 'string') return null;
  const u = g.trim().toUpperCase();
  return u === 'M' || u === 'F' ? u : null;
}

function normOccupation(o: string | null | undefined): string | null {
  if (typeof o !== 'string') return null;
  const t = o.trim();
  return t.length > 0 ? t : null;
}

/** `log(1 + x) / log(1 + max)`, clipped to [0, 1]; 0 when `max` is 0. */
function logScale(x: number, max: number): number {
  if (max <= 0 || x <= 0) return 0;
  return Math.min(1, Math.log1p(x) / Math.log1p(max));
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Index of the largest value (ties: the lowest index). */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Builds user profiles from histories and demographics. {@link UserProfiler.profile} gives a readable
 * {@link UserProfile}; {@link UserProfiler.encode} a dense vector of fixed {@link UserProfiler.dim} whose
 * parts, in order (see `featureNames()`), are:
 *
 * - **demographics** (off when the data set has no users): one-hots of the age band (the ML-1M bands), gender
 *   (`M`, `F`), occupation (those of the fitted users, alphabetical) and zip region (first digit of a US zip,
 *   `other`), each with a trailing `<unk>` column for a missing or unseen value;
 * - **genres**: each genre's affinity in [-1, 1], then each genre's share in [0, 1] (see {@link UserProfile});
 * - **stats**: `stats:count` = `log(1 + items) / log(1 + largest fitted history)`, `stats:mean` =
 *   `(mean − mid) / half` with mid and half the centre and half-width of the rating scale (0 without ratings),
 *   `stats:std` = `std / half`, `activity:span` and `activity:rate` = the same log scale as the count against
 *   the largest fitted span (days) and items per active day; all clipped to [-1, 1];
 * - **content** (only when `fit` got a fitted FeatureExtractor): the mean feature row of the history's movies;
 * - **userGroup** (when there are user groups, see below): `userGroup:0`, … the one-hot of the user's group, or
 *   the group probabilities (`groups.feature: 'soft'`, and for a history with nothing to cluster).
 *
 * Demographics come from `history.user` when given, otherwise from the fitted users by `history.userId`; a
 * history with demographics only (no items) and one with items only both encode, their missing parts as
 * zeros and `<unk>` slots.
 *
 * **User groups** (option `groups`, on by default): `fit` clusters the fitted users' profile vectors
 * (restricted to `groups.parts`, by default the genre part) by seeded k-means++ ({@link kMeans}), k given or
 * chosen by the mean silhouette over `kRange` ({@link chooseK}); groups are numbered largest first.
 * {@link UserProfiler.groups} describes them (size, centre, popular and characteristic movies by lift),
 * {@link UserProfiler.groupOf} and {@link UserProfiler.groupProbabilities} place a history or a vector, and
 * {@link UserProfiler.groupTopMovies}, {@link UserProfiler.groupPopularity} and {@link UserProfiler.groupScores}
 * give the fallback lists of a group or of a cold-start user (with nothing at all: the population's).
 *
 * @example
 * ```ts
 * import { UserProfiler, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./data/ml-100k');
 * const profiler = new UserProfiler().fit(data);
 * const coldStart = profiler.encode({ items: [], user: { age: 25, gender: 'F', occupation: 'writer', zip: '94043' } });
 * const p = profiler.profile({ items: [{ movieId: 1, rating: 5, timestamp: 881250949 }] });
 * console.log(profiler.dim, coldStart.length, p.genreShare.Comedy); // … … 1
 * console.log(profiler.groupCount, profiler.groupOf({ items: [{ movieId: 50, rating: 5 }] })); // 2 1
 * console.log(profiler.groupTopMovies('all', 3)); // the most-rated movies: the fallback for a user with nothing
 * ```
 */
export class UserProfiler {
  private readonly options: SavedProfilerOptions;
  private state: Fitted | null = null;

  /** @throws {ConfigError} for a bad option. */
  constructor(options: UserProfilerOptions = {}) {
    this.options = resolveOptions(options);
  }

  /**
   * Learns the genres, occupations, users, movie genres and the scales of the statistics from a data set.
   * Calling it again refits.
   *
   * @param context.features a fitted FeatureExtractor: adds the content part (unless `content: false`).
   * @throws {StateError} when `features` is not fitted.
   */
  fit(dataset: Dataset, context: { features?: FeatureExtractor } = {}): this {
    const genres = [...new Set(dataset.genres)];
    const genreIndex = new Map(genres.map((g, i) => [g, i]));
    const movieGenres = new Map<number, number[]>();
    for (const m of dataset.movies) {
      const idx = [...new Set((m.genres ?? []).map((g) => genreIndex.get(g)).filter((i) => i !== undefined))];
      movieGenres.set(
        m.id,
        idx.sort((a, b) => a - b),
      );
    }
    const users = new Map<number, Omit<User, 'id'>>();
    for (const u of dataset.users) {
      users.set(u.id, {
        age: u.age ?? null,
        gender: u.gender ?? null,
        occupation: u.occupation ?? null,
        zip: u.zip ?? null,
      });
    }
    const occupations = [
      ...new Set(
        dataset.users.map((u) => normOccupation(u.occupation)).filter((o): o is string => o !== null),
      ),
    ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    // Scales of the statistics: the largest history, span and rate among the fitted users.
    const { ratings } = dataset;
    let maxCount = 0;
    let maxSpanDays = 0;
    let maxRate = 0;
    const timelines = userTimelines(ratings);
    for (const rows of timelines.values()) {
      maxCount = Math.max(maxCount, rows.length);
      const first = ratings.timestamps[rows[0]!]!;
      const last = ratings.timestamps[rows[rows.length - 1]!]!;
      maxSpanDays = Math.max(maxSpanDays, (last - first) / DAY);
      let days = 0;
      let prev = Number.NaN;
      for (const r of rows) {
        const d = Math.floor(ratings.timestamps[r]! / DAY);
        if (d !== prev) days++;
        prev = d;
      }
      maxRate = Math.max(maxRate, rows.length / days);
    }

    let features: FeatureExtractor | null = null;
    let contentNames: string[] | null = null;
    if (context.features !== undefined && this.options.content) {
      if (!context.features.fitted) {
        throw new StateError(
          'UserProfiler.fit: the FeatureExtractor passed as features must be fitted first',
        );
      }
      features = context.features;
      contentNames = features.featureNames();
    }
    const fitted = {
      genres,
      occupations,
      scale: { min: dataset.ratingScale.min, max: dataset.ratingScale.max },
      maxCount,
      maxSpanDays,
      maxRate,
      movieGenres,
      users,
      features,
      contentNames,
      demographicsReason: dataset.users.length === 0 ? 'the data set has no users' : null,
      contentReason: !this.options.content
        ? 'disabled by options'
        : features === null
          ? 'fit got no FeatureExtractor'
          : null,
    };
    this.state = this.build({ ...fitted, userGroups: null, userGroupReason: 'disabled by options' });
    const groupOptions = this.options.groups;
    if (groupOptions !== false) {
      const grouped = this.fitGroups(groupOptions, timelines, ratings);
      this.state = this.build({
        ...fitted,
        userGroups: typeof grouped === 'string' ? null : grouped,
        userGroupReason: typeof grouped === 'string' ? grouped : null,
      });
    }
    return this;
  }

  /** True once fitted (or restored). */
  get fitted(): boolean {
    return this.state !== null;
  }

  /**
   * Length of `encode`'s vector.
   *
   * @throws {StateError} before `fit`.
   */
  get dim(): number {
    return this.fittedState().names.length;
  }

  /**
   * Names of the vector's columns, e.g. `age:25-34`, `gender:<unk>`, `genre:Drama:affinity`, `stats:mean`.
   *
   * @throws {StateError} before `fit`.
   */
  featureNames(): string[] {
    return [...this.fittedState().names];
  }

  /**
   * The parts of the vector, where they sit, and why a part is off.
   *
   * @throws {StateError} before `fit`.
   */
  summary(): {
    /** Columns of the vector. */
    dim: number;
    /** Every part of the vector, in column order. */
    groups: ProfileGroupSummary[];
    /** How the user groups were made, `null` when there are none (the `userGroup` part says why). */
    userGroups: UserGroupingSummary | null;
  } {
    const s = this.fittedState();
    return {
      dim: s.names.length,
      groups: structuredClone(s.groups),
      userGroups: s.userGroups === null ? null : structuredClone(s.userGroups.summary),
    };
  }

  /**
   * The readable profile of a history (see {@link UserProfile}).
   *
   * @throws {StateError} before `fit`.
   */
  profile(history: UserHistory): UserProfile {
    return this.profileOf(history, true);
  }

  /** {@link UserProfiler.profile}, leaving out the content mean when `withContent` is false. */
  private profileOf(history: UserHistory, withContent: boolean): UserProfile {
    const s = this.fittedState();
    const items = history.items ?? [];
    const G = s.genres.length;

    // Rating statistics.
    let ratedCount = 0;
    let sum = 0;
    for (const it of items) {
      if (typeof it.rating === 'number' && Number.isFinite(it.rating)) {
        ratedCount++;
        sum += it.rating;
      }
    }
    const mean = ratedCount > 0 ? sum / ratedCount : null;
    let std: number | null = null;
    if (mean !== null) {
      let ss = 0;
      for (const it of items) {
        if (typeof it.rating === 'number' && Number.isFinite(it.rating)) ss += (it.rating - mean) ** 2;
      }
      std = Math.sqrt(ss / ratedCount);
    }

    // Genres.
    const range = s.scale.max - s.scale.min || 1;
    const affinitySum = new Float64Array(G);
    const ratedInGenre = new Float64Array(G);
    const inGenre = new Float64Array(G);
    let known = 0;
    let unknownMovies = 0;
    for (const it of items) {
      const gs = s.movieGenres.get(it.movieId);
      if (gs === undefined) {
        unknownMovies++;
        continue;
      }
      known++;
      const rated = mean !== null && typeof it.rating === 'number' && Number.isFinite(it.rating);
      for (const g of gs) {
        inGenre[g]!++;
        if (rated) {
          ratedInGenre[g]!++;
          affinitySum[g]! += it.rating! - mean;
        }
      }
    }
    const genreAffinity: Record<string, number> = {};
    const genreShare: Record<string, number> = {};
    s.genres.forEach((g, i) => {
      const denom = (ratedInGenre[i]! + this.options.affinityShrinkage) * range;
      genreAffinity[g] = denom > 0 ? clip(affinitySum[i]! / denom, -1, 1) : 0;
      genreShare[g] = known > 0 ? inGenre[i]! / known : 0;
    });

    // Activity.
    let first: number | null = null;
    let last: number | null = null;
    let timed = 0;
    const days = new Set<number>();
    for (const it of items) {
      const t = it.timestamp;
      if (typeof t !== 'number' || !Number.isFinite(t)) continue;
      timed++;
      first = first === null ? t : Math.min(first, t);
      last = last === null ? t : Math.max(last, t);
      days.add(Math.floor(t / DAY));
    }

    // Demographics.
    let source: UserProfile['demographics']['source'] = 'none';
    let who: Partial<Omit<User, 'id'>> = {};
    if (history.user !== undefined && history.user !== null) {
      who = history.user;
      source = 'history';
    } else if (history.userId !== undefined && s.users.has(history.userId)) {
      who = s.users.get(history.userId)!;
      source = 'fitted';
    }

    // Content.
    let content: number[] | null = null;
    if (s.features !== null && withContent) {
      const ids = items.map((it) => it.movieId).filter((id) => s.features!.has(id));
      const dim = s.features.dim;
      const acc = new Float64Array(dim);
      if (ids.length > 0) {
        const rows = s.features.transform(ids);
        for (let r = 0; r < ids.length; r++) for (let j = 0; j < dim; j++) acc[j]! += rows[r * dim + j]!;
        for (let j = 0; j < dim; j++) acc[j] = acc[j]! / ids.length;
      }
      content = Array.from(acc);
    }

    return {
      count: items.length,
      ratedCount,
      mean,
      std,
      unknownMovies,
      genreAffinity,
      genreShare,
      activity: {
        first,
        last,
        activeDays: days.size,
        spanDays: first !== null && last !== null ? (last - first) / DAY : 0,
        ratingsPerActiveDay: days.size > 0 ? timed / days.size : 0,
      },
      demographics: {
        ageBand: ageBand(who.age),
        gender: normGender(who.gender),
        occupation: normOccupation(who.occupation),
        region: zipRegion(who.zip),
        source,
      },
      content,
    };
  }

  /**
   * The profile vector of a history (see the class notes for its parts).
   *
   * @throws {StateError} before `fit`.
   */
  encode(history: UserHistory): Float32Array {
    const s = this.fittedState();
    const out = new Float32Array(s.names.length);
    this.encodeInto(out, 0, history);
    return out;
  }

  /**
   * The profile vectors of several histories, row-major (`histories.length × dim`).
   *
   * @throws {StateError} before `fit`.
   */
  transform(histories: readonly UserHistory[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(histories.length * dim);
    histories.forEach((h, i) => {
      this.encodeInto(out, i * dim, h);
    });
    return out;
  }

  /**
   * Number of user groups, 0 when there are none (groups off, or too few users; `summary()` says why).
   *
   * @throws {StateError} before `fit`.
   */
  get groupCount(): number {
    return this.fittedState().userGroups?.k ?? 0;
  }

  /**
   * The user groups, largest first: size, centre by column name, the columns that set the group apart, and
   * the group's popular and characteristic movies (see {@link UserGroupSummary}); `[]` when there are none.
   *
   * @throws {StateError} before `fit`.
   */
  groups(): UserGroupSummary[] {
    return this.fittedState().userGroups?.describe() ?? [];
  }

  /**
   * Names of the profile columns the groups are clustered on (the coordinates of a centre).
   *
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupFeatureNames(): string[] {
    return [...this.groupState().names];
  }

  /**
   * The group of a user: the nearest centre to the history's clustered columns. A history with nothing to
   * cluster (no movie of the fitted catalogue; for groups clustered on demographics alone, no demographics)
   * gets the most likely group of the cold-start probabilities (see
   * {@link UserProfiler.groupProbabilities}). A vector is taken as a profile vector when it has `dim` entries
   * (as from `encode`), or as the clustered columns when it has `groupFeatureNames().length` (as a centre).
   *
   * @throws {ConfigError} for a vector of another length, or neither a history nor a vector.
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupOf(input: UserHistory | ArrayLike<number>): number {
    const s = this.fittedState();
    const ug = this.groupState();
    if (Array.isArray(input) || ArrayBuffer.isView(input)) {
      const v = input as ArrayLike<number>;
      if (v.length === ug.d) return ug.nearest(v);
      if (v.length === s.names.length) return ug.nearest(Float64Array.from(ug.columns, (c) => v[c]!));
      throw new ConfigError(
        'groupOf',
        `a history, or a vector of ${s.names.length} (profile) or ${ug.d} (clustered columns) numbers`,
        `a vector of ${v.length}`,
      );
    }
    const { vector, p } = this.groupInput(input as UserHistory);
    if (this.hasEvidence(ug, p)) return ug.nearest(vector);
    return argmax(ug.prior(this.demographicKey(p)));
  }

  /**
   * The probability of each group for a history. With something to cluster: the posterior of a spherical
   * Gaussian mixture with the groups' centres, one shared variance (inertia / (users × columns)) and the
   * group shares as weights. With nothing (a cold start): the group shares, times the naive-Bayes likelihood
   * of the user's known demographics when the fitted users had demographics (a user with nothing at all gets
   * the group shares: the population prior).
   *
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupProbabilities(history: UserHistory): Float32Array {
    const ug = this.groupState();
    const { vector, p } = this.groupInput(history);
    return Float32Array.from(this.hasEvidence(ug, p) ? ug.soft(vector) : ug.prior(this.demographicKey(p)));
  }

  /**
   * The share of a group's users (`'all'`: of every clustered user) who rated each movie of `movieIds`
   * (default: the fitted data set's movies, in `dataset.movies` order); 0 for a movie none of them rated.
   *
   * @throws {ConfigError} for a group outside 0..groupCount − 1.
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupPopularity(group: number | 'all', movieIds?: readonly number[]): Float32Array {
    const ug = this.groupState();
    return ug.popularity(this.checkGroup(ug, group), movieIds ?? [...this.fittedState().movieGenres.keys()]);
  }

  /**
   * The `k` movies rated by most of a group's users (`'all'`: of every clustered user), ties by id, leaving out
   * `options.exclude` (e.g. what the user has seen): the fallback list of a group.
   *
   * @throws {ConfigError} for a group outside 0..groupCount − 1 or a bad `k`.
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupTopMovies(
    group: number | 'all',
    k = 10,
    options: {
      /** Movies to leave out. */
      exclude?: Iterable<number>;
    } = {},
  ): GroupMovie[] {
    const ug = this.groupState();
    const g = this.checkGroup(ug, group);
    intOption('k', k, 10, 0);
    return ug.top(g, k, new Set(options.exclude ?? []));
  }

  /**
   * Cold-start scores of movies for a history: `Σ_g p(g) · share of group g who rated the movie`, with p from
   * {@link UserProfiler.groupProbabilities}. For a user with nothing (no items, no demographics) this is the
   * share of all clustered users who rated each movie.
   *
   * @throws {StateError} before `fit`, or when there are no groups.
   */
  groupScores(history: UserHistory, movieIds?: readonly number[]): Float32Array {
    const ug = this.groupState();
    const ids = movieIds ?? [...this.fittedState().movieGenres.keys()];
    const probs = this.groupProbabilities(history);
    const out = new Float32Array(ids.length);
    const acc = new Float64Array(ids.length);
    for (let g = 0; g < ug.k; g++) {
      if (probs[g] === 0) continue;
      const pop = ug.popularity(g, ids);
      for (let i = 0; i < ids.length; i++) acc[i]! += probs[g]! * pop[i]!;
    }
    out.set(acc);
    return out;
  }

  /**
   * The saved form; `UserProfiler.fromJSON(p.toJSON(), { features })` encodes exactly like `p`.
   *
   * @throws {StateError} before `fit`.
   */
  toJSON(): UserProfilerJSON {
    const s = this.fittedState();
    const movieIds = [...s.movieGenres.keys()];
    const userIds = [...s.users.keys()];
    return {
      format: 'reelrec.profiler',
      version: 1,
      options: { ...this.options },
      genres: [...s.genres],
      occupations: [...s.occupations],
      scale: { ...s.scale },
      maxCount: s.maxCount,
      maxSpanDays: s.maxSpanDays,
      maxRate: s.maxRate,
      movies: { ids: movieIds, genres: movieIds.map((id) => [...s.movieGenres.get(id)!]) },
      users: {
        ids: userIds,
        age: userIds.map((id) => s.users.get(id)!.age),
        gender: userIds.map((id) => s.users.get(id)!.gender),
        occupation: userIds.map((id) => s.users.get(id)!.occupation),
        zip: userIds.map((id) => s.users.get(id)!.zip),
      },
      content: s.contentNames === null ? null : { names: [...s.contentNames] },
      groups: structuredClone(s.groups),
      userGroups: s.userGroups === null ? null : s.userGroups.toJSON(),
    };
  }

  /**
   * Restores a profiler saved by {@link UserProfiler.toJSON}. A profiler saved with a content part needs the
   * same fitted FeatureExtractor (same column names) in `context.features`.
   *
   * @throws {ConfigError} when the content part needs a FeatureExtractor that is missing or has other columns.
   * @throws {ModelFormatError} when `json` is not a saved profiler.
   */
  static fromJSON(json: UserProfilerJSON, context: { features?: FeatureExtractor } = {}): UserProfiler {
    const what = 'reelrec.profiler';
    expectStamp(json, what, 1);
    expectFormat(isStringArray(json.genres), what, 'genres must be a string array');
    expectFormat(isStringArray(json.occupations), what, 'occupations must be a string array');
    expectFormat(
      [json.maxCount, json.maxSpanDays, json.maxRate, json.scale?.min, json.scale?.max].every(
        (v) => typeof v === 'number' && Number.isFinite(v),
      ),
      what,
      'maxCount, maxSpanDays, maxRate and scale must be numbers',
    );
    const { movies, users } = json;
    expectFormat(
      isNumberArray(movies?.ids) &&
        Array.isArray(movies.genres) &&
        movies.genres.length === movies.ids.length,
      what,
      'movies must hold ids and one genre list per id',
    );
    expectFormat(
      isNumberArray(users?.ids) &&
        [users.age, users.gender, users.occupation, users.zip].every(
          (col) => Array.isArray(col) && col.length === users.ids.length,
        ),
      what,
      'users must hold ids and one age, gender, occupation and zip per id',
    );
    expectFormat(Array.isArray(json.groups), what, 'groups must be an array');
    let profiler: UserProfiler;
    try {
      // A document saved before groups existed has no `groups` option: it had none.
      profiler = new UserProfiler({ ...json.options, groups: json.options?.groups ?? false });
    } catch (err) {
      throw new ModelFormatError(`${what}: bad options`, { cause: err });
    }
    let features: FeatureExtractor | null = null;
    if (json.content !== null) {
      const f = context.features;
      if (f === undefined || !f.fitted) {
        throw new ConfigError(
          'context.features',
          'the fitted FeatureExtractor the profiler was saved with (it has a content part)',
          f,
        );
      }
      const names = f.featureNames();
      if (names.length !== json.content.names.length || names.some((n, i) => n !== json.content!.names[i])) {
        throw new ConfigError(
          'context.features',
          `a FeatureExtractor with the ${json.content.names.length} columns the profiler was saved with`,
          `one with ${names.length} other columns`,
        );
      }
      features = f;
    }
    const movieGenres = new Map<number, number[]>();
    movies.ids.forEach((id, i) => {
      const gs = movies.genres[i]!;
      expectFormat(
        isNumberArray(gs) && gs.every((g) => Number.isInteger(g) && g >= 0 && g < json.genres.length),
        what,
        `movie ${id} has a genre index outside 0..${json.genres.length - 1}`,
      );
      movieGenres.set(id, [...gs]);
    });
    const userMap = new Map<number, Omit<User, 'id'>>();
    users.ids.forEach((id, i) => {
      userMap.set(id, {
        age: users.age[i] ?? null,
        gender: users.gender[i] ?? null,
        occupation: users.occupation[i] ?? null,
        zip: users.zip[i] ?? null,
      });
    });
    const groupReason = (name: ProfileGroupSummary['name']) => json.groups.find((g) => g.name === name);
    const demo = groupReason('demographics');
    const cont = groupReason('content');
    const part = groupReason('userGroup');
    const fitted = {
      genres: [...json.genres],
      occupations: [...json.occupations],
      scale: { min: json.scale.min, max: json.scale.max },
      maxCount: json.maxCount,
      maxSpanDays: json.maxSpanDays,
      maxRate: json.maxRate,
      movieGenres,
      users: userMap,
      features,
      contentNames: json.content === null ? null : [...json.content.names],
      demographicsReason:
        demo !== undefined && !demo.enabled && json.options.demographics ? demo.reason : null,
      contentReason: cont !== undefined && !cont.enabled ? cont.reason : null,
    };
    profiler.state = profiler.build({ ...fitted, userGroups: null, userGroupReason: 'disabled by options' });
    const groupOptions = profiler.options.groups;
    let userGroups: UserGroups | null = null;
    if (groupOptions !== false && json.userGroups != null) {
      const base = profiler.state;
      userGroups = UserGroups.fromJSON(json.userGroups, groupOptions, base.names.length, (id) =>
        profiler.demographicKeyOf(id),
      );
      expectFormat(
        userGroups.columns.every((c, i) => base.names[c] === userGroups!.names[i]),
        what,
        'userGroups.names must name the profile columns at userGroups.columns',
      );
    }
    profiler.state = profiler.build({
      ...fitted,
      userGroups,
      userGroupReason:
        groupOptions === false
          ? 'disabled by options'
          : part !== undefined && !part.enabled
            ? part.reason
            : 'saved without user groups',
    });
    return profiler;
  }

  private groupState(): UserGroups {
    const s = this.fittedState();
    if (s.userGroups === null) {
      const why = s.groups.find((g) => g.name === 'userGroup')?.reason ?? 'off';
      throw new StateError(`UserProfiler has no user groups (${why})`);
    }
    return s.userGroups;
  }

  private checkGroup(ug: UserGroups, group: unknown): number | 'all' {
    if (group === 'all') return group;
    if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group >= ug.k) {
      throw new ConfigError('group', `a group from 0 to ${ug.k - 1}, or 'all'`, group);
    }
    return group;
  }

  /** The clustered columns of a history's profile vector, and the profile. */
  private groupInput(history: UserHistory): { vector: Float64Array; p: UserProfile } {
    const s = this.fittedState();
    const ug = this.groupState();
    if (typeof history !== 'object' || history === null) {
      throw new ConfigError('history', 'a history ({ items, user? })', history);
    }
    const p = this.profileOf(history, ug.summary.parts.includes('content'));
    const buf = new Float32Array(s.names.length);
    this.writeParts(buf, 0, p, false);
    return { vector: Float64Array.from(ug.columns, (c) => buf[c]!), p };
  }

  /**
   * Whether a profile has something to cluster: a movie of the fitted catalogue, or, for groups clustered on
   * demographics alone, demographics.
   */
  private hasEvidence(ug: UserGroups, p: UserProfile): boolean {
    if (ug.summary.parts.some((x) => x !== 'demographics')) return p.count - p.unknownMovies > 0;
    return p.demographics.source !== 'none';
  }

  private demographicKey(p: UserProfile): DemographicKey | null {
    const d = p.demographics;
    if (d.source === 'none') return null;
    return { age: d.ageBand, gender: d.gender, occupation: d.occupation, region: d.region };
  }

  /** The demographics of a fitted user, bucketed. */
  private demographicKeyOf(userId: number): DemographicKey | null {
    const u = this.fittedState().users.get(userId);
    if (u === undefined) return null;
    return {
      age: ageBand(u.age),
      gender: normGender(u.gender),
      occupation: normOccupation(u.occupation),
      region: zipRegion(u.zip),
    };
  }

  /** Clusters the fitted users' profiles; returns why not when it cannot. */
  private fitGroups(
    o: SavedUserGroupOptions,
    timelines: Map<number, Int32Array>,
    ratings: Dataset['ratings'],
  ): UserGroups | string {
    const s = this.fittedState();
    const parts = o.parts.filter((x) => s.groups.find((g) => g.name === x)?.enabled === true);
    if (parts.length === 0) return `none of the parts clustered on (${o.parts.join(', ')}) is on`;
    const columns: number[] = [];
    for (const part of parts) {
      const g = s.groups.find((x) => x.name === part)!;
      for (let j = 0; j < g.dim; j++) columns.push(g.offset + j);
    }
    const names = columns.map((c) => s.names[c]!);
    const withContent = parts.includes('content' as ClusterPart);
    const users: ClusteredUser[] = [];
    const buf = new Float32Array(s.names.length);
    for (const id of [...timelines.keys()].sort((a, b) => a - b)) {
      const items = Array.from(timelines.get(id)!, (r) => ({
        movieId: ratings.movieIds[r]!,
        rating: ratings.ratings[r]!,
        timestamp: ratings.timestamps[r]!,
      }));
      buf.fill(0);
      this.writeParts(buf, 0, this.profileOf({ userId: id, items }, withContent), false);
      users.push({
        id,
        vector: Float64Array.from(columns, (c) => buf[c]!),
        movies: new Set(items.map((it) => it.movieId)),
      });
    }
    if (users.length === 0) return 'the data set has no ratings';
    return UserGroups.fit(users, parts, names, columns, o, (uid) => this.demographicKeyOf(uid));
  }

  private fittedState(): Fitted {
    if (this.state === null) throw new StateError('UserProfiler needs fitting: call fit(dataset) first');
    return this.state;
  }

  /** Lays out the vector's parts from fitted values. */
  private build(f: {
    genres: string[];
    occupations: string[];
    scale: { min: number; max: number };
    maxCount: number;
    maxSpanDays: number;
    maxRate: number;
    movieGenres: Map<number, number[]>;
    users: Map<number, Omit<User, 'id'>>;
    features: FeatureExtractor | null;
    contentNames: string[] | null;
    demographicsReason: string | null;
    contentReason: string | null;
    userGroups: UserGroups | null;
    /** Why there are no groups (used when `userGroups` is null). */
    userGroupReason: string | null;
  }): Fitted {
    const o = this.options;
    const slot = { unknown: 'slot', unknownLabel: UNKNOWN } as const;
    const encoders = {
      age: new OneHotEncoder(AGE_BANDS, slot),
      gender: new OneHotEncoder(['M', 'F'], slot),
      occupation: new OneHotEncoder(f.occupations, slot),
      region: new OneHotEncoder(ZIP_REGIONS, slot),
    };
    const names: string[] = [];
    const groups: ProfileGroupSummary[] = [];
    const add = (name: ProfileGroupSummary['name'], cols: string[] | null, reason: string) => {
      groups.push({ name, enabled: cols !== null, offset: names.length, dim: cols?.length ?? 0, reason });
      if (cols !== null) names.push(...cols);
    };
    if (!o.demographics) add('demographics', null, 'disabled by options');
    else if (f.demographicsReason !== null) add('demographics', null, f.demographicsReason);
    else {
      add(
        'demographics',
        [
          ...encoders.age.featureNames('age:'),
          ...encoders.gender.featureNames('gender:'),
          ...encoders.occupation.featureNames('occupation:'),
          ...encoders.region.featureNames('region:'),
        ],
        'on',
      );
    }
    if (!o.genres) add('genres', null, 'disabled by options');
    else if (f.genres.length === 0) add('genres', null, 'the data set has no genres');
    else {
      add(
        'genres',
        [...f.genres.map((g) => `genre:${g}:affinity`), ...f.genres.map((g) => `genre:${g}:share`)],
        'on',
      );
    }
    if (!o.stats) add('stats', null, 'disabled by options');
    else add('stats', ['stats:count', 'stats:mean', 'stats:std', 'activity:span', 'activity:rate'], 'on');
    if (f.contentNames === null) add('content', null, f.contentReason ?? 'fit got no FeatureExtractor');
    else
      add(
        'content',
        f.contentNames.map((n) => `content:${n}`),
        'on',
      );
    if (f.userGroups === null) add('userGroup', null, f.userGroupReason ?? 'disabled by options');
    else if (f.userGroups.options.feature === 'none') add('userGroup', null, "groups.feature is 'none'");
    else
      add(
        'userGroup',
        Array.from({ length: f.userGroups.k }, (_, g) => `userGroup:${g}`),
        f.userGroups.options.feature,
      );
    return {
      genres: f.genres,
      genreIndex: new Map(f.genres.map((g, i) => [g, i])),
      occupations: f.occupations,
      scale: f.scale,
      maxCount: f.maxCount,
      maxSpanDays: f.maxSpanDays,
      maxRate: f.maxRate,
      movieGenres: f.movieGenres,
      users: f.users,
      features: f.features,
      contentNames: f.contentNames,
      groups,
      names,
      encoders,
      userGroups: f.userGroups,
    };
  }

  private encodeInto(out: Float32Array, offset: number, history: UserHistory): void {
    this.writeParts(out, offset, this.profile(history), true);
  }

  /** Writes the parts of a profile's vector; the `userGroup` part only when `withGroup`. */
  private writeParts(out: Float32Array, offset: number, p: UserProfile, withGroup: boolean): void {
    const s = this.fittedState();
    for (const g of s.groups) {
      if (!g.enabled || (g.name === 'userGroup' && !withGroup)) continue;
      let at = offset + g.offset;
      if (g.name === 'demographics') {
        const e = s.encoders;
        const d = p.demographics;
        e.age.encodeInto(out, at, d.ageBand);
        at += e.age.dim;
        e.gender.encodeInto(out, at, d.gender);
        at += e.gender.dim;
        e.occupation.encodeInto(out, at, d.occupation);
        at += e.occupation.dim;
        e.region.encodeInto(out, at, d.region);
      } else if (g.name === 'genres') {
        const G = s.genres.length;
        s.genres.forEach((name, i) => {
          out[at + i] = p.genreAffinity[name]!;
          out[at + G + i] = p.genreShare[name]!;
        });
      } else if (g.name === 'stats') {
        const half = (s.scale.max - s.scale.min) / 2 || 1;
        const mid = (s.scale.max + s.scale.min) / 2;
        out[at] = logScale(p.count, s.maxCount);
        out[at + 1] = p.mean === null ? 0 : clip((p.mean - mid) / half, -1, 1);
        out[at + 2] = p.std === null ? 0 : clip(p.std / half, 0, 1);
        out[at + 3] = logScale(p.activity.spanDays, s.maxSpanDays);
        out[at + 4] = logScale(p.activity.ratingsPerActiveDay, s.maxRate);
      } else if (g.name === 'content' && p.content !== null) {
        for (let j = 0; j < p.content.length; j++) out[at + j] = p.content[j]!;
      } else if (g.name === 'userGroup' && s.userGroups !== null) {
        // The part is last: the clustered columns are already written.
        const ug = s.userGroups;
        const vector = Float64Array.from(ug.columns, (c) => out[offset + c]!);
        let probs: Float64Array;
        if (!this.hasEvidence(ug, p)) probs = ug.prior(this.demographicKey(p));
        else if (ug.options.feature === 'soft') probs = ug.soft(vector);
        else {
          probs = new Float64Array(ug.k);
          probs[ug.nearest(vector)] = 1;
        }
        for (let j = 0; j < ug.k; j++) out[at + j] = probs[j]!;
      }
    }
  }
}
