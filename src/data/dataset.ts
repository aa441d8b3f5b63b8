/**
 * Data sets from in-memory values, validated like the MovieLens files.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { genreVocabulary, IdCatalog } from './movielens/catalog';
import { RatingCollector, WHOLE_STARS } from './movielens/ratings';
import {
  describeValue,
  LoadCollector,
  type LoadMode,
  numberOrNaN,
  type RecordHandler,
  RecordReader,
  resolveCommonOptions,
} from './movielens/records';
import { type Dataset, type Movie, type Rating, type RatingScale, RatingTable, type User } from './types';

/**
 * What {@link createDataset} takes.
 *
 * @example
 * ```ts
 * import { type DatasetInput, createDataset } from 'reelrec';
 * const input: DatasetInput = { ratings: [{ userId: 1, movieId: 7, rating: 5, timestamp: 0 }], name: 'toy' };
 * const data = createDataset(input);
 * ```
 */
export interface DatasetInput {
  /** Ratings as objects or as a table. */
  ratings: Iterable<Rating> | RatingTable;
  /** The movies; default: one per movie id rated, titled `Movie <id>`, without year or genres. */
  movies?: Movie[];
  /** Users with demographics; default none (then ratings' user ids are not checked against a list). */
  users?: User[];
  /** Default `'custom'`. */
  name?: string;
  /** Genre vocabulary in its order; default: the movies' genre names, sorted. */
  genres?: string[];
  /** Default whole stars 1–5 (as ML-100k); pass `{ min: 0.5, max: 5, step: 0.5 }` for half stars. */
  ratingScale?: RatingScale;
  /** As for `loadMovieLens`: `'strict'` (default) throws at the first bad record, `'lenient'` skips and counts. */
  mode?: LoadMode;
  /** Detail entries kept in `report.issues` (default 100). */
  maxIssues?: number;
}

const MOVIE_COLUMNS = ['id', 'title', 'year', 'genres'];
const USER_COLUMNS = ['id', 'age', 'gender', 'occupation', 'zip'];
const RATING_COLUMNS = ['userId', 'movieId', 'rating', 'timestamp'];

/**
 * Builds a {@link Dataset} from values in memory (synthetic data, another source), checked with the rules and
 * reason codes of `loadMovieLens`: ids (`invalid-id`, `duplicate-id`), the rating scale (`rating-not-number`,
 * `rating-range`, `rating-step`), timestamps (`invalid-timestamp`, `timestamp-range`), repeated (user, movie)
 * pairs (`duplicate-rating`), ratings of movies or users missing from the given lists (`dangling-movie`,
 * `dangling-user`), and for movies and users `missing-value` (title), `invalid-year`, `unknown-genre` (a genre
 * outside `genres`, or not a string), `invalid-age`, `invalid-gender`, `invalid-text` (occupation or zip neither
 * a string nor null). Issues name the input as the file (`ratings[]`, `movies[]`, `users[]`) and the index + 1 as
 * the line. At least one rating must be kept (`empty-file`).
 *
 * The movies and users are copied (the input is not changed) and sorted by id; each movie's genres are put in
 * the vocabulary's order.
 *
 * @throws {@link DataFormatError} in strict mode at the first bad value, and when no rating is kept.
 * @throws {@link ConfigError} for a bad `mode`, `maxIssues` or `ratingScale`.
 * @example
 * ```ts
 * import { createDataset } from 'reelrec';
 * const data = createDataset({
 *   ratings: [
 *     { userId: 1, movieId: 10, rating: 4, timestamp: 1_000_000 },
 *     { userId: 2, movieId: 10, rating: 5, timestamp: 1_000_100 },
 *   ],
 * });
 * console.log(data.movies); // [{ id: 10, title: 'Movie 10', year: null, genres: [] }]
 * ```
 */
