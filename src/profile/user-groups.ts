/**
 * User groups: k-means clusters of profile vectors, what each group watches (popular and characteristic
 * movies), and the cold-start priors (the population's, or one conditioned on demographics). Used through
 * {@link UserProfiler}.
 *
 * @module
 */
import { ConfigError } from '../errors';
import {
  boolOption,
  choiceOption,
  expectFormat,
  intOption,
  isNumberArray,
  isStringArray,
  numberOption,
} from '../preprocess/check';
import { chooseK, type KCriterion, kMeans } from './clustering';

/**
 * A part of the profile vector that user groups can be clustered on.
 *
 * @example
 * ```ts
 * import type { ClusterPart } from 'reelrec';
 * const parts: ClusterPart[] = ['genres', 'stats'];
 * ```
 */
export type ClusterPart = 'demographics' | 'genres' | 'stats' | 'content';

const CLUSTER_PARTS: readonly ClusterPart[] = ['demographics', 'genres', 'stats', 'content'];

/**
 * Options of the user groups of {@link UserProfiler} (`new UserProfiler({ groups: { … } })`); every field has
 * one default.
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserGroupOptions } from 'reelrec';
 * const groups: UserGroupOptions = { k: 6, parts: ['genres', 'stats'], feature: 'soft' };
 * const profiler = new UserProfiler({ groups });
 * ```
 */
export interface UserGroupOptions {
  /** Number of groups, or `'auto'` to choose it over `kRange` by `criterion` (default `'auto'`). */
  k?: number | 'auto';
  /** Smallest and largest k tried by `'auto'` (default `[2, 8]`). */
  kRange?: readonly [number, number];
  /** How `'auto'` scores a k (default `'silhouette'`; see {@link KCriterion}). */
  criterion?: KCriterion;
  /** The parts of the profile vector clustered on (default `['genres']`: affinities and shares). */
  parts?: readonly ClusterPart[];
  /**
   * What `encode` appends (`userGroup:0`, …): `'one-hot'` (the default) the group of `groupOf`, `'soft'` the
   * probabilities of `groupProbabilities`, `'none'` nothing. A history with nothing to cluster (no fitted
   * movie) gets the cold-start probabilities under `'one-hot'` too.
   */
  feature?: 'one-hot' | 'soft' | 'none';
  /** Seed of k-means++ and of the silhouette sample (default 42). */
  seed?: number | string;
  /** k-means runs per k, the best kept (default 2). */
  restarts?: number;
  /** Most Lloyd iterations of a run (default 100). */
  maxIterations?: number;
  /** Users the silhouette is computed on, drawn with the seed when there are more (default 500). */
  sampleSize?: number;
  /**
   * A movie is characteristic of a group only when at least this share of the group's users (and at least
   * one) rated it (default 0.1).
   */
  minSupport?: number;
  /** Movies listed per group in `groups()` (default 10). */
  topMovies?: number;
  /** Use demographics for the cold-start probabilities of a history with nothing to cluster (default `true`). */
  demographicPrior?: boolean;
}

/**
 * The resolved {@link UserGroupOptions}, as saved.
 *
 * @example
 * ```ts
 * import { UserProfiler, type SavedUserGroupOptions } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const o = profiler.toJSON().options.groups as SavedUserGroupOptions | false;
 * ```
 */
export interface SavedUserGroupOptions {
  /** {@link UserGroupOptions.k}. */
  k: number | 'auto';
  /** {@link UserGroupOptions.kRange}. */
  kRange: [number, number];
  /** {@link UserGroupOptions.criterion}. */
  criterion: KCriterion;
  /** {@link UserGroupOptions.parts}. */
  parts: ClusterPart[];
  /** {@link UserGroupOptions.feature}. */
  feature: 'one-hot' | 'soft' | 'none';
  /** {@link UserGroupOptions.seed}. */
  seed: number | string;
  /** {@link UserGroupOptions.restarts}. */
  restarts: number;
  /** {@link UserGroupOptions.maxIterations}. */
  maxIterations: number;
  /** {@link UserGroupOptions.sampleSize}. */
  sampleSize: number;
  /** {@link UserGroupOptions.minSupport}. */
  minSupport: number;
  /** {@link UserGroupOptions.topMovies}. */
  topMovies: number;
  /** {@link UserGroupOptions.demographicPrior}. */
  demographicPrior: boolean;
}

