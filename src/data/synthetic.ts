/**
 * A seeded generator of MovieLens-shaped data sets with real, learnable structure, for tests, the demo and
 * scale benchmarks.
 *
 * ## The generative model
 *
 * - **Latent space.** Each genre `g` gets a direction `E_g` in `latentDim` dimensions, and one more direction
 *   stands for the release era (newer ↔ older); these are orthonormal as far as `latentDim` allows.
 * - **Movies** get 1–3 genres (1: 50%, 2: 34%, 3: 16%; the default genres are drawn with their ML-100k
 *   frequencies, Drama and Comedy most often), a release year (55% in the last 4 years before `endTime`, 25% in
 *   the 5 years before that, 20% spread over the 60 years before those), and a unit latent vector
 *   `v = normalize(Σ_{g ∈ genres} E_g + 0.35·z(year)·era + 0.7·noise)`. Popularity is Zipf: movies are ranked
 *   by a random key that favours recent years, and the movie of rank `r` (from 1) has weight
 *   `(r + movies/100)^-zipfExponent` (Zipf–Mandelbrot: the offset flattens the very top a little, as in
 *   MovieLens, where the 10 most rated movies are each rated by about half the users). Movie bias
 *   (how well it is rated) is noise plus a share that rises with popularity.
 * - **Users** get ML-100k-shaped demographics: age 7–73 (ML-100k's age histogram), gender with the share of
 *   women of the user's age band (29% overall), an occupation drawn with ML-100k frequencies for the user's age
 *   group (students are young, retirees old), a 5-digit zip. Their long-term taste is
 *   `u = normalize(D(age band) + D(gender) + ½·D(occupation) + noise)`, where each `D` is a vector of genre
 *   preferences mapped into the latent space (`Σ_g pref_g·E_g`) plus, for age bands, a lean towards older or
 *   newer movies. For the default genre names the preferences follow a hand-written table (children like
 *   Children's and Animation, women Romance, older users Film-Noir, War and Westerns, …) plus small random
 *   parts; other genre names get random preferences. So demographics predict taste.
 * - **Sequences.** A user's momentary taste is `q_t = normalize((1 − drift)·u + drift·h_t)`, where `h_t` is an
 *   exponential moving average (rate ½) of the latent vectors of the movies just watched (`h_0 = u`). The next
 *   movie is drawn with probability ∝ `popularity(j) · exp(10 · q_t·v_j)` among the movies the user has not yet
 *   rated (approximately: see the sampler below), so the next movie resembles the last few and order carries signal (none when `drift` is 0).
 * - **Ratings** are `bias(user) + bias(movie) + 2.5 · u·v_j + noise(σ = 0.7)`, mapped onto `ratingScale` by
 *   quantiles so that the share of each level follows ML-100k (1–5 stars: 6/11/27/34/21%, mean ≈ 3.53, mode 4;
 *   finer scales interpolate the same curve). A monotone map keeps the correlation with the affinity `u·v_j`.
 * - **Timestamps** (whole seconds in `[startTime, endTime]`). Each user starts at a random time in the first 95%
 *   of the window and rates in 1 (45% of users) or more sessions spread over the rest of it; within a session
 *   half of the ratings share the previous rating's second (as in ML-100k, where most ratings tie with another
 *   of the same user) and the others follow 10 s + an exponential wait of mean 40 s later. Rows are written user by user in sequence order, so a stable time sort
 *   (`userTimelines`) recovers the generated order, ties included.
 * - **Content** (`content: true`): a pool of directors, writers and actors, each leaning to one genre and with
 *   Zipf prominence; each director has a troupe of favourite actors, so actor–director partnerships recur. A
 *   movie's director, 1–3 writers (sometimes the director) and 3–8 cast members lean to its genres, and its plot
 *   mixes common words with words from its genres' vocabularies, so TF-IDF features carry genre signal.
 *
 * ## Sampling without replacement at scale
 *
 * Exact sampling from `popularity × exp(affinity)` over the unrated movies costs O(movies) a draw. Instead each
 * draw uses sampling-importance-resampling: 24 candidates are drawn from the popularity weights of the movies
 * the user has not rated, and one of them is picked with probability ∝ `exp(10 · q_t·v)` (as the number of
 * candidates grows this tends to the exact distribution; with 24 it is the generative model itself).
 * Candidates come from one of two samplers over the same distribution:
 *
 * - while the user's rated movies hold at most half the popularity mass (nearly always), from a Walker alias
 *   table built once over all movies (O(1) a draw), redrawing a movie the user has rated (tested in O(1) with a
 *   per-movie "last rated by" stamp, no reset between users): at most 2 draws a candidate on average;
 * - past that point (users who rated much of the popular head), from a Fenwick (binary indexed) tree of the
 *   weights in which the user's rated movies are set to 0: a O(log movies) descent that never returns a rated
 *   movie. The user's movies are removed from the tree when they switch to it and put back after their last
 *   rating, so the tree is shared by all users and built once. Weights are integers (scaled so that the total
 *   stays below 2^32, each at least 1), so the tree's adds and removes are exact and it never drifts.
 *
 * A rating costs O(24 · (latentDim + log movies)) whatever the catalog size, and memory is the output (20 bytes
 * a rating) plus O((movies + users) · latentDim).
 *
 * Every part draws from its own {@link Rng} stream forked from the seed in a fixed order, so e.g. turning
 * `content` off does not change the ratings.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { Rng } from '../util/random';
import { ML100K_GENRES, ML100K_OCCUPATIONS } from './format';
import type { Dataset, FileReport, Movie, RatingScale, User } from './types';
import { RatingTable } from './types';

/**
 * Options of {@link generateSyntheticCatalog}; every field is optional.
 *
 * @example
 * ```ts
 * import { generateSyntheticCatalog, type SyntheticOptions } from 'reelrec';
 * const tiny: SyntheticOptions = { seed: 7, users: 20, ratingsPerUser: 25, content: false };
 * const halfStars: SyntheticOptions = { ratingScale: { min: 0.5, max: 5, step: 0.5 }, drift: 0.8 };
 * const data = generateSyntheticCatalog(tiny);
 * ```
 */