export function createDataset(input: DatasetInput): Dataset {
  const { mode, maxIssues } = resolveCommonOptions(input);
  const ratingScale = checkScale(input.ratingScale ?? WHOLE_STARS);
  const collector = new LoadCollector(mode, maxIssues);
  const vocabulary = input.genres ? [...input.genres] : null;
  const movies = input.movies && readMovies(collector, input.movies, vocabulary);
  const users = input.users && readUsers(collector, input.users);

  const ratings = new RatingCollector(
    ratingScale,
    movies ? { ids: movies.byId, file: 'movies[]' } : null,
    users ? { ids: users.byId, file: 'users[]' } : null,
  );
  const tally = collector.file('ratings[]', 'in-memory');
  const reader = new RecordReader(tally, RATING_COLUMNS);
  const source = input.ratings;
  if (source instanceof RatingTable) {
    const { userIds, movieIds, ratings: values, timestamps } = source;
    const handle: RecordHandler<number> = (r, i) =>
      ratings.add(r, userIds[i]!, movieIds[i]!, values[i]!, timestamps[i]!);
    for (let i = 0; i < source.length; i++) reader.read(i + 1, i, handle);
    tally.report.lines = source.length;
  } else {
    const handle: RecordHandler<Rating> = (r, x) =>
      ratings.add(
        r,
        numberOrNaN(x?.userId),
        numberOrNaN(x?.movieId),
        numberOrNaN(x?.rating),
        numberOrNaN(x?.timestamp),
        [x?.userId, x?.movieId, x?.rating, x?.timestamp],
      );
    let line = 0;
    for (const rating of source) reader.read(++line, rating, handle);
    tally.report.lines = line;
  }
  ratings.finish(reader);
  tally.requireRecords();
  const table = ratings.result();

  const movieList = movies ? movies.sorted() : moviesOf(table);
  let genres: string[];
  if (vocabulary) {
    const order = new Map(vocabulary.map((genre, i) => [genre, i]));
    for (const movie of movieList) movie.genres.sort((a, b) => order.get(a)! - order.get(b)!);
    genres = vocabulary;
  } else {
    genres = genreVocabulary(movieList);
  }
  const name = input.name ?? 'custom';
  return {
    name,
    format: 'custom',
    ratings: table,
    movies: movieList,
    users: users ? users.sorted() : [],
    genres,
    ratingScale: { ...ratingScale },
    report: collector.report(name, 'custom'),
  };
}

function readMovies(
  collector: LoadCollector,
  movies: Movie[],
  vocabulary: string[] | null,
): IdCatalog<Movie> {
  const known = vocabulary && new Set(vocabulary);
  const catalog = new IdCatalog<Movie>('movie');
  const handle = (r: RecordReader, m: Movie): void => {
    const id = r.id(0, numberOrNaN(m?.id), m?.id);
    if (typeof m.title !== 'string')
      r.reject('missing-value', 1, 'a non-empty title', describeValue(m.title));
    const title = r.text(1, m.title);
    if (m.year !== null && !Number.isInteger(m.year)) {
      r.reject('invalid-year', 2, 'an integer year or null', describeValue(m.year));
    }
    const genres: unknown = m.genres;
    if (!Array.isArray(genres) || genres.some((g) => typeof g !== 'string' || (known && !known.has(g)))) {
      const expected = known ? 'an array of names from genres' : 'an array of genre names';
      r.reject('unknown-genre', 3, expected, describeValue(genres));
    }
    catalog.add(r, 0, { ...m, id, title, genres: [...(genres as string[])] });
  };
  readAll(collector, 'movies[]', MOVIE_COLUMNS, movies, handle);
  return catalog;
}

function readUsers(collector: LoadCollector, users: User[]): IdCatalog<User> {
  const catalog = new IdCatalog<User>('user');
  const handle: RecordHandler<User> = (r, u) => {
    const id = r.id(0, numberOrNaN(u?.id), u?.id);
    const age = u.age === null ? null : r.age(1, numberOrNaN(u.age), u.age);
    const gender = u.gender === null ? null : r.gender(2, u.gender);
    for (const column of [3, 4] as const) {
      const value = column === 3 ? u.occupation : u.zip;
      if (value !== null && typeof value !== 'string') {
        r.reject('invalid-text', column, 'a string or null', describeValue(value));
      }
    }
    catalog.add(r, 0, { id, age, gender, occupation: u.occupation, zip: u.zip });
  };
  readAll(collector, 'users[]', USER_COLUMNS, users, handle);
  return catalog;
}

function readAll<T>(
  collector: LoadCollector,
  label: string,
  columns: readonly string[],
  records: readonly T[],
  handle: RecordHandler<T>,
): void {
  const reader = new RecordReader(collector.file(label, 'in-memory'), columns);
  for (let i = 0; i < records.length; i++) reader.read(i + 1, records[i]!, handle);
  reader.tally.report.lines = records.length;
}

/** One movie per id rated, ascending: `Movie <id>`, no year, no genres. */
function moviesOf(table: RatingTable): Movie[] {
  const ids = [...new Set(table.movieIds)].sort((a, b) => a - b);
  return ids.map((id) => ({ id, title: `Movie ${id}`, year: null, genres: [] }));
}

function checkScale(scale: RatingScale): RatingScale {
  const { min, max, step } = scale ?? {};
  const steps = (max - min) / step;
  const ok =
    Number.isFinite(min) &&
    Number.isFinite(max) &&
    min < max &&
    step > 0 &&
    Math.abs(steps - Math.round(steps)) < 1e-9;
  if (!ok)
    throw new ConfigError(
      'ratingScale',
      '{ min, max, step } with min < max and (max − min) a multiple of step',
      scale,
    );
  return scale;
}
