/**
 * The ml-latest family (ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m): UTF-8 CSV files with a header.
 *
 * @module
 */
import type { Movie } from '../types';
import { genreVocabulary, IdCatalog, splitGenres, titleYear } from './catalog';
import { HALF_STARS, RatingCollector, ratingFields, ratingFile } from './ratings';
import { parseInteger } from './records';
import type { DatasetParts, Reader, ReadSession } from './session';

/** ml-latest's marker for a movie without genres. */
const NO_GENRES = '(no genres listed)';

/**
 * Reads the ml-latest family. `movies.csv` and `ratings.csv` are required; `tags.csv` and `links.csv` are
 * optional. There are no users (`users: []`) and so no `dangling-user` check.
 *
 * - `movies.csv`: `movieId,title,genres`; `(no genres listed)` means none; the year is the `(1995)` at the end
 *   of the title, or `null`.
 * - `ratings.csv`: `userId,movieId,rating,timestamp`, half stars 0.5–5.
 * - `tags.csv`: `userId,movieId,tag,timestamp` → `Movie.tags`, the distinct tags of the movie in the order
 *   first seen (exact text; `Pixar` and `pixar` are two tags).
 * - `links.csv`: `movieId,imdbId,tmdbId` → `Movie.imdbUrl` (`https://www.imdb.com/title/tt<imdbId>/`); tmdbId is
 *   not kept.
 *
 * @example
 * ```ts
 * // A reader yields file requests; loadMovieLens and parseMovieLens drive it:
 * const reader = readMlLatest(new ReadSession(new LoadCollector('strict', 100)));
 * const first = reader.next(false).value; // { file: 'movies.csv', required: true, open }
 * ```
 */
export function* readMlLatest(s: ReadSession): Reader<DatasetParts> {
  const movies = new IdCatalog<Movie>('movie');
  yield s.csv('movies.csv', { required: true, columns: ['movieId', 'title', 'genres'] }, (r, f) => {
    const id = r.id(0, parseInteger(f[0]!), f[0]);
    const title = r.text(1, f[1]!);
    movies.add(r, 0, {
      id,
      title,
      year: titleYear(title),
      genres: splitGenres(r, 2, f[2]!.trim(), NO_GENRES),
    });
  });

  const collector = new RatingCollector(HALF_STARS, { ids: movies.byId, file: 'movies.csv' }, null);
  const ratingColumns = ['userId', 'movieId', 'rating', 'timestamp'];
  yield s.csv('ratings.csv', ratingFile(collector, ratingColumns), ratingFields(collector));

  const tagSets = new Map<Movie, Set<string>>();
  const tagColumns = ['userId', 'movieId', 'tag', 'timestamp'];
  yield s.csv('tags.csv', { required: false, allowEmpty: true, columns: tagColumns }, (r, f) => {
    r.id(0, parseInteger(f[0]!), f[0]);
    const movie = movies.lookup(r, 1, r.id(1, parseInteger(f[1]!), f[1]), 'movies.csv');
    const tag = r.text(2, f[2]!);
    r.timestamp(3, parseInteger(f[3]!), f[3]);
    const tags = tagSets.get(movie) ?? new Set<string>();
    tagSets.set(movie, tags.add(tag));
  });
  for (const [movie, tags] of tagSets) movie.tags = [...tags];

  const linked = new Set<number>();
  const linkColumns = ['movieId', 'imdbId', 'tmdbId'];
  yield s.csv('links.csv', { required: false, allowEmpty: true, columns: linkColumns }, (r, f) => {
    const movie = movies.lookup(r, 0, r.id(0, parseInteger(f[0]!), f[0]), 'movies.csv');
    r.id(1, parseInteger(f[1]!), f[1]);
    if (linked.has(movie.id)) r.reject('duplicate-id', 0, 'one link per movie', String(movie.id));
    linked.add(movie.id);
    movie.imdbUrl = `https://www.imdb.com/title/tt${f[1]}/`;
  });

  return {
    movies,
    users: [],
    ratings: collector.result(),
    genres: genreVocabulary(movies.byId.values()),
    ratingScale: { ...HALF_STARS },
    movieFile: 'movies.csv',
  };
}