/**
 * A movie of a group, with how many of the group's users rated it.
 *
 * @example
 * ```ts
 * import { UserProfiler, type GroupMovie } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const top: GroupMovie[] = profiler.groupTopMovies(0, 5);
 * ```
 */
export interface GroupMovie {
  /** The movie. */
  movieId: number;
  /** Users of the group who rated it. */
  count: number;
  /** `count` / users of the group. */
  share: number;
}

/**
 * A movie characteristic of a group: rated by a larger share of the group than of all users.
 *
 * @example
 * ```ts
 * import { UserProfiler, type CharacteristicMovie } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const c: CharacteristicMovie[] = profiler.groups()[0]!.characteristic;
 * ```
 */
export interface CharacteristicMovie extends GroupMovie {
  /** Share of all clustered users who rated it. */
  overallShare: number;
  /** `share / overallShare`: how many times likelier the group's users are to have rated it. */
  lift: number;
}

/**
 * One user group as {@link UserProfiler.groups} describes it.
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserGroupSummary } from 'reelrec';
 * declare const profiler: UserProfiler;
 * for (const g of profiler.groups() as UserGroupSummary[]) console.log(g.index, g.size, g.distinctive[0]);
 * ```
 */
export interface UserGroupSummary {
  /** The group's index (groups are numbered largest first). */
  index: number;
  /** Users in the group. */
  size: number;
  /** `size` / clustered users. */
  share: number;
  /** The group's centre, by profile column name. */
  centroid: Record<string, number>;
  /** The 5 columns where the centre is farthest from the mean of all users, farthest first. */
  distinctive: {
    /** Column name. */
    feature: string;
    /** The group's mean. */
    value: number;
    /** All users' mean. */
    overall: number;
  }[];
  /** The movies rated by most of the group's users (ties by id). */
  popular: GroupMovie[];
  /** The movies with the highest lift (ties: more ratings, then id) among those with the minimum support. */
  characteristic: CharacteristicMovie[];
}

/**
 * How the groups were made (see {@link UserProfiler.summary}).
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserGroupingSummary } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const g: UserGroupingSummary | null = profiler.summary().userGroups;
 * console.log(g?.k, g?.chosenBy, g?.scores);
 * ```
 */
export interface UserGroupingSummary {
  /** Number of groups. */
  k: number;
  /** `'option'` when k was given, else the criterion that chose it. */
  chosenBy: 'option' | KCriterion;
  /** Each k tried and its score (empty when k was given). */
  scores: {
    /** The k. */
    k: number;
    /** Its score (higher is better). */
    score: number;
  }[];
  /** The parts clustered on. */
  parts: ClusterPart[];
  /** Columns clustered on. */
  dim: number;
  /** Users clustered (those with ratings). */
  users: number;
  /** Sum of squared distances of the users to their group's centre. */
  inertia: number;
}

/**
 * The saved form of the user groups, inside {@link UserProfilerJSON}.
 *
 * @example
 * ```ts
 * import { UserProfiler, type UserGroupsJSON } from 'reelrec';
 * declare const profiler: UserProfiler;
 * const g: UserGroupsJSON | null | undefined = profiler.toJSON().userGroups;
 * ```
 */
export interface UserGroupsJSON {
  /** How the groups were made. */
  summary: UserGroupingSummary;
  /** Names of the columns clustered on (profile column names). */
  names: string[];
  /** Positions of those columns in the profile vector. */
  columns: number[];
  /** Each group's centre. */
  centroids: number[][];
  /** Each group's size. */
  sizes: number[];
  /** The clustered users and their groups. */
  assignments: {
    /** User ids, ascending. */
    userIds: number[];
    /** Group of each user. */
    groups: number[];
  };
  /** Every rated movie and how many users of each group rated it. */
  movies: {
    /** Movie ids. */
    ids: number[];
    /** Per movie, one count per group. */
    counts: number[][];
  };
}

/** A user's demographics as the profiler buckets them (any of them `null` when unknown). */
export interface DemographicKey {
  /** Age band. */
  age: string | null;
  /** Gender. */
  gender: string | null;
  /** Occupation. */
  occupation: string | null;
  /** Zip region. */
  region: string | null;
}

const DEMOGRAPHIC_FIELDS = ['age', 'gender', 'occupation', 'region'] as const;

/**
 * Resolves the `groups` option of {@link UserProfilerOptions}: `false` for none.
 *
 * @internal
 * @example
 * ```ts
 * resolveGroupOptions({ k: 4 }); // every default filled in
 * ```
 */