export interface SyntheticOptions {
  /** Seed of every random draw. Default `42`. */
  seed?: number | string;
  /** Number of users. Default `500`, or `round(interactions / ratingsPerUser)` when `interactions` is given. */
  users?: number;
  /**
   * Number of movies. Default `max(50, round(4·√ratings), ceil(2·ratingsPerUser))` — about the ratio of the
   * MovieLens releases (ML-100k: 100k ratings, 1,682 movies; ML-1M: 1M, 3,706; ML-10M: 10M, 10,677). With the
   * default sizes: 693.
   */
  movies?: number;
  /**
   * Mean ratings per user. Default `60`, or `interactions / users` when both of those are given. Per-user counts
   * are heavy-tailed (a log-normal excess over `minRatingsPerUser`, at most half the catalog or the mean if
   * that is more), and their sum is exactly `round(users · ratingsPerUser)` (or `interactions`).
   */
  ratingsPerUser?: number;
  /** Fewest ratings a user has. Default `20` (as in ML-100k), or `floor(ratingsPerUser)` when that is below 20. */
  minRatingsPerUser?: number;
  /**
   * Total number of ratings, exactly. Derives `users` from `ratingsPerUser` (or `ratingsPerUser` from `users`);
   * give at most two of `users`, `ratingsPerUser` and `interactions`. Default: `round(users · ratingsPerUser)`.
   */
  interactions?: number;
  /** Genre vocabulary, in order. Default the 19 ML-100k genres ({@link ML100K_GENRES}). */
  genres?: readonly string[];
  /**
   * Dimension of the latent taste space. Default `24`: room for the 19 default genres and the era on
   * orthogonal axes, plus 4 dimensions of taste that no genre explains.
   */
  latentDim?: number;
  /** Zipf exponent of movie popularity (0: all equally popular). Default `1`. */
  zipfExponent?: number;
  /**
   * How far a user's momentary taste moves towards the movies they just watched, in [0, 1]: 0 keeps the taste
   * fixed (order carries no signal), 1 makes it depend on the last few movies only. Default `0.6`.
   */
  drift?: number;
  /** Rating scale. Default `{ min: 1, max: 5, step: 1 }`; half stars: `{ min: 0.5, max: 5, step: 0.5 }`. */
  ratingScale?: RatingScale;
  /** Earliest timestamp (Unix seconds). Default `874713600` (1997-09-20 UTC, ML-100k's first day). */
  startTime?: number;
  /** Latest timestamp (Unix seconds); also the last possible release year. Default `893289600` (1998-04-23 UTC). */
  endTime?: number;
  /** Give movies plots, directors, writers and cast. Default `true`. */
  content?: boolean;
}

/**
 * The hidden parameters a synthetic data set was drawn from, for tests and diagnostics (an oracle, or checking
 * that a model recovers structure). Row `k` of a matrix belongs to id `k + 1`.
 *
 * @example
 * ```ts
 * import { generateSyntheticCatalog } from 'reelrec';
 * const { truth } = generateSyntheticCatalog({ seed: 1 });
 * const d = truth.latentDim;
 * // affinity of user 1 and movie 5
 * let a = 0;
 * for (let k = 0; k < d; k++) a += truth.userTaste[0 * d + k]! * truth.movieLatent[4 * d + k]!;
 * ```
 */
export interface SyntheticTruth {
  /** Dimensions of the latent space (the `latentDim` option). */
  latentDim: number;
  /** Long-term taste of each user, `users × latentDim`, rows of unit length. */
  userTaste: Float32Array;
  /** Latent vector of each movie, `movies × latentDim`, rows of unit length. */
  movieLatent: Float32Array;
  /** Rating bias of each user (before the map onto the scale). */
  userBias: Float32Array;
  /** Rating bias of each movie (before the map onto the scale). */
  movieBias: Float32Array;
  /** Popularity of each movie: its share of the candidate draws (sums to 1). */
  popularity: Float64Array;
}

/**
 * A synthetic data set: a {@link Dataset} plus the {@link SyntheticTruth} it was drawn from. It can be used
 * wherever a `Dataset` is expected.
 *
 * @example
 * ```ts
 * import { generateSyntheticCatalog, type Dataset, type SyntheticDataset } from 'reelrec';
 * const synthetic: SyntheticDataset = generateSyntheticCatalog();
 * const data: Dataset = synthetic;
 * console.log(data.report.source, synthetic.truth.latentDim); // synthetic(seed=42) 24
 * ```
 */
export interface SyntheticDataset extends Dataset {
  /** The hidden parameters the ratings were drawn from. */
  truth: SyntheticTruth;
}

// ---------------------------------------------------------------------------------------------------------
// Model constants (documented in the module comment).

/** Candidates drawn per rating (sampling-importance-resampling). */
const CANDIDATES = 24;
/** Inverse temperature of the taste match when picking among candidates. */
const SHARPNESS = 10;
/** Rate of the moving average of recently watched movies. */
const RECENT_RATE = 0.5;
/** Weight of the affinity `u·v` in the rating score, and the noise of the score. */
const RATING_AFFINITY = 2.5;
const RATING_NOISE = 0.7;
/** Log-normal spread of per-user rating counts (above the minimum). */
const COUNT_SIGMA = 1.2;

/** ML-100k rating shares for 1..5 stars (6,110 / 11,370 / 27,145 / 34,174 / 21,201 of 100,000). */
const ML_RATING_SHARES = [0.0611, 0.1137, 0.27145, 0.34174, 0.21201];
/** Number of movies per genre in ML-100k, in {@link ML100K_GENRES} order. */
const ML_GENRE_COUNTS = [2, 251, 135, 42, 122, 505, 109, 50, 725, 22, 24, 92, 56, 61, 247, 101, 251, 71, 27];
/** ML-100k users by 5-year age bucket starting at 5 (5–9, 10–14, …, 70–74). */
const ML_AGE_BUCKETS = [1, 10, 66, 157, 175, 135, 106, 88, 80, 62, 32, 19, 8, 4];
/** Age bands (ML-1M's): under 18, 18–24, 25–34, 35–44, 45–49, 50–55, 56+. Lower bounds. */
const AGE_BAND_START = [0, 18, 25, 35, 45, 50, 56];
/** Share of women per age band in ML-100k. */
const FEMALE_SHARE = [0.36, 0.28, 0.25, 0.36, 0.29, 0.37, 0.13];
/**
 * ML-100k occupation counts per age group (under 25, 25–49, 50+), in {@link ML100K_OCCUPATIONS} order.
 */
const OCCUPATION_COUNTS: ReadonlyArray<readonly [number, number, number]> = [
  [6, 59, 14], // administrator
  [6, 22, 0], // artist
  [0, 5, 2], // doctor
  [1, 66, 28], // educator
  [12, 47, 8], // engineer
  [9, 8, 1], // entertainment
  [1, 28, 3], // executive
  [1, 11, 4], // healthcare
  [2, 4, 1], // homemaker
  [1, 8, 3], // lawyer
  [1, 38, 12], // librarian
  [2, 19, 5], // marketing
  [4, 4, 1], // none
  [17, 76, 12], // other
  [9, 52, 5], // programmer
  [0, 0, 14], // retired
  [3, 7, 2], // salesman
  [2, 28, 1], // scientist
  [142, 54, 0], // student
  [8, 17, 2], // technician
  [7, 31, 7], // writer
];

