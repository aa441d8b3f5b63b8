import { describe, expect, it } from 'vitest';
import {
  formatImdbDetails,
  formatMovieLens100k,
  ML100K_GENRES,
  ML100K_OCCUPATIONS,
} from '../../src/data/format';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import { type Dataset, RatingTable } from '../../src/data/types';
import { DataFormatError } from '../../src/errors';

/** A tiny hand-made data set with its own three-genre list. */
function tiny(): Dataset {
  return {
    name: 'tiny',
    format: 'custom',
    ratings: RatingTable.from([
      { userId: 1, movieId: 1, rating: 4, timestamp: 881250949 },
      { userId: 1, movieId: 2, rating: 3.5, timestamp: 881250950 },
      { userId: 2, movieId: 1, rating: 5, timestamp: 891717742 },
    ]),
    movies: [
      {
        id: 1,
        title: 'Toy Story (1995)',
        year: 1995,
        genres: ['Animation', 'Comedy'],
        releaseDate: '01-Jan-1995',
        imdbUrl: 'http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)',
        plot: 'A cowboy doll is jealous of a spaceman.',
        directors: ['John Lasseter'],
        cast: ['Tom Hanks', 'Tim Allen'],
      },
      { id: 2, title: 'Heat (1995)', year: 1995, genres: ['Action'] },
      { id: 3, title: 'unknown', year: null, genres: [] },
    ],
    users: [
      { id: 1, age: 24, gender: 'M', occupation: 'technician', zip: '85711' },
      { id: 2, age: null, gender: 'F', occupation: 'astronaut', zip: null },
    ],
    genres: ['Action', 'Animation', 'Comedy'],
    ratingScale: { min: 0.5, max: 5, step: 0.5 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

function catchError(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataFormatError) return err;
    throw err;
  }
  throw new Error('expected a DataFormatError');
}

describe('formatMovieLens100k', () => {
  it('writes the six files of a hand-made data set line for line', () => {
    const files = formatMovieLens100k(tiny());
    expect(Object.keys(files).sort()).toEqual([
      'u.data',
      'u.genre',
      'u.info',
      'u.item',
      'u.occupation',
      'u.user',
    ]);
    expect(files['u.data']).toBe('1\t1\t4\t881250949\n1\t2\t3.5\t881250950\n2\t1\t5\t891717742\n');
    expect(files['u.item']).toBe(
      '1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|1|1\n' +
        // no release date but a year: 01-Jan-<year>; no URL: empty
        '2|Heat (1995)|01-Jan-1995|||1|0|0\n' +
        // no year, no date, no genre
        '3|unknown||||0|0|0\n',
    );
    expect(files['u.user']).toBe('1|24|M|technician|85711\n2||F|astronaut|\n');
    expect(files['u.genre']).toBe('Action|0\nAnimation|1\nComedy|2\n\n');
    expect(files['u.info']).toBe('2 users\n3 items\n3 ratings\n');
    // the 21 ML-100k occupations plus "astronaut", sorted: it lands between "artist" and "doctor"
    const occupations = files['u.occupation'].split('\n');
    expect(occupations.length).toBe(23); // 22 lines and the empty string after the last line break
    expect(occupations.slice(0, 4)).toEqual(['administrator', 'artist', 'astronaut', 'doctor']);
    expect(occupations[22]).toBe('');
  });

  it('writes ML-100k’s own u.genre and u.occupation for its genres and occupations', () => {
    const ds = generateSyntheticCatalog({ users: 12, ratingsPerUser: 20, content: false });
    const files = formatMovieLens100k(ds);
    expect(files['u.genre']).toBe(
      "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\n" +
        'Fantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\n' +
        'War|17\nWestern|18\n\n',
    );
    expect(files['u.occupation']).toBe(`${ML100K_OCCUPATIONS.join('\n')}\n`);
    expect(ML100K_GENRES.length).toBe(19);
    expect(ML100K_OCCUPATIONS.length).toBe(21);
  });

  it('round-trips a synthetic data set through the ML-100k field layout', () => {
    const ds = generateSyntheticCatalog({ users: 30, ratingsPerUser: 25, seed: 3 });
    const files = formatMovieLens100k(ds);

    const data = files['u.data'].split('\n');
    expect(data.pop()).toBe('');
    expect(data.length).toBe(ds.ratings.length);
    data.forEach((line, i) => {
      const f = line.split('\t');
      expect(f.length).toBe(4);
      expect(Number(f[0])).toBe(ds.ratings.userIds[i]);
      expect(Number(f[1])).toBe(ds.ratings.movieIds[i]);
      expect(Number(f[2])).toBe(ds.ratings.ratings[i]);
      expect(Number(f[3])).toBe(ds.ratings.timestamps[i]);
    });

    const items = files['u.item'].split('\n');
    expect(items.pop()).toBe('');
    expect(items.length).toBe(ds.movies.length);
    items.forEach((line, k) => {
      const f = line.split('|');
      expect(f.length).toBe(24);
      const m = ds.movies[k]!;
      expect(f.slice(0, 5)).toEqual([String(m.id), m.title, m.releaseDate, '', m.imdbUrl]);
      expect(
        f
          .slice(5)
          .map((x, g) => (x === '1' ? ML100K_GENRES[g] : null))
          .filter((g) => g !== null),
      ).toEqual(m.genres);
    });

    const users = files['u.user'].split('\n');
    expect(users.pop()).toBe('');
    users.forEach((line, k) => {
      const u = ds.users[k]!;
      expect(line).toBe(`${u.id}|${u.age}|${u.gender}|${u.occupation}|${u.zip}`);
    });
    expect(files['u.info']).toBe(`30 users\n${ds.movies.length} items\n750 ratings\n`);
  });

  it('rejects values the format cannot hold, naming file, line and field', () => {
    const pipe = tiny();
    pipe.movies[1] = { ...pipe.movies[1]!, title: 'Heat | Director’s Cut' };
    const e1 = catchError(() => formatMovieLens100k(pipe));
    expect(e1).toMatchObject({ reason: 'separator-in-field', file: 'u.item', line: 2, field: 'title' });

    const genre = tiny();
    genre.movies[0] = { ...genre.movies[0]!, genres: ['Western'] };
    const e2 = catchError(() => formatMovieLens100k(genre));
    expect(e2).toMatchObject({
      reason: 'unknown-genre',
      file: 'u.item',
      line: 1,
      field: 'genres',
      found: 'Western',
    });

    const nan = tiny();
    nan.ratings = RatingTable.from([{ userId: 1, movieId: 1, rating: Number.NaN, timestamp: 1 }]);
    const e3 = catchError(() => formatMovieLens100k(nan));
    expect(e3).toMatchObject({ reason: 'not-a-number', file: 'u.data', line: 1, field: 'rating' });

    const newline = tiny();
    newline.users[0] = { ...newline.users[0]!, occupation: 'tech\nnician' };
    const e4 = catchError(() => formatMovieLens100k(newline));
    expect(e4).toMatchObject({ reason: 'separator-in-field', file: 'u.user', line: 1, field: 'occupation' });
  });
});

describe('formatImdbDetails', () => {
  it('writes movies with content in the shape of movielens100k_details.json', () => {
    const json = formatImdbDetails(tiny());
    expect(json.endsWith('\n')).toBe(true);
    expect(JSON.parse(json)).toEqual([
      {
        movie_id: 1,
        movie_title: 'Toy Story (1995)',
        title: 'Toy Story (1995)',
        movie_genres: [1, 2],
        genre: ['Animation', 'Comedy'],
        description: 'A cowboy doll is jealous of a spaceman.',
        director: ['John Lasseter'],
        writer: [], // no writers known
        cast: ['Tom Hanks', 'Tim Allen'],
        year: 1995,
      },
    ]);
  });

  it('covers every movie of a synthetic catalog with content, and none without', () => {
    const ds = generateSyntheticCatalog({ users: 20, ratingsPerUser: 20 });
    const entries = JSON.parse(formatImdbDetails(ds)) as Array<Record<string, unknown>>;
    expect(entries.length).toBe(ds.movies.length);
    const m = ds.movies[4]!;
    expect(entries[4]).toMatchObject({
      movie_id: m.id,
      description: m.plot,
      director: m.directors,
      writer: m.writers,
      cast: m.cast,
      year: m.year,
    });
    const bare = generateSyntheticCatalog({ users: 20, ratingsPerUser: 20, content: false });
    expect(JSON.parse(formatImdbDetails(bare))).toEqual([]);
  });
});