export function resolveGroupOptions(value: unknown): SavedUserGroupOptions | false {
  if (value === false) return false;
  const o = (value === undefined || value === true ? {} : value) as UserGroupOptions;
  if (typeof o !== 'object' || o === null) {
    throw new ConfigError('profile.groups', 'true, false or an object of group options', value);
  }
  const k = o.k ?? 'auto';
  if (k !== 'auto' && !(Number.isInteger(k) && (k as number) >= 1)) {
    throw new ConfigError('profile.groups.k', "an integer ≥ 1 or 'auto'", k);
  }
  const kRange = o.kRange ?? [2, 8];
  if (
    !Array.isArray(kRange) ||
    kRange.length !== 2 ||
    !kRange.every((x) => Number.isInteger(x) && x >= 1) ||
    kRange[0] > kRange[1]
  ) {
    throw new ConfigError(
      'profile.groups.kRange',
      '[smallest k, largest k] with 1 ≤ smallest ≤ largest',
      kRange,
    );
  }
  const parts = o.parts ?? ['genres'];
  if (
    !Array.isArray(parts) ||
    parts.length === 0 ||
    !parts.every((p) => CLUSTER_PARTS.includes(p as ClusterPart))
  ) {
    throw new ConfigError('profile.groups.parts', `a non-empty array of ${CLUSTER_PARTS.join(', ')}`, parts);
  }
  const seed = o.seed ?? 42;
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    throw new ConfigError('profile.groups.seed', 'a finite number or a string', seed);
  }
  const minSupport = numberOption('profile.groups.minSupport', o.minSupport, 0.1, 0);
  if (minSupport > 1) throw new ConfigError('profile.groups.minSupport', 'a share from 0 to 1', minSupport);
  return {
    k: k as number | 'auto',
    kRange: [kRange[0], kRange[1]],
    criterion: choiceOption(
      'profile.groups.criterion',
      o.criterion,
      ['silhouette', 'bic'] as const,
      'silhouette',
    ),
    // In profile-vector order, whatever the order given.
    parts: CLUSTER_PARTS.filter((p) => parts.includes(p)),
    feature: choiceOption(
      'profile.groups.feature',
      o.feature,
      ['one-hot', 'soft', 'none'] as const,
      'one-hot',
    ),
    seed,
    restarts: intOption('profile.groups.restarts', o.restarts, 2, 1),
    maxIterations: intOption('profile.groups.maxIterations', o.maxIterations, 100, 1),
    sampleSize: intOption('profile.groups.sampleSize', o.sampleSize, 500, 2),
    minSupport,
    topMovies: intOption('profile.groups.topMovies', o.topMovies, 10, 0),
    demographicPrior: boolOption('profile.groups.demographicPrior', o.demographicPrior, true),
  };
}

/** What {@link UserGroups.fit} needs about one clustered user. */
export interface ClusteredUser {
  /** The user's id. */
  id: number;
  /** The profile columns clustered on. */
  vector: Float64Array;
  /** The distinct movies the user rated. */
  movies: ReadonlySet<number>;
}