/** Genre preferences by age band (index into {@link AGE_BAND_START}) for the default genre names. */
const AGE_PREFS: ReadonlyArray<Record<string, number>> = [
  {
    "Children's": 1.2,
    Animation: 1.0,
    Comedy: 0.5,
    Adventure: 0.4,
    Fantasy: 0.4,
    Drama: -0.4,
    'Film-Noir': -0.6,
  },
  { Action: 0.5, 'Sci-Fi': 0.5, Horror: 0.6, Comedy: 0.5, Thriller: 0.3, Western: -0.4, 'Film-Noir': -0.4 },
  { Action: 0.3, 'Sci-Fi': 0.3, Comedy: 0.2, Thriller: 0.3, Crime: 0.2, Musical: -0.2 },
  { Drama: 0.4, Crime: 0.3, Thriller: 0.2, Mystery: 0.2, Horror: -0.3, Animation: -0.2 },
  { Drama: 0.5, Mystery: 0.3, War: 0.3, Horror: -0.4, Animation: -0.3 },
  { Drama: 0.6, War: 0.4, Western: 0.4, 'Film-Noir': 0.4, Musical: 0.3, Horror: -0.5, 'Sci-Fi': -0.2 },
  { Drama: 0.6, 'Film-Noir': 0.6, Western: 0.5, War: 0.5, Musical: 0.5, Documentary: 0.3, Horror: -0.6 },
];
/** Lean towards newer (+) or older (−) movies per age band. */
const AGE_ERA = [0.4, 0.3, 0.1, 0, -0.1, -0.3, -0.5];
const GENDER_PREFS: Readonly<Record<'M' | 'F', Record<string, number>>> = {
  M: { Action: 0.3, 'Sci-Fi': 0.3, War: 0.2, Western: 0.2, Thriller: 0.1, Romance: -0.3, Musical: -0.2 },
  F: {
    Romance: 0.7,
    Drama: 0.4,
    Musical: 0.3,
    "Children's": 0.2,
    Comedy: 0.2,
    Action: -0.3,
    War: -0.3,
    Horror: -0.2,
  },
};
const OCCUPATION_PREFS: Readonly<Record<string, Record<string, number>>> = {
  programmer: { 'Sci-Fi': 0.5, Action: 0.2 },
  engineer: { 'Sci-Fi': 0.4, War: 0.2 },
  scientist: { 'Sci-Fi': 0.4, Documentary: 0.3 },
  technician: { 'Sci-Fi': 0.3, Action: 0.3 },
  artist: { Drama: 0.3, Documentary: 0.3, 'Film-Noir': 0.3 },
  writer: { Drama: 0.4, 'Film-Noir': 0.3, Mystery: 0.2 },
  educator: { Documentary: 0.4, Drama: 0.2 },
  librarian: { Documentary: 0.3, Mystery: 0.3 },
  homemaker: { Romance: 0.4, "Children's": 0.4 },
  entertainment: { Musical: 0.4, Comedy: 0.3 },
  student: { Comedy: 0.3, Horror: 0.2 },
  retired: { Western: 0.3, War: 0.3, Musical: 0.2 },
  lawyer: { Crime: 0.4, Thriller: 0.2 },
  executive: { Thriller: 0.3, Crime: 0.2 },
  healthcare: { Drama: 0.3, Romance: 0.2 },
  doctor: { Drama: 0.3, Mystery: 0.2 },
};

/** Plot words per default genre name. */
const GENRE_WORDS: Readonly<Record<string, string>> = {
  unknown: 'untitled obscure forgotten reel fragment',
  Action: 'explosive mission agent chase weapon commando hostage rescue showdown bomb',
  Adventure: 'treasure journey expedition jungle quest island map voyage explorer ruins',
  Animation: 'animated cartoon talking enchanted colorful puppet toy creature magical',
  "Children's": 'kids puppy school friendship family playful holiday lesson pet summer',
  Comedy: 'hilarious wacky prank misadventure awkward slacker roommate goofy mixup',
  Crime: 'heist gangster mob detective robbery drug cop corrupt smuggler con',
  Documentary: 'interviews footage archival real portrait history nature filmmaker true',
  Drama: 'struggle grief family redemption marriage illness memory loss hope secret',
  Fantasy: 'wizard dragon kingdom spell sorcerer elves curse legend enchanted realm',
  'Film-Noir': 'femme fatale shadows private eye double cross alley cigarette rain',
  Horror: 'haunted zombie blood slasher demon possessed cabin scream vampire curse',
  Musical: 'song dance stage broadway singer chorus melody rehearsal showstopper',
  Mystery: 'clue murder suspect puzzle riddle vanished inspector alibi motive',
  Romance: 'love romance wedding kiss heart passion affair sweetheart courtship',
  'Sci-Fi': 'alien planet spaceship robot future galaxy android cyborg laser time',
  Thriller: 'conspiracy stalker paranoid killer ransom tension deadly trap obsession',
  War: 'soldier battle army platoon trenches general invasion frontline veteran',
  Western: 'cowboy sheriff outlaw ranch frontier saloon gunslinger cattle desert',
};
/** Plot words shared by every genre. */
const COMMON_WORDS = (
  'a the young man woman must find his her life story when after their world new old friend town ' +
  'city years discovers becomes against two lives finds while way home night father mother son ' +
  'daughter brother sister group small one'
).split(' ');
const FIRST_NAMES = (
  'Alex Bailey Casey Dana Elliot Frances Glen Harper Ira Jordan Kendall Lane Morgan Noel Oakley ' +
  'Parker Quinn Reese Sidney Taylor Uma Vernon Wren Yael Zane Ainsley Blair Corin Darcy Emery ' +
  'Flynn Greer Hollis Jules Kit Lou'
).split(' ');
const LAST_NAMES = (
  'Abernathy Blackwood Calloway Delacroix Ellsworth Fairbanks Galloway Hargrove Ingram Jessop ' +
  'Kingsley Lockhart Merriweather Northcott Oakes Pemberton Quarles Ravenscroft Sterling Thackeray ' +
  'Underhill Vance Whitlock Yardley Zeller Ashdown Bramwell Crowther Dunmore Everly Fenwick ' +
  'Grimsby Holloway Ives Kettering Larkspur Mallory Nettleton Ormsby Prescott'
).split(' ');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Resolved {
  seed: number | string;
  users: number;
  movies: number;
  total: number;
  minCount: number;
  genres: string[];
  d: number;
  zipf: number;
  drift: number;
  scale: RatingScale;
  levels: number;
  start: number;
  end: number;
  content: boolean;
}

