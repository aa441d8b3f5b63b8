import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvRecord } from '../../src/data/movielens/csv';
import { loadMovieLens, loadOfficialFolds, parseMovieLens } from '../../src/data/movielens/index';
import { type LineProblem, LineSplitter, MAX_LINE_BYTES } from '../../src/data/movielens/text';
import type { Dataset, FileReport, Movie, User } from '../../src/data/types';
import { ConfigError, DataFormatError, DataMissingError } from '../../src/errors';
import * as browser from '../../src/platform/browser';
import * as node from '../../src/platform/node';
import {
  encodeFiles,
  encodeLines,
  type FixtureFiles,
  imdbEntries,
  ml1mFiles,
  ml100kFiles,
  ml100kFoldFiles,
  mlLatestFiles,
  removeFixtures,
  withLine,
  withLines,
  withoutFile,
  writeFixture,
} from '../fixtures/movielens';

afterAll(removeFixtures);

type Row = [userId: number, movieId: number, rating: number, timestamp: number];
const rows = (data: Dataset): Row[] =>
  data.ratings.toArray().map((r) => [r.userId, r.movieId, r.rating, r.timestamp]);
const fileReport = (data: Dataset, file: string): FileReport => {
  const report = data.report.files.find((f) => f.file === file);
  if (!report) throw new Error(`no report for ${file}`);
  return report;
};
const counts = (data: Dataset) =>
  Object.fromEntries(data.report.files.map((f) => [f.file, [f.lines, f.accepted, f.flagged, f.skipped]]));