function softmaxLog(logs: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logs) max = Math.max(max, v);
  const out = new Float64Array(logs.length);
  if (max === Number.NEGATIVE_INFINITY) return out;
  let sum = 0;
  for (let i = 0; i < logs.length; i++) {
    out[i] = Math.exp(logs[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < logs.length; i++) out[i] = out[i]! / sum;
  return out;
}

/**
 * Fitted user groups (internal to {@link UserProfiler}): centroids, sizes, per-group movie counts and the
 * demographic tables of the cold-start prior.
 *
 * @internal
 * @example
 * ```ts
 * const groups = UserGroups.fit(users, names, columns, options, demographicsOf);
 * groups.nearest(vector); // group index
 * ```
 */
export class UserGroups {
  readonly options: SavedUserGroupOptions;
  readonly summary: UserGroupingSummary;
  readonly names: string[];
  readonly columns: number[];
  readonly k: number;
  readonly d: number;
  readonly centroids: Float64Array;
  readonly sizes: number[];
  readonly total: number;
  /** Shared variance of the soft assignment: inertia / (users · d), floored at 1e-12. */
  readonly variance: number;
  readonly userIds: number[];
  readonly userGroups: number[];
  readonly movieIds: number[];
  readonly movieRow: Map<number, number>;
  /** Row-major `movies × k` counts. */
  readonly counts: Float64Array;
  /** Per demographic field: value → per-group counts. */
  private readonly demographicTables: Record<(typeof DEMOGRAPHIC_FIELDS)[number], Map<string, Float64Array>>;

  private constructor(f: {
    options: SavedUserGroupOptions;
    summary: UserGroupingSummary;
    names: string[];
    columns: number[];
    centroids: number[][];
    sizes: number[];
    userIds: number[];
    userGroups: number[];
    movieIds: number[];
    counts: Float64Array;
    demographicsOf: (userId: number) => DemographicKey | null;
  }) {
    this.options = f.options;
    this.summary = f.summary;
    this.names = f.names;
    this.columns = f.columns;
    this.k = f.centroids.length;
    this.d = f.names.length;
    this.centroids = new Float64Array(this.k * this.d);
    f.centroids.forEach((c, g) => {
      this.centroids.set(c, g * this.d);
    });
    this.sizes = f.sizes;
    this.total = f.sizes.reduce((a, b) => a + b, 0);
    this.variance = Math.max(f.summary.inertia / Math.max(1, this.total * this.d), 1e-12);
    this.userIds = f.userIds;
    this.userGroups = f.userGroups;
    this.movieIds = f.movieIds;
    this.movieRow = new Map(f.movieIds.map((id, i) => [id, i]));
    this.counts = f.counts;
    this.demographicTables = { age: new Map(), gender: new Map(), occupation: new Map(), region: new Map() };
    if (f.options.demographicPrior) {
      f.userIds.forEach((id, i) => {
        const key = f.demographicsOf(id);
        if (key === null) return;
        for (const field of DEMOGRAPHIC_FIELDS) {
          const v = key[field];
          if (v === null) continue;
          const table = this.demographicTables[field];
          let row = table.get(v);
          if (row === undefined) {
            row = new Float64Array(this.k);
            table.set(v, row);
          }
          row[f.userGroups[i]!]!++;
        }
      });
    }
  }

  /**
   * Clusters the users. Returns the reason instead when it cannot (too few users for k or for the range).
   */
  static fit(
    users: readonly ClusteredUser[],
    parts: ClusterPart[],
    names: string[],
    columns: number[],
    options: SavedUserGroupOptions,
    demographicsOf: (userId: number) => DemographicKey | null,
  ): UserGroups | string {
    const n = users.length;
    const points = users.map((u) => u.vector);
    let summary: UserGroupingSummary;
    let result: ReturnType<typeof kMeans>;
    const base = { parts: [...parts], dim: names.length, users: n };
    const km = { seed: options.seed, restarts: options.restarts, maxIterations: options.maxIterations };
    if (options.k === 'auto') {
      const lo = options.criterion === 'silhouette' ? Math.max(2, options.kRange[0]) : options.kRange[0];
      const hi = Math.min(options.kRange[1], options.criterion === 'silhouette' ? n - 1 : n);
      if (lo > hi) {
        return `${n} users with ratings are too few to choose k in ${options.kRange[0]}..${options.kRange[1]} by ${options.criterion}`;
      }
      const chosen = chooseK(points, {
        ...km,
        range: options.kRange,
        criterion: options.criterion,
        sampleSize: options.sampleSize,
      });
      result = chosen.result;
      summary = {
        k: chosen.k,
        chosenBy: options.criterion,
        scores: chosen.scores,
        ...base,
        inertia: result.inertia,
      };
    } else {
      if (n < options.k) return `${n} users with ratings are fewer than k = ${options.k}`;
      result = kMeans(points, options.k, km);
      summary = { k: options.k, chosenBy: 'option', scores: [], ...base, inertia: result.inertia };
    }
    const k = result.k;
    const movieIds = [...new Set(users.flatMap((u) => [...u.movies]))].sort((a, b) => a - b);
    const row = new Map(movieIds.map((id, i) => [id, i]));
    const counts = new Float64Array(movieIds.length * k);
    users.forEach((u, i) => {
      const g = result.labels[i]!;
      for (const m of u.movies) counts[row.get(m)! * k + g]!++;
    });
    return new UserGroups({
      options,
      summary,
      names,
      columns,
      centroids: result.centroids,
      sizes: result.sizes,
      userIds: users.map((u) => u.id),
      userGroups: Array.from(result.labels),
      movieIds,
      counts,
      demographicsOf,
    });
  }

  /** The nearest centre of a vector of the clustered columns (ties: the lower group). */
  nearest(vector: ArrayLike<number>): number {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let g = 0; g < this.k; g++) {
      const dist = this.sqDist(vector, g);
      if (dist < bestD) {
        bestD = dist;
        best = g;
      }
    }
    return best;
  }

  /** Posterior of a spherical Gaussian mixture: `p(g) ∝ (size_g / users) · exp(−‖x − μ_g‖² / (2σ²))`. */
  soft(vector: ArrayLike<number>): Float64Array {
    const logs = new Float64Array(this.k);
    for (let g = 0; g < this.k; g++) {
      logs[g] = Math.log(this.sizes[g]! / this.total) - this.sqDist(vector, g) / (2 * this.variance);
    }
    return softmaxLog(logs);
  }

  /**
   * The cold-start probabilities: the group shares, times (when `key` has known values and
   * `demographicPrior` is on) the naive-Bayes likelihood of each known demographic value,
   * `(users of the group with it + 1) / (size of the group + distinct values of the field)`. A value no
   * clustered user has is left out.
   */
  prior(key: DemographicKey | null): Float64Array {
    const logs = new Float64Array(this.k);
    for (let g = 0; g < this.k; g++) logs[g] = Math.log(this.sizes[g]! / this.total);
    if (key !== null && this.options.demographicPrior) {
      for (const field of DEMOGRAPHIC_FIELDS) {
        const v = key[field];
        if (v === null) continue;
        const table = this.demographicTables[field];
        const row = table.get(v);
        if (row === undefined) continue;
        for (let g = 0; g < this.k; g++) logs[g]! += Math.log((row[g]! + 1) / (this.sizes[g]! + table.size));
      }
    }
    return softmaxLog(logs);
  }

  /** Share of a group's users (or of all users, `'all'`) who rated each movie of `movieIds`. */
  popularity(group: number | 'all', movieIds: readonly number[]): Float32Array {
    const out = new Float32Array(movieIds.length);
    const denom = group === 'all' ? this.total : this.sizes[group]!;
    if (denom === 0) return out;
    movieIds.forEach((id, i) => {
      const r = this.movieRow.get(id);
      if (r !== undefined) out[i] = this.count(r, group) / denom;
    });
    return out;
  }

  /** The `k` movies most rated in a group (or overall), ties by id, leaving out `exclude`. */
  top(group: number | 'all', k: number, exclude: ReadonlySet<number>): GroupMovie[] {
    const denom = group === 'all' ? this.total : this.sizes[group]!;
    const out: GroupMovie[] = [];
    this.movieIds.forEach((id, r) => {
      const c = this.count(r, group);
      if (c > 0 && !exclude.has(id)) out.push({ movieId: id, count: c, share: c / denom });
    });
    out.sort((a, b) => b.count - a.count || a.movieId - b.movieId);
    return out.slice(0, k);
  }

  /** The movies of a group with the highest lift among those with the minimum support. */
  characteristic(group: number, k: number): CharacteristicMovie[] {
    const size = this.sizes[group]!;
    if (size === 0) return [];
    const min = Math.max(1, Math.ceil(this.options.minSupport * size - 1e-9));
    const out: CharacteristicMovie[] = [];
    this.movieIds.forEach((id, r) => {
      const c = this.count(r, group);
      if (c < min) return;
      const share = c / size;
      const overallShare = this.count(r, 'all') / this.total;
      out.push({ movieId: id, count: c, share, overallShare, lift: share / overallShare });
    });
    out.sort((a, b) => b.lift - a.lift || b.count - a.count || a.movieId - b.movieId);
    return out.slice(0, k);
  }

  /** The readable summaries of the groups. */
  describe(): UserGroupSummary[] {
    const mean = new Float64Array(this.d);
    for (let g = 0; g < this.k; g++) {
      for (let j = 0; j < this.d; j++)
        mean[j]! += (this.sizes[g]! / this.total) * this.centroids[g * this.d + j]!;
    }
    return Array.from({ length: this.k }, (_, g) => {
      const centroid: Record<string, number> = {};
      const diffs: UserGroupSummary['distinctive'] = [];
      this.names.forEach((name, j) => {
        const value = this.centroids[g * this.d + j]!;
        centroid[name] = value;
        diffs.push({ feature: name, value, overall: mean[j]! });
      });
      diffs.sort(
        (a, b) =>
          Math.abs(b.value - b.overall) - Math.abs(a.value - a.overall) || (a.feature < b.feature ? -1 : 1),
      );
      return {
        index: g,
        size: this.sizes[g]!,
        share: this.sizes[g]! / this.total,
        centroid,
        distinctive: diffs.slice(0, 5),
        popular: this.top(g, this.options.topMovies, new Set()),
        characteristic: this.characteristic(g, this.options.topMovies),
      };
    });
  }

  toJSON(): UserGroupsJSON {
    return {
      summary: structuredClone(this.summary),
      names: [...this.names],
      columns: [...this.columns],
      centroids: Array.from({ length: this.k }, (_, g) =>
        Array.from(this.centroids.subarray(g * this.d, (g + 1) * this.d)),
      ),
      sizes: [...this.sizes],
      assignments: { userIds: [...this.userIds], groups: [...this.userGroups] },
      movies: {
        ids: [...this.movieIds],
        counts: this.movieIds.map((_, r) => Array.from(this.counts.subarray(r * this.k, (r + 1) * this.k))),
      },
    };
  }

  static fromJSON(
    json: UserGroupsJSON,
    options: SavedUserGroupOptions,
    profileDim: number,
    demographicsOf: (userId: number) => DemographicKey | null,
  ): UserGroups {
    const what = 'reelrec.profiler';
    expectFormat(typeof json === 'object' && json !== null, what, 'userGroups must be an object or null');
    const { names, columns, centroids, sizes, assignments, movies, summary } = json;
    expectFormat(isStringArray(names) && names.length > 0, what, 'userGroups.names must be a string array');
    expectFormat(
      isNumberArray(columns) &&
        columns.length === names.length &&
        columns.every((c) => Number.isInteger(c) && c >= 0 && c < profileDim),
      what,
      `userGroups.columns must hold ${names.length} columns of the profile vector`,
    );
    const k = Array.isArray(centroids) ? centroids.length : 0;
    expectFormat(
      k >= 1 && centroids.every((c) => isNumberArray(c) && c.length === names.length),
      what,
      `userGroups.centroids must be arrays of ${names.length} numbers`,
    );
    expectFormat(
      isNumberArray(sizes) && sizes.length === k && sizes.every((s) => Number.isInteger(s) && s >= 0),
      what,
      `userGroups.sizes must hold ${k} counts`,
    );
    expectFormat(
      isNumberArray(assignments?.userIds) &&
        isNumberArray(assignments.groups) &&
        assignments.groups.length === assignments.userIds.length &&
        assignments.groups.every((g) => Number.isInteger(g) && g >= 0 && g < k),
      what,
      'userGroups.assignments must hold user ids and a group of each',
    );
    expectFormat(
      isNumberArray(movies?.ids) &&
        Array.isArray(movies.counts) &&
        movies.counts.length === movies.ids.length &&
        movies.counts.every((c) => isNumberArray(c) && c.length === k),
      what,
      `userGroups.movies must hold ids and ${k} counts per id`,
    );
    expectFormat(
      typeof summary === 'object' && summary !== null && typeof summary.inertia === 'number',
      what,
      'userGroups.summary must be an object',
    );
    expectFormat(sizes.reduce((a, b) => a + b, 0) > 0, what, 'userGroups.sizes must not all be 0');
    const counts = new Float64Array(movies.ids.length * k);
    movies.counts.forEach((c, r) => {
      counts.set(c, r * k);
    });
    return new UserGroups({
      options,
      summary: structuredClone(summary),
      names: [...names],
      columns: [...columns],
      centroids: centroids.map((c) => [...c]),
      sizes: [...sizes],
      userIds: [...assignments.userIds],
      userGroups: [...assignments.groups],
      movieIds: [...movies.ids],
      counts,
      demographicsOf,
    });
  }

  private count(row: number, group: number | 'all'): number {
    if (group !== 'all') return this.counts[row * this.k + group]!;
    let s = 0;
    for (let g = 0; g < this.k; g++) s += this.counts[row * this.k + g]!;
    return s;
  }

  private sqDist(vector: ArrayLike<number>, g: number): number {
    let s = 0;
    for (let j = 0; j < this.d; j++) {
      const x = vector[j]! - this.centroids[g * this.d + j]!;
      s += x * x;
    }
    return s;
  }
}