/**
 * Generates a seeded, MovieLens-shaped synthetic data set with learnable structure: Zipf popularity, genres
 * tied to latent tastes, demographics that predict taste, sequences in which the next movie depends on the
 * last ones, ratings that follow the user–movie affinity with ML-100k's rating distribution, and optional
 * content (plots, directors, writers, cast). See the module comment for the model and the sampler. The same
 * options give identical output; the result also carries the hidden {@link SyntheticTruth}.
 *
 * Sizes: 30,000 ratings (the defaults) take a fraction of a second; 10^6 ratings a few seconds; 10^7 ratings
 * about half a minute and 200 MB for the rating columns (the columns are allocated once, at their exact size).
 *
 * @throws {ConfigError} for an option outside its range, or sizes that cannot be met (e.g. more ratings per
 *   user than movies).
 *
 * @example
 * ```ts
 * import { generateSyntheticCatalog, leaveOneOutSplit } from 'reelrec';
 * const data = generateSyntheticCatalog({ seed: 1, users: 300, ratingsPerUser: 80 });
 * console.log(data.ratings.length, data.movies.length, data.users[0]); // 24000 620 { id: 1, age: …, … }
 * const { train, test } = leaveOneOutSplit(data.ratings);
 * // Benchmarks: a total size, users derived from the mean of 60 ratings per user.
 * const big = generateSyntheticCatalog({ interactions: 1_000_000, content: false });
 * ```
 */
export function generateSyntheticCatalog(options: SyntheticOptions = {}): SyntheticDataset {
  const o = resolve(options);
  const root = new Rng(o.seed);
  // One stream per part, forked in a fixed order (see the module comment).
  const rLatent = root.fork('latent');
  const rMovies = root.fork('movies');
  const rUsers = root.fork('users');
  const rCounts = root.fork('counts');
  const rItems = root.fork('sequences');
  const rTimes = root.fork('timestamps');
  const rRatings = root.fork('ratings');
  const rContent = root.fork('content');

  const d = o.d;
  const G = o.genres.length;
  const { genreDir, eraDir } = makeDirections(d, G, rLatent);

  const movieData = makeMovies(o, rMovies, genreDir, eraDir);
  const userData = makeUsers(o, rUsers, genreDir, eraDir);
  const counts = allocateCounts(o, rCounts);

  const n = o.total;
  const userIds = new Int32Array(n);
  const movieIds = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  sampleSequences(o, counts, movieData, userData, rItems, rRatings, { userIds, movieIds, ratings });
  fillTimestamps(o, counts, rTimes, timestamps);
  quantise(ratings, o.scale, o.levels);

  const movies = movieData.movies;
  if (o.content) addContent(o, movies, movieData.genreIdx, rContent);

  const fileReport = (file: string, lines: number): FileReport => ({
    file,
    encoding: 'generated',
    lines,
    accepted: lines,
    flagged: 0,
    skipped: 0,
    reasons: {},
  });
  const files = [fileReport('ratings', n), fileReport('movies', o.movies), fileReport('users', o.users)];
  if (o.content) files.push(fileReport('details', o.movies));
  files.push(fileReport('genres', G));

  return {
    name: 'synthetic',
    format: 'synthetic',
    ratings: new RatingTable(userIds, movieIds, ratings, timestamps),
    movies,
    users: userData.users,
    genres: [...o.genres],
    ratingScale: { ...o.scale },
    report: {
      source: `synthetic(seed=${o.seed})`,
      format: 'synthetic',
      mode: 'strict',
      files,
      issues: [],
      issuesOmitted: 0,
    },
    truth: {
      latentDim: d,
      userTaste: userData.taste,
      movieLatent: movieData.latent,
      userBias: userData.bias,
      movieBias: movieData.bias,
      popularity: movieData.popularity,
    },
  };
}

/**
 * Unit directions for the era and each genre: random, then made orthonormal (Gram–Schmidt, era first) as far
 * as the dimension allows, so a preference for one genre does not leak into another; with fewer dimensions
 * than genres + 1, the directions past the first `d` stay random unit vectors.
 */
function makeDirections(d: number, G: number, rng: Rng): { genreDir: Float64Array; eraDir: Float64Array } {
  const dirs: Float64Array[] = [];
  for (let k = 0; k <= G; k++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    if (k < d) {
      for (const w of dirs) {
        let p = 0;
        for (let i = 0; i < d; i++) p += v[i]! * w[i]!;
        for (let i = 0; i < d; i++) v[i]! -= p * w[i]!;
      }
    }
    dirs.push(unit(v));
  }
  const genreDir = new Float64Array(G * d);
  for (let g = 0; g < G; g++) genreDir.set(dirs[g + 1]!, g * d);
  return { genreDir, eraDir: dirs[0]! };
}

// ---------------------------------------------------------------------------------------------------------
// Options

