import { describe, expect, it } from 'vitest';
import { createDataset } from '../../src/data/dataset';
import { type Movie, type Rating, RatingTable } from '../../src/data/types';
import { ConfigError, DataFormatError } from '../../src/errors';

const r = (userId: number, movieId: number, rating: number, timestamp: number): Rating => ({
  userId,
  movieId,
  rating,
  timestamp,
});

const RATINGS = [r(1, 10, 4, 1000), r(2, 10, 5, 1100), r(2, 20, 3, 1200)];

describe('createDataset', () => {
  it('defaults: movies from the ids rated, no users, whole stars, a report', () => {
    const data = createDataset({ ratings: RATINGS });
    expect(data.name).toBe('custom');
    expect(data.format).toBe('custom');
    expect(data.movies).toEqual([
      { id: 10, title: 'Movie 10', year: null, genres: [] },
      { id: 20, title: 'Movie 20', year: null, genres: [] },
    ]);
    expect(data.users).toEqual([]);
    expect(data.genres).toEqual([]);
    expect(data.ratingScale).toEqual({ min: 1, max: 5, step: 1 });
    expect(data.ratings.toArray()).toEqual(RATINGS);
    expect(data.report).toEqual({
      source: 'custom',
      format: 'custom',
      mode: 'strict',
      files: [
        {
          file: 'ratings[]',
          encoding: 'in-memory',
          lines: 3,
          accepted: 3,
          flagged: 0,
          skipped: 0,
          reasons: {},
        },
      ],
      issues: [],
      issuesOmitted: 0,
    });
  });

  it('takes a RatingTable, movies, users and a genre vocabulary, without changing them', () => {
    const movies: Movie[] = [
      { id: 20, title: 'B (1999)', year: 1999, genres: ['Drama', 'Action'] },
      { id: 10, title: 'A (1995)', year: 1995, genres: ['Comedy'] },
    ];
    const users = [
      { id: 2, age: 30, gender: 'F', occupation: null, zip: null },
      { id: 1, age: null, gender: null, occupation: 'writer', zip: '123' },
    ];
    const data = createDataset({
      ratings: RatingTable.from(RATINGS),
      movies,
      users,
      genres: ['Action', 'Comedy', 'Drama'],
      name: 'toy',
    });
    expect(data.movies.map((m) => [m.id, m.genres])).toEqual([
      [10, ['Comedy']],
      [20, ['Action', 'Drama']], // vocabulary order
    ]);
    expect(movies[0]!.genres).toEqual(['Drama', 'Action']);
    expect(data.users.map((u) => u.id)).toEqual([1, 2]);
    expect(data.genres).toEqual(['Action', 'Comedy', 'Drama']);
    expect(data.report.files.map((f) => [f.file, f.accepted])).toEqual([
      ['movies[]', 2],
      ['users[]', 2],
      ['ratings[]', 3],
    ]);
  });

  it('validates like the file readers: strict throws with index + 1 as the line', () => {
    const cases: Array<[Parameters<typeof createDataset>[0], string, string, number, string]> = [
      [{ ratings: [r(1, 10, 4, 1000), r(0, 10, 4, 1000)] }, 'invalid-id', 'ratings[]', 2, 'userId'],
      [{ ratings: [r(1, 10, 3.5, 1000)] }, 'rating-step', 'ratings[]', 1, 'rating'],
      [{ ratings: [r(1, 10, 4, -1)] }, 'timestamp-range', 'ratings[]', 1, 'timestamp'],
      [{ ratings: [r(1, 10, 4, 1), r(1, 10, 5, 2)] }, 'duplicate-rating', 'ratings[]', 2, 'movieId'],
      [
        { ratings: [r(1, 30, 4, 1)], movies: [{ id: 10, title: 'A', year: null, genres: [] }] },
        'dangling-movie',
        'ratings[]',
        1,
        'movieId',
      ],
      [
        { ratings: RATINGS, users: [{ id: 1, age: 20, gender: 'M', occupation: null, zip: null }] },
        'dangling-user',
        'ratings[]',
        2,
        'userId',
      ],
      [
        { ratings: [{ userId: 1, movieId: 10, rating: '4', timestamp: 1 } as never] },
        'rating-not-number',
        'ratings[]',
        1,
        'rating',
      ],
      [
        { ratings: RATINGS, movies: [{ id: 10, title: '', year: null, genres: [] }] },
        'missing-value',
        'movies[]',
        1,
        'title',
      ],
      [
        { ratings: RATINGS, movies: [{ id: 10, title: 'A', year: 1995.5, genres: [] }] },
        'invalid-year',
        'movies[]',
        1,
        'year',
      ],
      [
        {
          ratings: RATINGS,
          genres: ['Drama'],
          movies: [{ id: 10, title: 'A', year: null, genres: ['Horror'] }],
        },
        'unknown-genre',
        'movies[]',
        1,
        'genres',
      ],
      [
        { ratings: RATINGS, users: [{ id: 1, age: 200, gender: 'M', occupation: null, zip: null }] },
        'invalid-age',
        'users[]',
        1,
        'age',
      ],
      [
        { ratings: RATINGS, users: [{ id: 1, age: 20, gender: 'x', occupation: null, zip: null }] },
        'invalid-gender',
        'users[]',
        1,
        'gender',
      ],
      [
        { ratings: RATINGS, users: [{ id: 1, age: 20, gender: 'M', occupation: 7 as never, zip: null }] },
        'invalid-text',
        'users[]',
        1,
        'occupation',
      ],
      [{ ratings: [] }, 'empty-file', 'ratings[]', 0, '*'],
    ];
    for (const [input, reason, file, line, field] of cases) {
      let err: unknown;
      try {
        createDataset(input);
      } catch (e) {
        err = e;
      }
      expect(err, reason).toBeInstanceOf(DataFormatError);
      expect(err, reason).toMatchObject({ reason, file, line, field });
    }
  });

  it('lenient: skips and counts, keeping the first of a repeated pair', () => {
    const data = createDataset({
      ratings: [r(1, 10, 4, 1), r(1, 10, 5, 2), r(1, 11, 9, 3), r(2, 11, 4.5, 4)],
      ratingScale: { min: 0.5, max: 5, step: 0.5 },
      mode: 'lenient',
    });
    expect(data.ratings.toArray()).toEqual([r(1, 10, 4, 1), r(2, 11, 4.5, 4)]);
    expect(data.report.files[0]).toMatchObject({
      lines: 4,
      accepted: 2,
      skipped: 2,
      reasons: { 'duplicate-rating': 1, 'rating-range': 1 },
    });
    expect(data.report.issues.map((i) => [i.reason, i.line])).toEqual([
      ['rating-range', 3],
      ['duplicate-rating', 2],
    ]);
  });

  it('rejects options outside what they accept', () => {
    expect(() => createDataset({ ratings: RATINGS, ratingScale: { min: 5, max: 1, step: 1 } })).toThrow(
      ConfigError,
    );
    expect(() => createDataset({ ratings: RATINGS, ratingScale: { min: 1, max: 5, step: 3 } })).toThrow(
      ConfigError,
    );
    expect(() => createDataset({ ratings: RATINGS, mode: 'loose' as never })).toThrow(ConfigError);
  });
});
