/**
 * ML-1M: `movies.dat`, `users.dat`, `ratings.dat`, fields separated by `::`, Latin-1 unless a file is UTF-8.
 *
 * @module
 */
import type { Movie, User } from '../types';
import { genreVocabulary, IdCatalog, splitGenres, titleYear } from './catalog';
import { RatingCollector, ratingFields, ratingFile, WHOLE_STARS } from './ratings';
import { describeValue, parseInteger } from './records';
import type { DatasetParts, Reader, ReadSession } from './session';

/** ML-1M occupation codes 0–20 and their names, from the ML-1M README. */
const ML1M_OCCUPATIONS: readonly string[] = Object.freeze([
  'other or not specified',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
]);

/**
 * ML-1M age bands: the code is the band's lower bound (1: under 18, 18: 18–24, 25: 25–34, 35: 35–44, 45: 45–49,
 * 50: 50–55, 56: 56+). `User.age` keeps the code.
 */
const ML1M_AGE_CODES: ReadonlySet<number> = new Set([1, 18, 25, 35, 45, 50, 56]);

const SEPARATOR = '::';

/**
 * Reads ML-1M. `movies.dat` and `ratings.dat` are required, `users.dat` optional.
 *
 * - `movies.dat`: `MovieID::Title::Genres`, genres `|`-separated (see `splitGenres`); the year is the `(1995)`
 *   at the end of the title, or `null`. The genre vocabulary is the distinct names, sorted (the README's order).
 * - `users.dat`: `UserID::Gender::Age::Occupation::Zip-code`; age is a band code (`invalid-age` otherwise),
 *   occupation a code 0–20 mapped to its README name (`invalid-occupation` otherwise).
 * - `ratings.dat`: `UserID::MovieID::Rating::Timestamp`, whole stars 1–5.
 *
 * @example
 * ```ts
 * // A reader yields file requests; loadMovieLens and parseMovieLens drive it:
 * const reader = readMl1m(new ReadSession(new LoadCollector('strict', 100)));
 * const first = reader.next(false).value; // { file: 'movies.dat', required: true, open }
 * ```
 */
export function* readMl1m(s: ReadSession): Reader<DatasetParts> {
  const movies = new IdCatalog<Movie>('movie');
  yield s.delimited(
    'movies.dat',
    SEPARATOR,
    { required: true, columns: ['MovieID', 'Title', 'Genres'] },
    (r, f) => {
      const id = r.id(0, parseInteger(f[0]!), f[0]);
      const title = r.text(1, f[1]!);
      movies.add(r, 0, { id, title, year: titleYear(title), genres: splitGenres(r, 2, f[2]!.trim()) });
    },
  );

  const users = new IdCatalog<User>('user');
  const userColumns = ['UserID', 'Gender', 'Age', 'Occupation', 'Zip-code'];
  const hasUsers = yield s.delimited(
    'users.dat',
    SEPARATOR,
    { required: false, columns: userColumns },
    (r, f) => {
      const id = r.id(0, parseInteger(f[0]!), f[0]);
      const gender = r.gender(1, f[1]);
      const age = r.age(2, parseInteger(f[2]!), f[2], ML1M_AGE_CODES);
      const occupation = ML1M_OCCUPATIONS[parseInteger(f[3]!)];
      if (occupation === undefined) {
        r.reject('invalid-occupation', 3, 'an occupation code from 0 to 20', describeValue(f[3]));
      }
      users.add(r, 0, { id, age, gender, occupation, zip: f[4]!.trim() || null });
    },
  );

  const collector = new RatingCollector(
    WHOLE_STARS,
    { ids: movies.byId, file: 'movies.dat' },
    hasUsers ? { ids: users.byId, file: 'users.dat' } : null,
  );
  const ratingColumns = ['UserID', 'MovieID', 'Rating', 'Timestamp'];
  yield s.delimited('ratings.dat', SEPARATOR, ratingFile(collector, ratingColumns), ratingFields(collector));
  return {
    movies,
    users: users.sorted(),
    ratings: collector.result(),
    genres: genreVocabulary(movies.byId.values()),
    ratingScale: { ...WHOLE_STARS },
    movieFile: 'movies.dat',
  };
}