function resolve(options: SyntheticOptions): Resolved {
  const seed = options.seed ?? 42;
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw new ConfigError('seed', 'a finite number or a string', seed);
  }
  const given = ['users', 'ratingsPerUser', 'interactions'].filter(
    (k) => options[k as keyof SyntheticOptions] !== undefined,
  );
  if (given.length === 3) {
    throw new ConfigError(
      'interactions',
      'at most two of users, ratingsPerUser and interactions',
      options.interactions,
    );
  }
  if (options.users !== undefined) checkInt('users', options.users, 1, 2 ** 31 - 1);
  if (options.interactions !== undefined) checkInt('interactions', options.interactions, 1, 2 ** 32 - 1);
  if (options.ratingsPerUser !== undefined) {
    checkNumber('ratingsPerUser', options.ratingsPerUser, 1, 1e7, 'a number ≥ 1');
  }
  let users: number;
  let total: number;
  if (options.interactions !== undefined) {
    total = options.interactions;
    users = options.users ?? Math.max(1, Math.round(total / (options.ratingsPerUser ?? 60)));
  } else {
    users = options.users ?? 500;
    total = Math.round(users * (options.ratingsPerUser ?? 60));
  }
  const mean = total / users;
  if (mean < 1) throw new ConfigError('interactions', `at least one rating per user (${users} users)`, total);
  const minCount = options.minRatingsPerUser ?? Math.max(1, Math.min(20, Math.floor(mean)));
  checkInt('minRatingsPerUser', minCount, 1, 2 ** 31 - 1);
  if (minCount > mean) {
    throw new ConfigError('minRatingsPerUser', `at most the mean ratings per user (${mean})`, minCount);
  }
  const movies = options.movies ?? Math.max(50, Math.round(4 * Math.sqrt(total)), Math.ceil(2 * mean));
  checkInt('movies', movies, 1, 2 ** 22);
  if (mean > movies) {
    throw new ConfigError(
      'movies',
      `at least the mean ratings per user (${mean}): nobody rates a movie twice`,
      movies,
    );
  }
  const genres = options.genres !== undefined ? [...options.genres] : [...ML100K_GENRES];
  if (
    genres.length === 0 ||
    new Set(genres).size !== genres.length ||
    genres.some((g) => typeof g !== 'string' || g === '')
  ) {
    throw new ConfigError('genres', 'a non-empty list of distinct, non-empty names', options.genres);
  }
  const d = options.latentDim ?? 24;
  checkInt('latentDim', d, 2, 1024);
  const zipf = options.zipfExponent ?? 1;
  checkNumber('zipfExponent', zipf, 0, 5, 'a number in [0, 5]');
  const drift = options.drift ?? 0.6;
  checkNumber('drift', drift, 0, 1, 'a number in [0, 1]');
  const scale = options.ratingScale ?? { min: 1, max: 5, step: 1 };
  const levelsExact = (scale.max - scale.min) / scale.step;
  const levels = Math.round(levelsExact) + 1;
  if (
    !Number.isFinite(scale.min) ||
    !Number.isFinite(scale.max) ||
    !(scale.step > 0) ||
    !(scale.max > scale.min) ||
    Math.abs(levelsExact - Math.round(levelsExact)) > 1e-9 ||
    levels > 1000
  ) {
    throw new ConfigError(
      'ratingScale',
      'min < max and a step > 0 that divides max − min (at most 1000 levels)',
      scale,
    );
  }
  const start = options.startTime ?? 874713600;
  const end = options.endTime ?? 893289600;
  checkNumber('startTime', start, 0, 2 ** 42, 'Unix seconds ≥ 0');
  checkNumber('endTime', end, start + 1, 2 ** 42, `Unix seconds after startTime (${start})`);
  const content = options.content ?? true;
  if (typeof content !== 'boolean') throw new ConfigError('content', 'a boolean', content);
  return {
    seed,
    users,
    movies,
    total,
    minCount,
    genres,
    d,
    zipf,
    drift,
    scale: { min: scale.min, max: scale.max, step: scale.step },
    levels,
    start: Math.floor(start),
    end: Math.floor(end),
    content,
  };
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new ConfigError(name, `an integer in [${min}, ${max}]`, value);
  }
}

function checkNumber(name: string, value: number, min: number, max: number, expected: string): void {
  if (!(typeof value === 'number' && value >= min && value <= max))
    throw new ConfigError(name, expected, value);
}

// ---------------------------------------------------------------------------------------------------------
// Movies

interface MovieData {
  movies: Movie[];
  /** Genre indices of each movie. */
  genreIdx: number[][];
  latent: Float32Array;
  bias: Float32Array;
  /** Integer popularity weights for the Fenwick tree. */
  weight: Float64Array;
  popularity: Float64Array;
}

function makeMovies(o: Resolved, rng: Rng, genreDir: Float64Array, eraDir: Float64Array): MovieData {
  const M = o.movies;
  const d = o.d;
  const G = o.genres.length;
  const genreWeight = o.genres.map((g) => {
    const k = ML100K_GENRES.indexOf(g);
    return k >= 0 ? ML_GENRE_COUNTS[k]! : 100;
  });
  const yearMax = new Date(o.end * 1000).getUTCFullYear();
  const genreIdx: number[][] = [];
  const years = new Int32Array(M);
  for (let j = 0; j < M; j++) {
    const u = rng.next();
    const k = Math.min(G, u < 0.5 ? 1 : u < 0.84 ? 2 : 3);
    const chosen: number[] = [];
    const w = genreWeight.slice();
    for (let c = 0; c < k; c++) {
      const g = pickWeighted(w, rng);
      chosen.push(g);
      w[g] = 0;
    }
    genreIdx.push(chosen.sort((a, b) => a - b));
    const y = rng.next();
    years[j] =
      y < 0.55
        ? yearMax - rng.int(4)
        : y < 0.8
          ? yearMax - 4 - rng.int(5)
          : yearMax - 9 - Math.floor(60 * rng.next() ** 1.6);
  }
  let yearMean = 0;
  for (let j = 0; j < M; j++) yearMean += years[j]! / M;
  let yearVar = 0;
  for (let j = 0; j < M; j++) yearVar += (years[j]! - yearMean) ** 2 / M;
  const yearSd = Math.sqrt(yearVar) || 1;

  const latent = new Float32Array(M * d);
  const v = new Float64Array(d);
  const popKey = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    const zYear = (years[j]! - yearMean) / yearSd;
    v.fill(0);
    for (const g of genreIdx[j]!) for (let k = 0; k < d; k++) v[k]! += genreDir[g * d + k]!;
    for (let k = 0; k < d; k++) v[k]! += 0.35 * zYear * eraDir[k]! + (0.7 * rng.normal()) / Math.sqrt(d);
    unit(v);
    for (let k = 0; k < d; k++) latent[j * d + k] = v[k]!;
    popKey[j] = rng.normal() + 0.5 * zYear;
  }

  // Popularity rank by descending key; Zipf–Mandelbrot weight (r + M/100)^-zipf.
  const head = M / 100;
  const order = Array.from({ length: M }, (_, j) => j).sort((a, b) => popKey[b]! - popKey[a]! || a - b);
  const rel = new Float64Array(M);
  const logRank = new Float64Array(M);
  order.forEach((j, r) => {
    rel[j] = (r + 1 + head) ** -o.zipf;
    logRank[j] = Math.log(r + 1);
  });
  let relSum = 0;
  for (let j = 0; j < M; j++) relSum += rel[j]!;
  const scale = (2 ** 32 - M) / relSum;
  const weight = new Float64Array(M);
  let wSum = 0;
  for (let j = 0; j < M; j++) {
    weight[j] = Math.max(1, Math.floor(rel[j]! * scale));
    wSum += weight[j]!;
  }
  const popularity = new Float64Array(M);
  for (let j = 0; j < M; j++) popularity[j] = weight[j]! / wSum;

  const lrMean = logRank.reduce((a, b) => a + b, 0) / M;
  const lrSd = Math.sqrt(logRank.reduce((a, b) => a + (b - lrMean) ** 2, 0) / M) || 1;
  const bias = new Float32Array(M);
  for (let j = 0; j < M; j++) bias[j] = 0.4 * rng.normal() - (0.2 * (logRank[j]! - lrMean)) / lrSd;

  const movies: Movie[] = [];
  for (let j = 0; j < M; j++) {
    const id = j + 1;
    const year = years[j]!;
    const title = `Synthetic Movie ${id} (${year})`;
    const day = 1 + rng.int(28);
    movies.push({
      id,
      title,
      year,
      genres: genreIdx[j]!.map((g) => o.genres[g]!),
      releaseDate: `${String(day).padStart(2, '0')}-${MONTHS[rng.int(12)]}-${year}`,
      imdbUrl: `http://us.imdb.com/M/title-exact?${encodeURIComponent(title)}`,
    });
  }
  return { movies, genreIdx, latent, bias, weight, popularity };
}