/** Awaits a promise (or runs a function) that must throw, and returns what it threw. */
async function thrown(action: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

/** The exact ML-100k fixture, as a reader must see it. */
const ML100K_MOVIES: Movie[] = [
  {
    id: 1,
    title: 'Toy Story (1995)',
    year: 1995,
    genres: ['Comedy'],
    releaseDate: '01-Jan-1995',
    imdbUrl: 'http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)',
  },
  {
    id: 2,
    title: 'Misérables, Les (1995)',
    year: 1995,
    genres: ['Drama'],
    releaseDate: '01-Jan-1995',
    imdbUrl: 'http://us.imdb.com/M/title-exact?Mis%E9rables',
  },
  // The title's year wins over the (re-)release date's.
  {
    id: 3,
    title: 'Taxi Driver (1976)',
    year: 1976,
    genres: ['Action', 'Drama'],
    releaseDate: '16-Feb-1996',
    imdbUrl: 'http://us.imdb.com/M/title-exact?Taxi%20Driver%20(1976)',
  },
  { id: 4, title: 'unknown', year: null, genres: ['unknown'] },
  { id: 5, title: 'Two Friends (1986)', year: 1986, genres: ['Drama'], releaseDate: '4-Feb-1986' },
];
const ML100K_USERS: User[] = [
  { id: 1, age: 24, gender: 'M', occupation: 'engineer', zip: '85711' },
  { id: 2, age: 53, gender: 'F', occupation: 'other', zip: '94043' },
  { id: 3, age: 23, gender: 'M', occupation: 'artist', zip: 'T8H1N' },
];
const ML100K_ROWS: Row[] = [
  [1, 1, 5, 881250949],
  [1, 2, 3, 881250950],
  [2, 1, 4, 881250951],
  [2, 3, 2, 881250952],
  [3, 4, 1, 881250953],
  [3, 5, 4, 881250954],
];

describe('loadMovieLens: valid data sets', () => {
  it('reads ML-100k: Latin-1 titles, years, genres, users, ratings and the report', async () => {
    const dir = await writeFixture(ml100kFiles(), { name: 'ml-100k' });
    const data = await loadMovieLens(dir);
    expect(data.name).toBe('ml-100k');
    expect(data.format).toBe('ml-100k');
    expect(data.genres).toEqual(['unknown', 'Action', 'Comedy', 'Drama']);
    expect(data.movies).toEqual(ML100K_MOVIES);
    expect(data.users).toEqual(ML100K_USERS);
    expect(rows(data)).toEqual(ML100K_ROWS);
    expect(data.ratingScale).toEqual({ min: 1, max: 5, step: 1 });
    expect(data.report).toMatchObject({
      source: dir,
      format: 'ml-100k',
      mode: 'strict',
      issues: [],
      issuesOmitted: 0,
    });
    expect(data.report.files.map((f) => [f.file, f.encoding])).toEqual([
      ['u.genre', 'ascii'],
      ['u.occupation', 'ascii'],
      ['u.item', 'latin1'],
      ['u.user', 'ascii'],
      ['u.data', 'ascii'],
    ]);
    // [lines, accepted, flagged, skipped]; the blank last line of u.genre is not a data line.
    expect(counts(data)).toEqual({
      'u.genre': [4, 4, 0, 0],
      'u.occupation': [3, 3, 0, 0],
      'u.item': [5, 5, 0, 0],
      'u.user': [3, 3, 0, 0],
      'u.data': [6, 6, 0, 0],
    });
  });

  it('reads ML-1M: occupation codes to names, age codes kept, genres sorted', async () => {
    const data = await loadMovieLens(await writeFixture(ml1mFiles(), { name: 'ml-1m' }));
    expect(data.format).toBe('ml-1m');
    expect(data.movies).toEqual([
      { id: 1, title: 'Toy Story (1995)', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
      { id: 2, title: 'Misérables, Les (1995)', year: 1995, genres: ['Drama', 'Musical'] },
      { id: 3, title: 'Heat (1995)', year: 1995, genres: ['Action', 'Crime', 'Thriller'] },
    ]);
    expect(data.genres).toEqual([
      'Action',
      'Animation',
      "Children's",
      'Comedy',
      'Crime',
      'Drama',
      'Musical',
      'Thriller',
    ]);
    expect(data.users).toEqual([
      { id: 1, age: 1, gender: 'F', occupation: 'K-12 student', zip: '48067' },
      { id: 2, age: 56, gender: 'M', occupation: 'self-employed', zip: '70072' },
      { id: 3, age: 25, gender: 'M', occupation: 'scientist', zip: '55117' },
    ]);
    expect(rows(data)).toEqual([
      [1, 1, 5, 978300760],
      [1, 2, 3, 978302109],
      [2, 3, 4, 978301968],
      [3, 1, 4, 978300275],
    ]);
    expect(fileReport(data, 'movies.dat').encoding).toBe('latin1');
  });

  it('reads ml-latest: quoted titles, (no genres listed), half stars, tags and links', async () => {
    const data = await loadMovieLens(await writeFixture(mlLatestFiles(), { encoding: 'utf-8' }));
    expect(data.format).toBe('ml-latest');
    expect(data.movies).toEqual([
      {
        id: 1,
        title: 'Toy Story (1995)',
        year: 1995,
        genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
        imdbUrl: 'https://www.imdb.com/title/tt0114709/',
      },
      {
        id: 11,
        title: 'American President, The (1995)',
        year: 1995,
        genres: ['Comedy', 'Drama', 'Romance'],
        tags: ['funny', 'politics, satire'],
        imdbUrl: 'https://www.imdb.com/title/tt0112346/',
      },
      { id: 12, title: 'Dracula: Dead and Loving It (1995)', year: 1995, genres: ['Comedy', 'Horror'] },
      { id: 13, title: 'The "Quoted" Movie (2000)', year: 2000, genres: ['Drama'] },
      { id: 14, title: 'Café Society (2016)', year: 2016, genres: [] },
    ]);
    expect(data.genres).toEqual([
      'Adventure',
      'Animation',
      'Children',
      'Comedy',
      'Drama',
      'Fantasy',
      'Horror',
      'Romance',
    ]);
    expect(data.users).toEqual([]);
    expect(data.ratingScale).toEqual({ min: 0.5, max: 5, step: 0.5 });
    expect(rows(data)).toEqual([
      [1, 1, 4, 964982703],
      [1, 11, 3.5, 964981247],
      [2, 12, 0.5, 964982224],
      [2, 13, 5, 964983815],
      [3, 14, 2.5, 964982931],
    ]);
    // Header lines are not data lines.
    expect(counts(data)).toEqual({
      'movies.csv': [5, 5, 0, 0],
      'ratings.csv': [5, 5, 0, 0],
      'tags.csv': [3, 3, 0, 0],
      'links.csv': [2, 2, 0, 0],
    });
    expect(data.report.files.every((f) => f.encoding === 'utf-8')).toBe(true);
  });

  it('works without the optional files (no u.genre: the 19 ML-100k genres; no users: no user check)', async () => {
    const flags19 = (genre: number) => Array.from({ length: 19 }, (_, g) => (g === genre ? 1 : 0)).join('|');
    const files: FixtureFiles = {
      'u.item': [`1|Heat (1995)|15-Dec-1995|||${flags19(1)}`, `2|Fargo (1996)|14-Feb-1997|||${flags19(18)}`],
      'u.data': ['7\t1\t4\t881250949', '8\t2\t5\t881250950'],
    };
    const data = await loadMovieLens(await writeFixture(files));
    expect(data.genres).toHaveLength(19);
    expect(data.movies.map((m) => m.genres)).toEqual([['Action'], ['Western']]);
    expect(data.users).toEqual([]);
    expect(data.report.files.map((f) => f.file)).toEqual(['u.item', 'u.data']);
  });

  it('skips detection with the format option', async () => {
    const dir = await writeFixture(ml1mFiles());
    expect((await loadMovieLens(dir, { format: 'ml-1m' })).format).toBe('ml-1m');
    const err = await thrown(loadMovieLens(dir, { format: 'ml-100k' }));
    expect(err).toBeInstanceOf(DataMissingError);
  });
});

describe('loadMovieLens: awkward but valid input', () => {
  it('reads CRLF line endings, a BOM and trailing blank lines exactly like plain files', async () => {
    for (const [files, encoding] of [
      [ml100kFiles(), 'latin1'],
      [mlLatestFiles(), 'utf-8'],
    ] as const) {
      const plain = await loadMovieLens(await writeFixture(files, { encoding }));
      const awkward = await loadMovieLens(
        await writeFixture(files, {
          encoding,
          eol: '\r\n',
          trailingBlankLines: 3,
          bom: encoding === 'utf-8',
        }),
      );
      expect(awkward.movies).toEqual(plain.movies);
      expect(awkward.users).toEqual(plain.users);
      expect(rows(awkward)).toEqual(rows(plain));
      expect(counts(awkward)).toEqual(counts(plain));
    }
  });

  it('reads a UTF-8 re-encoded ML-100k as UTF-8 and says so', async () => {
    const data = await loadMovieLens(await writeFixture(ml100kFiles(), { encoding: 'utf-8' }));
    expect(data.movies[1]!.title).toBe('Misérables, Les (1995)');
    expect(fileReport(data, 'u.item').encoding).toBe('utf-8');
    expect(fileReport(data, 'u.data').encoding).toBe('ascii');
  });

  it('reads a CSV record whose quoted field spans two lines (RFC 4180)', async () => {
    const files = withLines(
      mlLatestFiles(),
      'movies.csv',
      '15,"Line',
      'Break (1999)",Drama',
      '16,After (2001),Drama',
    );
    const data = await loadMovieLens(await writeFixture(files, { encoding: 'utf-8' }));
    expect(data.movies.find((m) => m.id === 15)).toEqual({
      id: 15,
      title: 'Line\nBreak (1999)',
      year: 1999,
      genres: ['Drama'],
    });
    expect(data.movies.find((m) => m.id === 16)?.title).toBe('After (2001)');
    expect(counts(data)['movies.csv']).toEqual([8, 7, 0, 0]);
  });

  it('accepts header-only optional CSV files', async () => {
    const files = { ...mlLatestFiles(), 'tags.csv': ['userId,movieId,tag,timestamp'], 'links.csv': [] };
    const data = await loadMovieLens(await writeFixture(files, { encoding: 'utf-8' }));
    expect(data.movies.every((m) => m.tags === undefined && m.imdbUrl === undefined)).toBe(true);
  });

  it('flags but keeps odd details: a bad release date, an unknown occupation, an empty genre name', async () => {
    let files = withLine(ml100kFiles(), 'u.item', 5, '5|Two Friends (1986)|31-Foo-1986|||0|0|0|1');
    files = withLine(files, 'u.user', 3, '3|23|M|astronaut|T8H1N');
    const data = await loadMovieLens(await writeFixture(files));
    expect(data.movies[4]).toEqual({
      id: 5,
      title: 'Two Friends (1986)',
      year: 1986,
      genres: ['Drama'],
      releaseDate: '31-Foo-1986',
    });
    expect(data.users[2]!.occupation).toBe('astronaut');
    expect(counts(data)['u.item']).toEqual([5, 4, 1, 0]);
    expect(counts(data)['u.user']).toEqual([3, 2, 1, 0]);
    expect(data.report.issues).toEqual([
      {
        reason: 'invalid-date',
        outcome: 'flagged',
        file: 'u.item',
        line: 5,
        field: 'release date',
        expected: 'a date like 01-Jan-1995',
        found: '"31-Foo-1986"',
      },
      {
        reason: 'unknown-occupation',
        outcome: 'flagged',
        file: 'u.user',
        line: 3,
        field: 'occupation',
        expected: 'an occupation listed in u.occupation',
        found: '"astronaut"',
      },
    ]);

    const ml1m = await loadMovieLens(
      await writeFixture(withLine(ml1mFiles(), 'movies.dat', 3, '3::Heat (1995)::Action||Crime')),
    );
    expect(ml1m.movies[2]!.genres).toEqual(['Action', 'Crime']);
    expect(fileReport(ml1m, 'movies.dat').reasons).toEqual({ 'genre-list': 1 });
  });
});

interface BadCase {
  name: string;
  files: FixtureFiles;
  encoding?: 'latin1' | 'utf-8';
  reason: string;
  file: string;
  line: number;
  field: string;
}

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const ml100k = ml100kFiles();
const ml1m = ml1mFiles();
const latest = mlLatestFiles();
const ml100kUtf8Item = withLine(ml100k, 'u.item', 5, '5|Zwei Freundinnen, Über (1986)|4-Feb-1986|||0|0|0|1');

/** One broken record each: strict mode must throw exactly there, lenient mode must skip and count it. */
const BAD: BadCase[] = [
  {
    name: 'u.data line with 3 fields',
    files: withLine(ml100k, 'u.data', 2, '1\t2\t3'),
    reason: 'field-count',
    file: 'u.data',
    line: 2,
    field: '*',
  },
  {
    name: 'u.data line with 5 fields',
    files: withLine(ml100k, 'u.data', 3, '2\t1\t4\t881250951\t9'),
    reason: 'field-count',
    file: 'u.data',
    line: 3,
    field: '*',
  },
  {
    name: 'user id not a number',
    files: withLine(ml100k, 'u.data', 1, 'abc\t1\t5\t881250949'),
    reason: 'invalid-id',
    file: 'u.data',
    line: 1,
    field: 'user id',
  },
  {
    name: 'user id 0',
    files: withLine(ml100k, 'u.data', 1, '0\t1\t5\t881250949'),
    reason: 'invalid-id',
    file: 'u.data',
    line: 1,
    field: 'user id',
  },
  {
    name: 'negative item id',
    files: withLine(ml100k, 'u.data', 2, '1\t-2\t3\t881250950'),
    reason: 'invalid-id',
    file: 'u.data',
    line: 2,
    field: 'item id',
  },
  {
    name: 'item id beyond int32',
    files: withLine(ml100k, 'u.data', 2, '1\t2147483648\t3\t881250950'),
    reason: 'invalid-id',
    file: 'u.data',
    line: 2,
    field: 'item id',
  },
  {
    name: 'fractional user id',
    files: withLine(ml100k, 'u.data', 4, '2.5\t3\t2\t881250952'),
    reason: 'invalid-id',
    file: 'u.data',
    line: 4,
    field: 'user id',
  },
  {
    name: 'rating not a number',
    files: withLine(ml100k, 'u.data', 5, '3\t4\tfour\t881250953'),
    reason: 'rating-not-number',
    file: 'u.data',
    line: 5,
    field: 'rating',
  },
  {
    name: 'rating 6 on a 1-5 scale',
    files: withLine(ml100k, 'u.data', 5, '3\t4\t6\t881250953'),
    reason: 'rating-range',
    file: 'u.data',
    line: 5,
    field: 'rating',
  },
  {
    name: 'rating 0 on a 1-5 scale',
    files: withLine(ml100k, 'u.data', 5, '3\t4\t0\t881250953'),
    reason: 'rating-range',
    file: 'u.data',
    line: 5,
    field: 'rating',
  },
  {
    name: 'rating 3.3 off the whole-star step',
    files: withLine(ml100k, 'u.data', 6, '3\t5\t3.3\t881250954'),
    reason: 'rating-step',
    file: 'u.data',
    line: 6,
    field: 'rating',
  },
  {
    name: 'fractional timestamp',
    files: withLine(ml100k, 'u.data', 6, '3\t5\t4\t881250954.5'),
    reason: 'invalid-timestamp',
    file: 'u.data',
    line: 6,
    field: 'timestamp',
  },
  {
    name: 'negative timestamp',
    files: withLine(ml100k, 'u.data', 6, '3\t5\t4\t-5'),
    reason: 'timestamp-range',
    file: 'u.data',
    line: 6,
    field: 'timestamp',
  },
  {
    name: 'timestamp after 2100',
    files: withLine(ml100k, 'u.data', 6, '3\t5\t4\t4102444801'),
    reason: 'timestamp-range',
    file: 'u.data',
    line: 6,
    field: 'timestamp',
  },
  {
    name: 'rating of a movie not in u.item',
    files: withLine(ml100k, 'u.data', 6, '3\t99\t4\t881250954'),
    reason: 'dangling-movie',
    file: 'u.data',
    line: 6,
    field: 'item id',
  },
  {
    name: 'rating by a user not in u.user',
    files: withLine(ml100k, 'u.data', 6, '7\t5\t4\t881250954'),
    reason: 'dangling-user',
    file: 'u.data',
    line: 6,
    field: 'user id',
  },
  {
    name: 'repeated (user, movie) pair',
    files: withLines(ml100k, 'u.data', '1\t2\t4\t881260000'),
    reason: 'duplicate-rating',
    file: 'u.data',
    line: 7,
    field: 'item id',
  },
  {
    name: 'NUL byte',
    files: withLine(ml100k, 'u.data', 3, '2\t1\u00004\t881250951'),
    reason: 'binary',
    file: 'u.data',
    line: 3,
    field: '*',
  },
  {
    name: 'movie id listed twice',
    files: withLines(ml100k, 'u.item', '3|Another (1990)|01-Jan-1990|||0|0|0|1'),
    reason: 'duplicate-id',
    file: 'u.item',
    line: 6,
    field: 'movie id',
  },
  {
    name: 'genre flag 2',
    files: withLine(ml100k, 'u.item', 1, '1|Toy Story (1995)|01-Jan-1995|||0|0|2|0'),
    reason: 'genre-flag',
    file: 'u.item',
    line: 1,
    field: 'Comedy',
  },
  {
    name: 'u.item missing a genre flag',
    files: withLine(ml100k, 'u.item', 2, '2|Heat (1995)|01-Jan-1995|||0|0|0'),
    reason: 'field-count',
    file: 'u.item',
    line: 2,
    field: '*',
  },
  {
    name: 'empty title',
    files: withLine(ml100k, 'u.item', 4, '4| ||||1|0|0|0'),
    reason: 'missing-value',
    file: 'u.item',
    line: 4,
    field: 'movie title',
  },
  {
    name: 'age not a number',
    files: withLine(ml100k, 'u.user', 2, '2|fifty|F|other|94043'),
    reason: 'invalid-age',
    file: 'u.user',
    line: 2,
    field: 'age',
  },
  {
    name: 'age 130',
    files: withLine(ml100k, 'u.user', 2, '2|130|F|other|94043'),
    reason: 'invalid-age',
    file: 'u.user',
    line: 2,
    field: 'age',
  },
  {
    name: 'gender X',
    files: withLine(ml100k, 'u.user', 3, '3|23|X|artist|T8H1N'),
    reason: 'invalid-gender',
    file: 'u.user',
    line: 3,
    field: 'gender',
  },
  {
    name: 'user id listed twice',
    files: withLines(ml100k, 'u.user', '1|30|F|artist|12345'),
    reason: 'duplicate-id',
    file: 'u.user',
    line: 4,
    field: 'user id',
  },
  {
    name: 'invalid UTF-8 in a UTF-8 u.item',
    files: withLine(ml100kUtf8Item, 'u.item', 4, bytes('4|unknown', [0xff], '||||1|0|0|0')),
    encoding: 'utf-8',
    reason: 'encoding',
    file: 'u.item',
    line: 4,
    field: '*',
  },
  {
    name: 'ratings.dat line with 3 fields',
    files: withLine(ml1m, 'ratings.dat', 2, '1::2::3'),
    reason: 'field-count',
    file: 'ratings.dat',
    line: 2,
    field: '*',
  },
  {
    name: 'ML-1M age 20 (not a band code)',
    files: withLine(ml1m, 'users.dat', 1, '1::F::20::10::48067'),
    reason: 'invalid-age',
    file: 'users.dat',
    line: 1,
    field: 'Age',
  },
  {
    name: 'ML-1M occupation 21',
    files: withLine(ml1m, 'users.dat', 2, '2::M::56::21::70072'),
    reason: 'invalid-occupation',
    file: 'users.dat',
    line: 2,
    field: 'Occupation',
  },
  {
    name: 'ML-1M gender m',
    files: withLine(ml1m, 'users.dat', 3, '3::m::25::15::55117'),
    reason: 'invalid-gender',
    file: 'users.dat',
    line: 3,
    field: 'Gender',
  },
  {
    name: 'ML-1M half star',
    files: withLine(ml1m, 'ratings.dat', 3, '2::3::3.5::978301968'),
    reason: 'rating-step',
    file: 'ratings.dat',
    line: 3,
    field: 'Rating',
  },
  {
    name: 'ml-latest rating 5.5',
    files: withLine(latest, 'ratings.csv', 2, '1,1,5.5,964982703'),
    encoding: 'utf-8',
    reason: 'rating-range',
    file: 'ratings.csv',
    line: 2,
    field: 'rating',
  },
  {
    name: 'ml-latest rating 3.3',
    files: withLine(latest, 'ratings.csv', 3, '1,11,3.3,964981247'),
    encoding: 'utf-8',
    reason: 'rating-step',
    file: 'ratings.csv',
    line: 3,
    field: 'rating',
  },
  {
    name: 'unterminated CSV quote',
    files: withLine(latest, 'movies.csv', 3, '11,"American President, The (1995),Comedy|Drama|Romance'),
    encoding: 'utf-8',
    reason: 'unterminated-quote',
    file: 'movies.csv',
    line: 3,
    field: '*',
  },
  {
    name: 'CSV quote inside an unquoted field',
    files: withLine(latest, 'movies.csv', 4, '12,Dracula "Dead" (1995),Comedy'),
    encoding: 'utf-8',
    reason: 'csv-quote',
    file: 'movies.csv',
    line: 4,
    field: '*',
  },
  {
    name: 'CSV line with 2 fields',
    files: withLine(latest, 'movies.csv', 4, '12,Dracula: Dead and Loving It (1995)'),
    encoding: 'utf-8',
    reason: 'field-count',
    file: 'movies.csv',
    line: 4,
    field: '*',
  },
  {
    name: 'Latin-1 byte in a UTF-8 CSV',
    files: withLine(latest, 'movies.csv', 6, bytes('14,Caf', [0xe9], ' Society (2016),(no genres listed)')),
    encoding: 'utf-8',
    reason: 'encoding',
    file: 'movies.csv',
    line: 6,
    field: '*',
  },
  {
    name: 'control character in a CSV',
    files: withLine(latest, 'ratings.csv', 3, '1,11,3.5\u0001,964981247'),
    encoding: 'utf-8',
    reason: 'binary',
    file: 'ratings.csv',
    line: 3,
    field: '*',
  },
  {
    name: 'tag of an unknown movie',
    files: withLine(latest, 'tags.csv', 2, '2,99,funny,1445714994'),
    encoding: 'utf-8',
    reason: 'dangling-movie',
    file: 'tags.csv',
    line: 2,
    field: 'movieId',
  },
  {
    name: 'empty tag',
    files: withLine(latest, 'tags.csv', 3, '2,11,"",1445714996'),
    encoding: 'utf-8',
    reason: 'missing-value',
    file: 'tags.csv',
    line: 3,
    field: 'tag',
  },
  {
    name: 'movies.csv id listed twice',
    files: withLines(latest, 'movies.csv', '1,Toy Story again (1995),Comedy'),
    encoding: 'utf-8',
    reason: 'duplicate-id',
    file: 'movies.csv',
    line: 7,
    field: 'movieId',
  },
  {
    name: 'links.csv imdbId not a number',
    files: withLine(latest, 'links.csv', 2, '1,tt0114709,862'),
    encoding: 'utf-8',
    reason: 'invalid-id',
    file: 'links.csv',
    line: 2,
    field: 'imdbId',
  },
];

describe(`malformed records (${BAD.length} cases)`, () => {
  it.each(BAD)('strict: $name throws $reason at $file:$line', async (c) => {
    const dir = await writeFixture(c.files, { encoding: c.encoding });
    const err = await thrown(loadMovieLens(dir));
    expect(err).toBeInstanceOf(DataFormatError);
    expect(err).toMatchObject({
      code: 'DATA_FORMAT',
      reason: c.reason,
      file: c.file,
      line: c.line,
      field: c.field,
    });
  });

  it.each(BAD)('lenient: $name is skipped and counted', async (c) => {
    const dir = await writeFixture(c.files, { encoding: c.encoding });
    const data = await loadMovieLens(dir, { mode: 'lenient' });
    const report = fileReport(data, c.file);
    expect(report.skipped).toBe(1);
    expect(report.reasons[c.reason]).toBe(1);
    expect(data.report.issues).toContainEqual(
      expect.objectContaining({
        reason: c.reason,
        outcome: 'skipped',
        file: c.file,
        line: c.line,
        field: c.field,
      }),
    );
    // Nothing is dropped without being counted: every data line of every file is one counted record.
    for (const f of data.report.files) expect(f.accepted + f.flagged + f.skipped).toBe(f.lines);
  });

  it('lenient: keeps the first of a repeated pair and the records around a bad one', async () => {
    const dup = await loadMovieLens(await writeFixture(withLines(ml100k, 'u.data', '1\t2\t4\t881260000')), {
      mode: 'lenient',
    });
    expect(rows(dup)).toEqual(ML100K_ROWS);

    // The unterminated quote costs its own line only; the lines after it are read again.
    const quote = BAD.find((c) => c.reason === 'unterminated-quote')!;
    const data = await loadMovieLens(await writeFixture(quote.files, { encoding: 'utf-8' }), {
      mode: 'lenient',
    });
    expect(data.movies.map((m) => m.id)).toEqual([1, 12, 13, 14]);
    expect(fileReport(data, 'ratings.csv').reasons).toEqual({ 'dangling-movie': 1 });
  });

  it('lenient: counts every issue but details only maxIssues of them', async () => {
    let files = ml100k;
    for (const line of [1, 2, 3, 4, 5]) files = withLine(files, 'u.data', line, 'x\t1\t1\t1');
    const data = await loadMovieLens(await writeFixture(files), { mode: 'lenient', maxIssues: 2 });
    expect(fileReport(data, 'u.data')).toMatchObject({
      accepted: 1,
      skipped: 5,
      reasons: { 'invalid-id': 5 },
    });
    expect(data.report.issues.map((i) => i.line)).toEqual([1, 2]);
    expect(data.report.issuesOmitted).toBe(3);
  });
});

describe('problems with a whole file (both modes)', () => {
  const cases: Array<{
    name: string;
    files: FixtureFiles;
    encoding?: 'utf-8';
    reason: string;
    file: string;
    line: number;
    field?: string;
  }> = [
    {
      name: 'an empty u.data',
      files: { ...ml100k, 'u.data': [] },
      reason: 'empty-file',
      file: 'u.data',
      line: 0,
    },
    {
      name: 'a u.data of blank lines',
      files: { ...ml100k, 'u.data': ['', '  ', ''] },
      reason: 'empty-file',
      file: 'u.data',
      line: 0,
    },
    {
      name: 'an empty movies.dat',
      files: { ...ml1m, 'movies.dat': [] },
      reason: 'empty-file',
      file: 'movies.dat',
      line: 0,
    },
    {
      name: 'a header-only ratings.csv',
      files: { ...latest, 'ratings.csv': ['userId,movieId,rating,timestamp'] },
      encoding: 'utf-8',
      reason: 'empty-file',
      file: 'ratings.csv',
      line: 0,
    },
    {
      name: 'a wrong CSV header',
      files: withLine(latest, 'ratings.csv', 1, 'user,movie,rating,timestamp'),
      encoding: 'utf-8',
      reason: 'header',
      file: 'ratings.csv',
      line: 1,
    },
    {
      name: 'a CSV without its header',
      files: { ...latest, 'links.csv': ['1,0114709,862'] },
      encoding: 'utf-8',
      reason: 'header',
      file: 'links.csv',
      line: 1,
    },
    // u.genre fixes the columns of u.item: it cannot lose a line.
    {
      name: 'a genre index out of order',
      files: withLine(ml100k, 'u.genre', 3, 'Comedy|5'),
      reason: 'genre-index',
      file: 'u.genre',
      line: 3,
      field: 'index',
    },
  ];
  it.each(cases)('$name throws $reason in both modes', async (c) => {
    const dir = await writeFixture(c.files, { encoding: c.encoding });
    for (const mode of ['strict', 'lenient'] as const) {
      const err = await thrown(loadMovieLens(dir, { mode }));
      expect(err).toBeInstanceOf(DataFormatError);
      expect(err).toMatchObject({ reason: c.reason, file: c.file, line: c.line, field: c.field ?? '*' });
    }
  });

  it('fails a file whose every record was skipped in lenient mode', async () => {
    const files = { ...ml100k, 'u.item': ['1|Heat (1995)|||'] };
    const err = await thrown(loadMovieLens(await writeFixture(files), { mode: 'lenient' }));
    expect(err).toMatchObject({
      reason: 'empty-file',
      file: 'u.item',
      found: '1 data lines, 1 records skipped, none kept',
    });
  });
});

describe('missing data', () => {
  it('lists what it looked for when a directory holds no MovieLens data', async () => {
    const dir = await writeFixture({ README: ['hello'] });
    const err = await thrown(loadMovieLens(dir));
    expect(err).toBeInstanceOf(DataMissingError);
    expect((err as Error).message).toContain(
      'looked for u.data (ml-100k), ratings.dat (ml-1m), ratings.csv (ml-latest)',
    );
    expect((err as Error).message).toContain('found README');
  });

  it('names a missing required file', async () => {
    for (const [files, missing] of [
      [withoutFile(ml100k, 'u.item'), 'u.item'],
      [withoutFile(ml1m, 'movies.dat'), 'movies.dat'],
      [withoutFile(latest, 'movies.csv'), 'movies.csv'],
    ] as const) {
      const dir = await writeFixture(files);
      const err = (await thrown(loadMovieLens(dir))) as DataMissingError;
      expect(err).toBeInstanceOf(DataMissingError);
      expect(err.message).toContain(`needs ${missing}, which is missing`);
      expect(err.path).toBe(join(dir, missing));
    }
  });

  it('rejects a directory that does not exist', async () => {
    const err = await thrown(loadMovieLens('/no/such/reelrec/dir'));
    expect(err).toBeInstanceOf(DataMissingError);
    expect((err as DataMissingError).path).toBe('/no/such/reelrec/dir');
  });

  it('rejects options outside what they accept', async () => {
    const dir = await writeFixture(ml100k);
    for (const options of [{ mode: 'loose' }, { maxIssues: -1 }, { format: 'ml-10m' }, { imdbDetails: 3 }]) {
      expect(await thrown(loadMovieLens(dir, options as never))).toBeInstanceOf(ConfigError);
    }
  });
});

describe('IMDb details', () => {
  const json = (entries: unknown[]) => `[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`; // entry i on line i + 2

  it('joins plot and people, flags suspicious entries and does not join them', async () => {
    const extra = { '../data-imdb-details/movielens100k_details.json': json(imdbEntries()) };
    const data = await loadMovieLens(await writeFixture(ml100k, { extra }));
    const details = fileReport(data, '../data-imdb-details/movielens100k_details.json');
    expect(details).toMatchObject({ encoding: 'utf-8', accepted: 2, flagged: 3, skipped: 0 });
    expect(details.reasons).toEqual({
      'imdb-year-mismatch': 1,
      'imdb-year-unverifiable': 1,
      'imdb-year-invalid': 1,
    });
    expect(data.movies[0]).toMatchObject({
      plot: 'A cowboy doll is jealous of a spaceman.',
      directors: ['John Lasseter'],
      writers: ['John Lasseter Writer'],
      cast: ['Actor One', 'Actor Two'],
      genres: ['Comedy'], // never the file's genres
    });
    expect(data.movies[2]).toMatchObject({
      plot: 'A taxi driver in New York.',
      directors: ['Martin Scorsese'],
    });
    for (const id of [2, 4, 5]) expect(data.movies[id - 1]).toEqual(ML100K_MOVIES[id - 1]);
    expect(data.report.issues.map((i) => [i.reason, i.line, i.field, i.found])).toEqual([
      ['imdb-year-mismatch', 4, 'year', '2012'],
      ['imdb-year-unverifiable', 5, 'year', 'movie 4 has none'],
      ['imdb-year-invalid', 6, 'year', 'null'],
    ]);
  });

  it('joins the people but not IMDb’s "no plot summary" text', async () => {
    const entry = {
      ...imdbEntries()[0]!,
      description: "It looks like we don't have any Plot Summaries for this title yet.",
    };
    const data = parseMovieLens({ ...encodeFiles(ml100k), 'movielens100k_details.json': json([entry]) });
    expect(data.movies[0]!.plot).toBeUndefined();
    expect(data.movies[0]!.directors).toEqual(['John Lasseter']);
    expect(fileReport(data, 'movielens100k_details.json').reasons).toEqual({ 'imdb-placeholder-plot': 1 });
  });

  it('skips malformed, unknown and repeated entries (lenient) or throws at the first (strict)', async () => {
    const entries = [
      ...imdbEntries().slice(0, 2),
      { movie_id: 99, year: 1995 },
      'not an object',
      { movie_id: 2, director: 'not a list', year: 1995 },
      { ...imdbEntries()[0]!, description: 'A second entry for movie 1.' },
    ];
    const files = { ...encodeFiles(ml100k), 'movielens100k_details.json': json(entries) };
    const err = await thrown(() => parseMovieLens(files));
    expect(err).toMatchObject({
      reason: 'dangling-movie',
      file: 'movielens100k_details.json',
      line: 4,
      field: 'movie_id',
    });

    const data = parseMovieLens(files, { mode: 'lenient' });
    expect(fileReport(data, 'movielens100k_details.json')).toMatchObject({
      accepted: 2,
      skipped: 4,
      reasons: { 'dangling-movie': 1, 'imdb-malformed': 2, 'duplicate-id': 1 },
    });
    expect(data.movies[0]!.plot).toBe('A cowboy doll is jealous of a spaceman.');
  });

  it('finds the file in the data directory, takes an explicit path, or none with false', async () => {
    const inside = await writeFixture(ml100k, {
      extra: { 'movielens100k_details.json': json(imdbEntries()) },
    });
    expect((await loadMovieLens(inside)).movies[0]!.directors).toEqual(['John Lasseter']);
    const off = await loadMovieLens(inside, { imdbDetails: false });
    expect(off.movies).toEqual(ML100K_MOVIES);
    expect(off.report.files).toHaveLength(5);

    const elsewhere = await writeFixture({ 'details.json': [json(imdbEntries())] });
    const explicit = await loadMovieLens(await writeFixture(ml100k), {
      imdbDetails: join(elsewhere, 'details.json'),
    });
    expect(explicit.movies[0]!.directors).toEqual(['John Lasseter']);

    const missing = await thrown(loadMovieLens(inside, { imdbDetails: join(elsewhere, 'nope.json') }));
    expect(missing).toBeInstanceOf(DataMissingError);
  });

  it('fails on a file that is not a JSON array, in both modes', async () => {
    for (const text of ['{"movie_id": 1}', '[{"movie_id": 1},']) {
      const files = { ...encodeFiles(ml100k), 'movielens100k_details.json': text };
      for (const mode of ['strict', 'lenient'] as const) {
        expect(await thrown(() => parseMovieLens(files, { mode }))).toMatchObject({ reason: 'invalid-json' });
      }
    }
  });
});

describe('parseMovieLens', () => {
  it.each([
    ['ml-100k', ml100k, 'latin1'],
    ['ml-1m', ml1m, 'latin1'],
    ['ml-latest', latest, 'utf-8'],
  ] as const)('gives what loadMovieLens gives for the same %s files', async (_name, files, encoding) => {
    const details = { 'movielens100k_details.json': new TextEncoder().encode('[]') };
    const dir = await writeFixture(files, { encoding, extra: details });
    const fromDisk = await loadMovieLens(dir);
    const bytes = { ...encodeFiles(files, { encoding }), ...details };
    expect(parseMovieLens(bytes, { source: dir })).toEqual(fromDisk);
  });

  it('reads decoded strings too, and keys that carry a folder', () => {
    const files = Object.fromEntries(
      Object.entries(ml100k).map(([name, lines]) => [`ml-100k/${name}`, `${lines.join('\n')}\n`]),
    );
    const data = parseMovieLens(files);
    expect(data.name).toBe('ml-100k');
    expect(data.movies).toEqual(ML100K_MOVIES);
    expect(rows(data)).toEqual(ML100K_ROWS);
    expect(fileReport(data, 'u.item').encoding).toBe('text');
  });

  it('throws the same typed errors', () => {
    expect(() => parseMovieLens({})).toThrow(DataMissingError);
    expect(() => parseMovieLens({ 'u.data': '1\t1\t1\t1\n' })).toThrow(/needs u\.item/);
    expect(() => parseMovieLens({ 'u.data': new ArrayBuffer(4) as never })).toThrow(ConfigError);
    expect(() => parseMovieLens({ 'a/u.data': '', 'b/u.data': '' })).toThrow(ConfigError);
    const bad = { ...encodeFiles(ml100k), 'u.data': '1\t1\t3.3\t881250949\n' };
    expect(() => parseMovieLens(bad)).toThrow(expect.objectContaining({ reason: 'rating-step', line: 1 }));
  });
});

describe('loadOfficialFolds', () => {
  it('reads <name>.base as train and <name>.test as test', async () => {
    const dir = await writeFixture({ ...ml100k, ...ml100kFoldFiles() });
    const [fold, ...rest] = await loadOfficialFolds(dir, { folds: ['u1'] });
    expect(rest).toEqual([]);
    expect(fold!.name).toBe('u1');
    expect(fold!.train.toArray().map((r) => r.movieId)).toEqual([1, 2, 1, 3]);
    expect(fold!.test.toArray().map((r) => r.movieId)).toEqual([4, 5]);
    expect(fold!.report.files.map((f) => [f.file, f.accepted])).toEqual([
      ['u1.base', 4],
      ['u1.test', 2],
    ]);
  });

  it('names every missing file before reading any, and rejects unknown fold names', async () => {
    const dir = await writeFixture({ ...ml100k, ...ml100kFoldFiles() });
    const err = await thrown(loadOfficialFolds(dir));
    expect(err).toBeInstanceOf(DataMissingError);
    expect((err as Error).message).toContain(
      'u2.base, u2.test, u3.base, u3.test, u4.base, u4.test, u5.base, u5.test are missing',
    );
    expect(await thrown(loadOfficialFolds(dir, { folds: ['u9'] }))).toBeInstanceOf(ConfigError);
    expect(await thrown(loadOfficialFolds(dir, { folds: [] }))).toBeInstanceOf(ConfigError);
  });

  it('checks fold files like u.data', async () => {
    const files = { ...ml100k, ...withLine(ml100kFoldFiles(), 'u1.test', 2, '3\t5\t9\t881250954') };
    const dir = await writeFixture(files);
    expect(await thrown(loadOfficialFolds(dir, { folds: ['u1'] }))).toMatchObject({
      reason: 'rating-range',
      file: 'u1.test',
      line: 2,
    });
    const [fold] = await loadOfficialFolds(dir, { folds: ['u1'], mode: 'lenient' });
    expect(fold!.test.length).toBe(1);
    expect(fold!.report.issues[0]).toMatchObject({ reason: 'rating-range', file: 'u1.test', line: 2 });
  });
});

describe('line splitting', () => {
  function split(chunks: Uint8Array[], policy: 'utf-8' | 'latin1-or-utf-8') {
    const lines: Array<[number, string]> = [];
    const bad: Array<[number, LineProblem]> = [];
    let encoding = '';
    const splitter = new LineSplitter(policy, {
      line: (text, n) => lines.push([n, text]),
      badLine: (problem, n) => bad.push([n, problem]),
      end: (e) => {
        encoding = e;
      },
    });
    for (const chunk of chunks) splitter.bytes(chunk);
    splitter.end();
    return { lines, bad, encoding };
  }

  it('gives the same lines whatever the chunk boundaries (CRLF, BOM, multi-byte characters)', () => {
    const bytes = encodeLines(['a,é', '', 'ü€,"x"', 'last'], { encoding: 'utf-8', eol: '\r\n', bom: true });
    const whole = split([bytes], 'latin1-or-utf-8');
    expect(whole).toEqual({
      lines: [
        [1, 'a,é'],
        [2, ''],
        [3, 'ü€,"x"'],
        [4, 'last'],
      ],
      bad: [],
      encoding: 'utf-8',
    });
    for (const size of [1, 2, 3, 5]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(split(chunks, 'latin1-or-utf-8')).toEqual(whole);
    }
  });

  it('reports an over-long line and goes on after it', () => {
    const long = new Uint8Array(MAX_LINE_BYTES + 10).fill(0x61);
    const chunks = [
      encodeLines(['first']),
      long.subarray(0, 600_000),
      long.subarray(600_000),
      encodeLines(['', 'next']),
    ];
    const { lines, bad } = split(chunks, 'utf-8');
    expect(bad).toEqual([[2, 'line-too-long']]);
    expect(lines).toEqual([
      [1, 'first'],
      [3, 'next'],
    ]);
  });

  it('decodes Latin-1 when the non-ASCII lines are not UTF-8', () => {
    expect(split([encodeLines(['Café', 'Müller'])], 'latin1-or-utf-8')).toMatchObject({
      lines: [
        [1, 'Café'],
        [2, 'Müller'],
      ],
      encoding: 'latin1',
    });
  });
});

describe('CSV', () => {
  it('splits a line without quotes exactly as csv-parse reads it (the fast path)', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', '.', ' ', '|', 'é', '-', ':', '(', ')'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.join(',');
        fc.pre(line.trim() !== '');
        expect(parseCsvRecord(line)).toEqual(line.split(','));
      }),
    );
  });
});

