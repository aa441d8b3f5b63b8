/**
 * ML-100k: `u.genre`, `u.occupation`, `u.item`, `u.user`, `u.data` (and the `u1..u5`, `ua`, `ub` splits, which
 * are in the format of `u.data`). `|`-separated except `u.data` (tabs); Latin-1 unless a file is UTF-8.
 *
 * @module
 */
import { ML100K_GENRES } from '../format';
import type { Movie, RatingTable, User } from '../types';
import { IdCatalog, releaseDateYear, titleYear } from './catalog';
import { RatingCollector, ratingFields, ratingFile, WHOLE_STARS } from './ratings';
import { describeValue, parseInteger } from './records';
import type { DatasetParts, Reader, ReadSession } from './session';

/** Column names of `u.data` and the split files, as the ML-100k README calls them. */
const ML100K_RATING_COLUMNS: readonly string[] = ['user id', 'item id', 'rating', 'timestamp'];
const ITEM_COLUMNS = ['movie id', 'movie title', 'release date', 'video release date', 'IMDb URL'];
const USER_COLUMNS = ['user id', 'age', 'gender', 'occupation', 'zip code'];
const FIRST_GENRE = ITEM_COLUMNS.length;

/**
 * Reads ML-100k. `u.item` and `u.data` are required; `u.genre` (default: the 19 genres of the ML-100k release,
 * `ML100K_GENRES`),
 * `u.occupation` and `u.user` are optional.
 *
 * - `u.genre`: `name|index`, index = the line's position among genres (`genre-index`). As the genres fix the
 *   columns of `u.item`, a bad line here throws even in lenient mode.
 * - `u.item`: 5 + one field per genre. A movie's year is the `(1995)` at the end of its title, else the year of
 *   its release date, else `null` (the title's year is the film's; the release date is sometimes a later
 *   re-release). An unreadable release date flags the movie (`invalid-date`); a genre flag other than 0/1
 *   rejects it (`genre-flag`). The video release date is not kept (empty in every row of the release).
 * - `u.user`: age 0–120, gender M/F, zip code kept as text (some are Canadian). An occupation missing from
 *   `u.occupation` flags the user (`unknown-occupation`).
 * - `u.data`: ratings 1–5 in whole stars; movies must be in `u.item`, users in `u.user` when it exists.
 *
 * @example
 * ```ts
 * // A reader yields file requests; loadMovieLens and parseMovieLens drive it:
 * const reader = readMl100k(new ReadSession(new LoadCollector('strict', 100)));
 * const first = reader.next(false).value; // { file: 'u.genre', required: false, open }
 * ```
 */
export function* readMl100k(s: ReadSession): Reader<DatasetParts> {
  const listed: string[] = [];
  const genreSpec = { required: false, strict: true, columns: ['genre', 'index'] };
  const hasGenres = yield s.delimited('u.genre', '|', genreSpec, (r, f) => {
    const name = r.text(0, f[0]!);
    if (parseInteger(f[1]!) !== listed.length) {
      r.reject('genre-index', 1, `${listed.length} (the genre's position in the file)`, describeValue(f[1]));
    }
    listed.push(name);
  });
  const genres = hasGenres ? listed : [...ML100K_GENRES];

  const occupations = new Set<string>();
  const hasOccupations = yield s.delimited(
    'u.occupation',
    '|',
    { required: false, columns: ['occupation'] },
    (r, f) => {
      occupations.add(r.text(0, f[0]!));
    },
  );

  const movies = new IdCatalog<Movie>('movie');
  const itemSpec = { required: true, columns: [...ITEM_COLUMNS, ...genres] };
  yield s.delimited('u.item', '|', itemSpec, (r, f) => {
    const id = r.id(0, parseInteger(f[0]!), f[0]);
    const title = r.text(1, f[1]!);
    const movieGenres: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = f[FIRST_GENRE + g];
      if (flag === '1') movieGenres.push(genres[g]!);
      else if (flag !== '0') r.reject('genre-flag', FIRST_GENRE + g, '0 or 1', describeValue(flag));
    }
    const movie: Movie = { id, title, year: titleYear(title), genres: movieGenres };
    movies.add(r, 0, movie);
    const releaseDate = f[2]!.trim();
    if (releaseDate !== '') {
      movie.releaseDate = releaseDate;
      const year = releaseDateYear(releaseDate);
      if (year === null) r.flag('invalid-date', 2, 'a date like 01-Jan-1995', describeValue(f[2]));
      movie.year ??= year;
    }
    const url = f[4]!.trim();
    if (url !== '') movie.imdbUrl = url;
  });

  const users = new IdCatalog<User>('user');
  const hasUsers = yield s.delimited('u.user', '|', { required: false, columns: USER_COLUMNS }, (r, f) => {
    const id = r.id(0, parseInteger(f[0]!), f[0]);
    const age = r.age(1, parseInteger(f[1]!), f[1]);
    const gender = r.gender(2, f[2]);
    const occupation = r.text(3, f[3]!);
    users.add(r, 0, { id, age, gender, occupation, zip: f[4]!.trim() || null });
    if (hasOccupations && !occupations.has(occupation)) {
      r.flag('unknown-occupation', 3, 'an occupation listed in u.occupation', describeValue(occupation));
    }
  });

  const collector = new RatingCollector(
    WHOLE_STARS,
    { ids: movies.byId, file: 'u.item' },
    hasUsers ? { ids: users.byId, file: 'u.user' } : null,
  );
  yield s.delimited('u.data', '\t', ratingFile(collector, ML100K_RATING_COLUMNS), ratingFields(collector));
  return {
    movies,
    users: users.sorted(),
    ratings: collector.result(),
    genres,
    ratingScale: { ...WHOLE_STARS },
    movieFile: 'u.item',
  };
}

/**
 * Reads one official split: `<name>.base` (train) and `<name>.test` (test), each in the format of `u.data`
 * and checked like it, except against `u.item` and `u.user`.
 *
 * @example
 * ```ts
 * const reader = readMl100kFold(new ReadSession(new LoadCollector('strict', 100)), 'u1');
 * const first = reader.next(false).value; // { file: 'u1.base', required: true, open }
 * ```
 */
export function* readMl100kFold(
  s: ReadSession,
  name: string,
): Reader<{ train: RatingTable; test: RatingTable }> {
  const train = yield* readRatingFile(s, `${name}.base`);
  const test = yield* readRatingFile(s, `${name}.test`);
  return { train, test };
}

function* readRatingFile(s: ReadSession, file: string): Reader<RatingTable> {
  const collector = new RatingCollector(WHOLE_STARS, null, null);
  yield s.delimited(file, '\t', ratingFile(collector, ML100K_RATING_COLUMNS), ratingFields(collector));
  return collector.result();
}