// ---------------------------------------------------------------------------------------------------------
// Users

interface UserData {
  users: User[];
  taste: Float32Array;
  bias: Float32Array;
}

function makeUsers(o: Resolved, rng: Rng, genreDir: Float64Array, eraDir: Float64Array): UserData {
  const d = o.d;
  const G = o.genres.length;
  // Demographic taste offsets: age bands, genders, occupations.
  const prefVector = (
    table: Record<string, number> | undefined,
    era: number,
    randomSd: number,
  ): Float64Array => {
    const out = new Float64Array(d);
    for (let g = 0; g < G; g++) {
      const name = o.genres[g]!;
      const known = ML100K_GENRES.includes(name);
      const p = (table?.[name] ?? 0) + rng.normal() * (known ? randomSd : 0.5);
      for (let k = 0; k < d; k++) out[k]! += p * genreDir[g * d + k]!;
    }
    for (let k = 0; k < d; k++) out[k]! += era * eraDir[k]!;
    return out;
  };
  const ageVec = AGE_PREFS.map((t, b) => prefVector(t, AGE_ERA[b]!, 0.15));
  const genderVec = { M: prefVector(GENDER_PREFS.M, 0, 0.1), F: prefVector(GENDER_PREFS.F, 0, 0.1) };
  const occVec = ML100K_OCCUPATIONS.map((occ) => prefVector(OCCUPATION_PREFS[occ], 0, 0.1));

  const U = o.users;
  const users: User[] = new Array(U);
  const taste = new Float32Array(U * d);
  const bias = new Float32Array(U);
  const v = new Float64Array(d);
  for (let i = 0; i < U; i++) {
    const bucket = pickWeighted(ML_AGE_BUCKETS, rng);
    const age = Math.min(73, Math.max(7, 5 + 5 * bucket + rng.int(5)));
    let band = 0;
    while (band + 1 < AGE_BAND_START.length && age >= AGE_BAND_START[band + 1]!) band++;
    const gender = rng.next() < FEMALE_SHARE[band]! ? 'F' : 'M';
    const group = age < 25 ? 0 : age < 50 ? 1 : 2;
    const occ = pickWeighted(
      OCCUPATION_COUNTS.map((c) => c[group]!),
      rng,
    );
    const zip = String(rng.int(100000)).padStart(5, '0');
    users[i] = { id: i + 1, age, gender, occupation: ML100K_OCCUPATIONS[occ]!, zip };
    const a = ageVec[band]!;
    const gv = genderVec[gender];
    const ov = occVec[occ]!;
    for (let k = 0; k < d; k++) v[k] = a[k]! + gv[k]! + 0.5 * ov[k]! + (0.6 * rng.normal()) / Math.sqrt(d);
    unit(v);
    for (let k = 0; k < d; k++) taste[i * d + k] = v[k]!;
    bias[i] = 0.4 * rng.normal() + (0.06 * (age - 33)) / 12;
  }
  return { users, taste, bias };
}

// ---------------------------------------------------------------------------------------------------------
// Per-user counts: minCount plus a log-normal share of the excess, summing exactly to the total, capped at
// the number of movies (what a capped user cannot take is shared among the others).

function allocateCounts(o: Resolved, rng: Rng): Int32Array {
  const U = o.users;
  const counts = new Int32Array(U).fill(o.minCount);
  const w = new Float64Array(U);
  for (let i = 0; i < U; i++) w[i] = Math.exp(COUNT_SIGMA * rng.normal());
  // At most half the catalog (ML-100k's busiest user rated 44% of it), or the mean when that is more.
  const maxCount = Math.min(o.movies, Math.max(Math.ceil(o.total / U), Math.floor(o.movies / 2), o.minCount));
  const cap = maxCount - o.minCount;
  let remaining = o.total - U * o.minCount;
  const active = new Uint8Array(U).fill(1);
  for (;;) {
    let W = 0;
    for (let i = 0; i < U; i++) if (active[i]) W += w[i]!;
    let capped = false;
    for (let i = 0; i < U; i++) {
      if (active[i] && (remaining * w[i]!) / W >= cap) {
        active[i] = 0;
        counts[i] = maxCount;
        remaining -= cap;
        capped = true;
      }
    }
    if (capped && remaining > 0) continue;
    if (W === 0 || remaining <= 0) break;
    // Largest-remainder rounding of the shares, ties by user order.
    const frac: number[] = [];
    let given = 0;
    for (let i = 0; i < U; i++) {
      if (!active[i]) continue;
      const share = (remaining * w[i]!) / W;
      const whole = Math.min(cap, Math.floor(share));
      counts[i]! += whole;
      given += whole;
      if (whole < cap) frac.push(i);
    }
    let left = remaining - given;
    frac.sort((a, b) => (((remaining * w[b]!) / W) % 1) - (((remaining * w[a]!) / W) % 1) || a - b);
    for (let k = 0; left > 0 && k < frac.length; k++, left--) counts[frac[k]!]!++;
    break;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------
// Sequences

/** A Fenwick tree over non-negative integer weights (exact in float64 while the total stays below 2^53). */
class WeightTree {
  private readonly tree: Float64Array;
  private readonly n: number;
  private readonly top: number;
  total = 0;

  constructor(weights: Float64Array) {
    const n = weights.length;
    this.n = n;
    this.tree = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) {
      this.tree[i]! += weights[i - 1]!;
      this.total += weights[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= n) this.tree[parent]! += this.tree[i]!;
    }
    let top = 1;
    while (top * 2 <= n) top *= 2;
    this.top = top;
  }

  add(index: number, delta: number): void {
    for (let i = index + 1; i <= this.n; i += i & -i) this.tree[i]! += delta;
    this.total += delta;
  }

  /** The index whose cumulative range holds `x` (an integer in `[0, total)`): never a zero-weight index. */
  find(x: number): number {
    let pos = 0;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.n && this.tree[next]! <= x) {
        pos = next;
        x -= this.tree[next]!;
      }
    }
    return pos;
  }
}