describe('platform', () => {
  it('the browser stand-ins export the same names as the Node primitives and throw CONFIG errors', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
    expect(() => browser.listDirectory('./data')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => browser.readFileChunks('ratings.csv')).toThrow(/parseMovieLens\(files\)/);
  });

  it('keeps node:* imports out of the universal readers', () => {
    const dir = fileURLToPath(new URL('../../src/data/movielens/', import.meta.url));
    for (const file of readdirSync(dir)) {
      expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/from ['"]node:/);
    }
  });
});

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA = resolve(REPO, process.env.REELREC_DATA ?? '../shared/data');
const HAS_ML100K = existsSync(join(DATA, 'ml-100k', 'u.data'));

describe.skipIf(!HAS_ML100K)(`real ML-100k at ${DATA} (skipped when absent; set REELREC_DATA)`, () => {
  it('loads 943 users, 1,682 movies and 100,000 ratings with the known histogram', async () => {
    const data = await loadMovieLens(join(DATA, 'ml-100k'));
    expect([data.users.length, data.movies.length, data.ratings.length]).toEqual([943, 1682, 100_000]);
    const histogram = [0, 0, 0, 0, 0];
    for (const r of data.ratings.ratings) histogram[r - 1]!++;
    expect(histogram).toEqual([6110, 11370, 27145, 34174, 21201]); // MANIFEST.md
    expect(data.movies.find((m) => m.id === 543)!.title).toBe('Misérables, Les (1995)'); // Latin-1 0xE9
    expect(data.users.find((u) => u.id === 74)!.zip).toBe('T8H1N');
    expect(data.movies.find((m) => m.id === 267)).toEqual({
      id: 267,
      title: 'unknown',
      year: null,
      genres: ['unknown'],
    });
    expect(fileReport(data, 'u.item').encoding).toBe('latin1');

    // The IMDb details (sibling directory): 1,591 entries. Flagged, from a scan of the file against u.item's title
    // years: `year` null (81) or not a number (31: "TV Movie", "Episode aired …", …) = 112; a year more than one
    // off (20, e.g. 510 Magnificent Seven 1954 vs 2016); movie 267 without a year (1); IMDb's "no plot" text on
    // an otherwise good entry (2).
    const details = fileReport(data, '../ml-100k-imdb-details/movielens100k_details.json');
    expect(details).toMatchObject({ accepted: 1456, flagged: 135, skipped: 0 });
    expect(details.accepted + details.flagged + details.skipped).toBe(1591);
    expect(details.reasons).toEqual({
      'imdb-year-invalid': 112,
      'imdb-year-mismatch': 20,
      'imdb-year-unverifiable': 1,
      'imdb-placeholder-plot': 2,
    });
  });

  it('loads the five official folds of 80,000 / 20,000', async () => {
    const folds = await loadOfficialFolds(join(DATA, 'ml-100k'));
    expect(folds.map((f) => [f.name, f.train.length, f.test.length])).toEqual([
      ['u1', 80_000, 20_000],
      ['u2', 80_000, 20_000],
      ['u3', 80_000, 20_000],
      ['u4', 80_000, 20_000],
      ['u5', 80_000, 20_000],
    ]);
  });
});