/**
 * Walker's alias table over fixed weights: a draw is O(1) (Vose's construction, O(n) once).
 */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  private readonly n: number;

  constructor(weights: Float64Array) {
    const n = weights.length;
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]!;
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  /** One uniform draw picks the column (integer part) and the coin (fractional part). */
  draw(rng: Rng): number {
    const x = rng.next() * this.n;
    const i = Math.floor(x);
    return x - i < this.prob[i]! ? i : this.alias[i]!;
  }
}

function sampleSequences(
  o: Resolved,
  counts: Int32Array,
  movies: MovieData,
  users: UserData,
  rItems: Rng,
  rRatings: Rng,
  out: { userIds: Int32Array; movieIds: Int32Array; ratings: Float32Array },
): void {
  const d = o.d;
  const lat = movies.latent;
  const taste = users.taste;
  const weight = movies.weight;
  const alias = new AliasTable(weight);
  const tree = new WeightTree(weight);
  const fullWeight = tree.total;
  const keep = 1 - o.drift;
  const drift = o.drift;
  const h = new Float64Array(d);
  const q = new Float64Array(d);
  const cand = new Int32Array(CANDIDATES);
  const score = new Float64Array(CANDIDATES);
  const watched = new Int32Array(o.movies);
  /** `seenBy[j] === i + 1` when user `i` has rated movie `j`: an O(1) test with no reset between users. */
  const seenBy = new Int32Array(o.movies);
  let row = 0;
  for (let i = 0; i < o.users; i++) {
    const n = counts[i]!;
    const uo = i * d;
    const stamp = i + 1;
    for (let k = 0; k < d; k++) h[k] = taste[uo + k]!;
    const ub = users.bias[i]!;
    // Candidates come from the alias table (rejecting rated movies) while the user's rated movies hold at most
    // half the popularity mass, so a candidate costs at most 2 draws on average; past that, from the tree.
    let removed = 0;
    let useTree = false;
    for (let t = 0; t < n; t++) {
      if (!useTree && removed * 2 > fullWeight) {
        useTree = true;
        for (let k = 0; k < t; k++) tree.add(watched[k]!, -weight[watched[k]!]!);
      }
      let norm = 0;
      for (let k = 0; k < d; k++) {
        const x = keep * taste[uo + k]! + drift * h[k]!;
        q[k] = x;
        norm += x * x;
      }
      const inv = norm > 0 ? SHARPNESS / Math.sqrt(norm) : 0;
      let best = -Infinity;
      for (let c = 0; c < CANDIDATES; c++) {
        let j: number;
        if (useTree) j = tree.find(Math.floor(rItems.next() * tree.total));
        else {
          do j = alias.draw(rItems);
          while (seenBy[j] === stamp);
        }
        cand[c] = j;
        const s = dot(q, lat, j * d, d) * inv;
        score[c] = s;
        if (s > best) best = s;
      }
      let sum = 0;
      for (let c = 0; c < CANDIDATES; c++) {
        sum += Math.exp(score[c]! - best);
        score[c] = sum;
      }
      const pick = rItems.next() * sum;
      let c = 0;
      while (c < CANDIDATES - 1 && score[c]! <= pick) c++;
      const j = cand[c]!;
      seenBy[j] = stamp;
      watched[t] = j;
      removed += weight[j]!;
      if (useTree) tree.add(j, -weight[j]!);
      const jo = j * d;
      let affinity = 0;
      for (let k = 0; k < d; k++) {
        const x = lat[jo + k]!;
        h[k] = (1 - RECENT_RATE) * h[k]! + RECENT_RATE * x;
        affinity += taste[uo + k]! * x;
      }
      out.userIds[row] = i + 1;
      out.movieIds[row] = j + 1;
      out.ratings[row] = ub + movies.bias[j]! + RATING_AFFINITY * affinity + RATING_NOISE * rRatings.normal();
      row++;
    }
    if (useTree) for (let t = 0; t < n; t++) tree.add(watched[t]!, weight[watched[t]!]!);
  }
}

/** `q · lat[offset .. offset + d)`, with four running sums (faster than one dependent chain). */
function dot(q: Float64Array, lat: Float32Array, offset: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += q[k]! * lat[offset + k]!;
    s1 += q[k + 1]! * lat[offset + k + 1]!;
    s2 += q[k + 2]! * lat[offset + k + 2]!;
    s3 += q[k + 3]! * lat[offset + k + 3]!;
  }
  for (; k < d; k++) s0 += q[k]! * lat[offset + k]!;
  return s0 + s1 + (s2 + s3);
}

function fillTimestamps(o: Resolved, counts: Int32Array, rng: Rng, out: Float64Array): void {
  const window = o.end - o.start;
  let row = 0;
  for (let i = 0; i < o.users; i++) {
    const n = counts[i]!;
    const t0 = o.start + Math.floor(rng.next() * 0.95 * window);
    let sessions = 1;
    if (rng.next() >= 0.45) sessions = Math.min(n, 2 + Math.floor(-3 * Math.log(1 - rng.next())));
    const span = sessions > 1 ? (o.end - t0) * rng.next() ** 1.5 : 0;
    const starts = [t0];
    for (let s = 1; s < sessions; s++) starts.push(t0 + Math.floor(rng.next() * span));
    starts.sort((a, b) => a - b);
    const cuts: number[] = [];
    for (let s = 1; s < sessions; s++) cuts.push(1 + rng.int(n - 1));
    cuts.sort((a, b) => a - b);
    let session = 0;
    let t = t0;
    for (let k = 0; k < n; k++) {
      if (session < cuts.length && k === cuts[session]) {
        // Equal cut points merge sessions.
        while (session < cuts.length && cuts[session] === k) session++;
        t = Math.max(t, starts[session]!);
      } else if (k > 0 && rng.next() >= 0.5) {
        t += 10 + Math.floor(-40 * Math.log(1 - rng.next()));
      }
      if (t > o.end) t = o.end;
      out[row++] = t;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Ratings: map the scores onto the scale by quantiles of ML-100k's rating distribution.

function quantise(scores: Float32Array, scale: RatingScale, levels: number): void {
  const n = scores.length;
  if (n === 0) return;
  // Target CDF: piecewise linear through ML-100k's cumulative shares at fractions 0, 0.2, …, 1 of the scale.
  const knots = [0];
  for (const s of ML_RATING_SHARES) knots.push(knots[knots.length - 1]! + s);
  const cdf = (x: number): number => {
    const p = Math.min(4.999999, x * 5);
    const i = Math.floor(p);
    return knots[i]! + (knots[i + 1]! - knots[i]!) * (p - i);
  };
  // Thresholds from an evenly spaced sample of at most 2^17 scores.
  const size = Math.min(n, 1 << 17);
  const sample = new Float64Array(size);
  for (let k = 0; k < size; k++) sample[k] = scores[Math.floor((k * n) / size)]!;
  sample.sort();
  const thresholds = new Float64Array(levels - 1);
  for (let l = 1; l < levels; l++) {
    thresholds[l - 1] = sample[Math.min(size - 1, Math.floor(cdf(l / levels) * size))]!;
  }
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    let lo = 0;
    let hi = levels - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s < thresholds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    scores[i] = scale.min + lo * scale.step;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Content

function addContent(o: Resolved, movies: Movie[], genreIdx: number[][], rng: Rng): void {
  const M = movies.length;
  const G = o.genres.length;
  const genreWeight = o.genres.map((g) => {
    const k = ML100K_GENRES.indexOf(g);
    return k >= 0 ? ML_GENRE_COUNTS[k]! + 5 : 100;
  });
  const vocab = o.genres.map((g) => GENRE_WORDS[g]?.split(' ') ?? pseudoWords(rng, 8));

  // People: directors, writers, actors (one shared name space), each leaning to a genre, Zipf prominence.
  let nextPerson = 0;
  const names: string[] = [];
  const newPerson = (): number => {
    names.push(personName(nextPerson));
    return nextPerson++;
  };
  interface Role {
    people: number[];
    lean: number[];
    /** Per genre: people leaning to it and their cumulative prominence. */
    byGenre: Array<{ ids: number[]; cum: number[] }>;
    all: { ids: number[]; cum: number[] };
  }
  const makeRole = (size: number): Role => {
    const people: number[] = [];
    const lean: number[] = [];
    const byGenre = Array.from({ length: G }, () => ({ ids: [] as number[], cum: [] as number[] }));
    const all = { ids: [] as number[], cum: [] as number[] };
    for (let k = 0; k < size; k++) {
      const p = newPerson();
      const g = pickWeighted(genreWeight, rng);
      const prominence = (1 + rng.int(size)) ** -0.8;
      people.push(p);
      lean.push(g);
      const bg = byGenre[g]!;
      bg.ids.push(p);
      bg.cum.push((bg.cum[bg.cum.length - 1] ?? 0) + prominence);
      all.ids.push(p);
      all.cum.push((all.cum[all.cum.length - 1] ?? 0) + prominence);
    }
    return { people, lean, byGenre, all };
  };
  const drawFrom = (role: Role, genre: number): number => {
    const pool = role.byGenre[genre]!.ids.length > 0 ? role.byGenre[genre]! : role.all;
    const x = rng.next() * pool.cum[pool.cum.length - 1]!;
    let lo = 0;
    let hi = pool.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pool.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return pool.ids[lo]!;
  };
  const directors = makeRole(Math.max(4, Math.round(M / 4)));
  const writers = makeRole(Math.max(6, Math.round(M / 2.5)));
  const actors = makeRole(Math.max(12, Math.round(M * 1.2)));
  // Each director's troupe: 3–6 actors leaning to the director's genre.
  const troupe = new Map<number, number[]>();
  directors.people.forEach((p, k) => {
    const size = 3 + rng.int(4);
    const members = new Set<number>();
    for (let t = 0; t < size * 2 && members.size < size; t++)
      members.add(drawFrom(actors, directors.lean[k]!));
    troupe.set(p, [...members]);
  });

  for (let j = 0; j < M; j++) {
    const gs = genreIdx[j]!;
    const someGenre = (): number => gs[rng.int(gs.length)]!;
    const director = drawFrom(directors, someGenre());
    const writerSet = new Set<number>();
    if (rng.next() < 0.3) writerSet.add(director);
    const nWriters = 1 + rng.int(3);
    for (let t = 0; t < nWriters * 2 && writerSet.size < nWriters; t++)
      writerSet.add(drawFrom(writers, someGenre()));
    const castSet = new Set<number>();
    const nCast = 3 + rng.int(6);
    const favourites = troupe.get(director)!;
    for (let t = 0; castSet.size < nCast; t++) {
      // A few tries from the troupe and the genre pools, then any actor (the pool has at least 12).
      castSet.add(
        t >= 4 * nCast
          ? actors.people[rng.int(actors.people.length)]!
          : rng.next() < 0.4 && favourites.length > 0
            ? favourites[rng.int(favourites.length)]!
            : drawFrom(actors, someGenre()),
      );
    }
    const words: string[] = [];
    const nWords = 12 + rng.int(13);
    for (let t = 0; t < nWords; t++) {
      if (rng.next() < 0.4) {
        const v = vocab[someGenre()]!;
        words.push(v[rng.int(v.length)]!);
      } else words.push(COMMON_WORDS[rng.int(COMMON_WORDS.length)]!);
    }
    const plot = `${words.join(' ')}.`;
    const m = movies[j]!;
    m.plot = plot.charAt(0).toUpperCase() + plot.slice(1);
    m.directors = [names[director]!];
    m.writers = [...writerSet].map((p) => names[p]!);
    m.cast = [...castSet].map((p) => names[p]!);
  }
}

/** A unique name for person `k`: first and last name, then a middle initial, then a number. */
function personName(k: number): string {
  const F = FIRST_NAMES.length;
  const L = LAST_NAMES.length;
  const first = FIRST_NAMES[k % F]!;
  const last = LAST_NAMES[Math.floor(k / F) % L]!;
  const round = Math.floor(k / (F * L));
  if (round === 0) return `${first} ${last}`;
  const initial = String.fromCharCode(65 + ((round - 1) % 26));
  const extra = Math.floor((round - 1) / 26);
  return extra === 0 ? `${first} ${initial}. ${last}` : `${first} ${initial}. ${last} ${extra + 1}`;
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tus',
  'vo',
  'zar',
  'bel',
  'dor',
  'fi',
  'qua',
  'sen',
  'tor',
  'ula',
];

function pseudoWords(rng: Rng, count: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const n = 2 + rng.int(2);
    let w = '';
    for (let s = 0; s < n; s++) w += SYLLABLES[rng.int(SYLLABLES.length)]!;
    out.push(w);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function pickWeighted(weights: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  // Floating-point leftovers: the last index with weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return 0;
}

function unit<A extends Float64Array>(v: A): A {
  let norm = 0;
  for (let k = 0; k < v.length; k++) norm += v[k]! * v[k]!;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let k = 0; k < v.length; k++) v[k]! *= inv;
  return v;
}
