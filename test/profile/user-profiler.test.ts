import { describe, expect, it } from 'vitest';
import { type Dataset, type Movie, type Rating, RatingTable, type User } from '../../src/data/types';
import { ConfigError, ModelFormatError, StateError } from '../../src/errors';
import { FeatureExtractor } from '../../src/features/feature-extractor';
import { UserProfiler } from '../../src/profile/user-profiler';
import type { UserHistory } from '../../src/recommend/types';

const DAY = 86_400;
const T0 = 1000 * DAY; // midnight UTC, day 1000

const MOVIES: Movie[] = [
  { id: 1, title: 'A', year: 1990, genres: ['Action'] },
  { id: 2, title: 'C', year: 1991, genres: ['Comedy'] },
  { id: 3, title: 'AD', year: 1992, genres: ['Action', 'Drama'] },
  { id: 4, title: 'CD', year: 1993, genres: ['Comedy', 'Drama'] },
];
const USERS: User[] = [
  { id: 1, age: 30, gender: 'F', occupation: 'writer', zip: '94043' },
  { id: 2, age: 17, gender: 'M', occupation: 'student', zip: 'T8H1N' },
];
const rating = (userId: number, movieId: number, value: number, timestamp: number): Rating => ({
  userId,
  movieId,
  rating: value,
  timestamp,
});
// User 1: 3 ratings over 2 days (days 1000 and 1002). User 2: 4 ratings within one day.
const RATINGS: Rating[] = [
  rating(1, 1, 5, T0),
  rating(1, 2, 3, T0 + 3600),
  rating(1, 3, 4, T0 + 2 * DAY),
  rating(2, 1, 2, T0 + 10),
  rating(2, 2, 2, T0 + 20),
  rating(2, 3, 2, T0 + 30),
  rating(2, 4, 2, T0 + 40),
];

function dataset(users: User[] = USERS): Dataset {
  return {
    name: 'tiny',
    format: 'custom',
    ratings: RatingTable.from(RATINGS),
    movies: MOVIES,
    users,
    genres: ['Action', 'Comedy', 'Drama'],
    ratingScale: { min: 1, max: 5, step: 1 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

const USER1: UserHistory = {
  userId: 1,
  items: [
    { movieId: 1, rating: 5, timestamp: T0 },
    { movieId: 2, rating: 3, timestamp: T0 + 3600 },
    { movieId: 3, rating: 4, timestamp: T0 + 2 * DAY },
  ],
};

function named(profiler: UserProfiler, v: Float32Array): Record<string, number> {
  return Object.fromEntries(profiler.featureNames().map((n, i) => [n, v[i]!]));
}

describe('UserProfiler.profile', () => {
  it('needs fit first', () => {
    expect(() => new UserProfiler().profile(USER1)).toThrow(StateError);
  });

  it('computes rating statistics, genre affinities and shares, activity (hand-checked)', () => {
    const p = new UserProfiler().fit(dataset()).profile(USER1);
    expect(p.count).toBe(3);
    expect(p.ratedCount).toBe(3);
    // mean (5 + 3 + 4) / 3 = 4; population std sqrt((1 + 1 + 0) / 3) = 0.8164966
    expect(p.mean).toBe(4);
    expect(p.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    // affinity = Σ(r − mean) / ((rated in genre + shrinkage 1) × (5 − 1))
    //   Action: movies 1 (+1) and 3 (0) → 1 / (3 × 4) = 0.0833333
    //   Comedy: movie 2 (−1) → −1 / (2 × 4) = −0.125
    //   Drama:  movie 3 (0) → 0
    expect(p.genreAffinity.Action).toBeCloseTo(1 / 12, 12);
    expect(p.genreAffinity.Comedy).toBeCloseTo(-0.125, 12);
    expect(p.genreAffinity.Drama).toBe(0);
    // share = movies with the genre / known movies (3)
    expect(p.genreShare).toEqual({ Action: 2 / 3, Comedy: 1 / 3, Drama: 1 / 3 });
    // activity: days 1000 (two items) and 1002 → 2 active days, span 2 days, 3 / 2 items a day
    expect(p.activity).toEqual({
      first: T0,
      last: T0 + 2 * DAY,
      activeDays: 2,
      spanDays: 2,
      ratingsPerActiveDay: 1.5,
    });
    // demographics looked up by userId
    expect(p.demographics).toEqual({
      ageBand: '25-34',
      gender: 'F',
      occupation: 'writer',
      region: '9',
      source: 'fitted',
    });
    expect(p.unknownMovies).toBe(0);
    expect(p.content).toBeNull();
  });

  it('applies the shrinkage option', () => {
    const p = new UserProfiler({ affinityShrinkage: 0 }).fit(dataset()).profile(USER1);
    expect(p.genreAffinity.Action).toBeCloseTo(1 / 8, 12); // 1 / (2 × 4)
    expect(p.genreAffinity.Comedy).toBeCloseTo(-0.25, 12); // −1 / (1 × 4)
  });

  it('handles implicit items, unknown movies and items without timestamps', () => {
    const p = new UserProfiler().fit(dataset()).profile({
      items: [{ movieId: 1 }, { movieId: 4 }, { movieId: 999, timestamp: T0 }],
    });
    expect(p.count).toBe(3);
    expect(p.ratedCount).toBe(0);
    expect(p.mean).toBeNull();
    expect(p.std).toBeNull();
    expect(p.unknownMovies).toBe(1);
    expect(p.genreAffinity).toEqual({ Action: 0, Comedy: 0, Drama: 0 });
    expect(p.genreShare).toEqual({ Action: 0.5, Comedy: 0.5, Drama: 0.5 });
    expect(p.activity).toEqual({ first: T0, last: T0, activeDays: 1, spanDays: 0, ratingsPerActiveDay: 1 });
    expect(p.demographics.source).toBe('none');
  });

  it('prefers the history’s own demographics and normalises them', () => {
    const p = new UserProfiler().fit(dataset()).profile({
      userId: 1,
      items: [],
      user: { age: 56, gender: 'm', occupation: ' astronaut ', zip: 'K1A0B1' },
    });
    expect(p.demographics).toEqual({
      ageBand: '56+',
      gender: 'M',
      occupation: 'astronaut',
      region: 'other',
      source: 'history',
    });
  });
});

describe('UserProfiler.encode', () => {
  it('lays out demographics, genres and stats in a fixed order', () => {
    const profiler = new UserProfiler().fit(dataset());
    const names = profiler.featureNames();
    expect(names.slice(0, 8)).toEqual([
      'age:<18',
      'age:18-24',
      'age:25-34',
      'age:35-44',
      'age:45-49',
      'age:50-55',
      'age:56+',
      'age:<unk>',
    ]);
    expect(names.slice(8, 14)).toEqual([
      'gender:M',
      'gender:F',
      'gender:<unk>',
      'occupation:student',
      'occupation:writer',
      'occupation:<unk>',
    ]);
    expect(names.slice(14, 26)).toEqual([
      'region:0',
      'region:1',
      'region:2',
      'region:3',
      'region:4',
      'region:5',
      'region:6',
      'region:7',
      'region:8',
      'region:9',
      'region:other',
      'region:<unk>',
    ]);
    expect(names.slice(26)).toEqual([
      'genre:Action:affinity',
      'genre:Comedy:affinity',
      'genre:Drama:affinity',
      'genre:Action:share',
      'genre:Comedy:share',
      'genre:Drama:share',
      'stats:count',
      'stats:mean',
      'stats:std',
      'activity:span',
      'activity:rate',
    ]);
    expect(profiler.dim).toBe(37);
  });

  it('encodes a full history (hand-checked scaling)', () => {
    const profiler = new UserProfiler().fit(dataset());
    const v = named(profiler, profiler.encode(USER1));
    expect(v['age:25-34']).toBe(1);
    expect(v['gender:F']).toBe(1);
    expect(v['occupation:writer']).toBe(1);
    expect(v['region:9']).toBe(1);
    expect(v['age:<unk>'] + v['gender:<unk>'] + v['occupation:<unk>'] + v['region:<unk>']).toBe(0);
    expect(v['genre:Action:affinity']).toBeCloseTo(1 / 12, 6);
    expect(v['genre:Comedy:share']).toBeCloseTo(1 / 3, 6);
    // fitted scales: largest history 4 (user 2), largest span 2 days (user 1), largest rate 4 a day (user 2)
    expect(v['stats:count']).toBeCloseTo(Math.log(4) / Math.log(5), 6); // 0.8613531
    expect(v['stats:mean']).toBeCloseTo(0.5, 6); // (4 − 3) / 2
    expect(v['stats:std']).toBeCloseTo(Math.sqrt(2 / 3) / 2, 6); // 0.4082483
    expect(v['activity:span']).toBeCloseTo(1, 6); // log 3 / log 3
    expect(v['activity:rate']).toBeCloseTo(Math.log(2.5) / Math.log(5), 6); // 0.5693234
    for (const x of Object.values(v)) expect(Math.abs(x)).toBeLessThanOrEqual(1);
  });

  it('encodes demographics only (cold start): no items, stats and genres zero', () => {
    const profiler = new UserProfiler().fit(dataset());
    const v = named(
      profiler,
      profiler.encode({ items: [], user: { age: 19, gender: 'F', occupation: 'student', zip: '10001' } }),
    );
    const ones = Object.entries(v).filter(([, x]) => x !== 0);
    expect(ones).toEqual([
      ['age:18-24', 1],
      ['gender:F', 1],
      ['occupation:student', 1],
      ['region:1', 1],
    ]);
  });

  it('encodes items without demographics: unknown slots set', () => {
    const profiler = new UserProfiler().fit(dataset());
    const v = named(profiler, profiler.encode({ items: USER1.items }));
    expect([v['age:<unk>'], v['gender:<unk>'], v['occupation:<unk>'], v['region:<unk>']]).toEqual([
      1, 1, 1, 1,
    ]);
    expect(v['stats:mean']).toBeCloseTo(0.5, 6);
    // unseen occupation → its unknown slot
    const w = named(profiler, profiler.encode({ items: [], user: { occupation: 'pilot' } }));
    expect(w['occupation:<unk>']).toBe(1);
    expect(w['gender:<unk>']).toBe(1);
  });

  it('encodes a batch row-major', () => {
    const profiler = new UserProfiler().fit(dataset());
    const batch = profiler.transform([USER1, { items: [] }]);
    expect(batch.length).toBe(2 * profiler.dim);
    expect(Array.from(batch.subarray(0, profiler.dim))).toEqual(Array.from(profiler.encode(USER1)));
  });

  it('turns demographics off, with the reason, when the data set has no users (ml-latest)', () => {
    const profiler = new UserProfiler().fit(dataset([]));
    const demo = profiler.summary().groups.find((g) => g.name === 'demographics')!;
    expect(demo).toEqual({
      name: 'demographics',
      enabled: false,
      offset: 0,
      dim: 0,
      reason: 'the data set has no users',
    });
    expect(profiler.dim).toBe(6 + 5);
  });

  it('switches parts off by option', () => {
    const profiler = new UserProfiler({ demographics: false, genres: false }).fit(dataset());
    expect(profiler.featureNames()).toEqual([
      'stats:count',
      'stats:mean',
      'stats:std',
      'activity:span',
      'activity:rate',
    ]);
    expect(() => new UserProfiler({ affinityShrinkage: -1 })).toThrow(ConfigError);
  });
});

/** A genres-only FeatureExtractor and a content-only profiler fitted with it. */
async function withFeatures() {
  const features = await new FeatureExtractor({
    year: false,
    popularity: false,
    recency: false,
    people: false,
    text: false,
  }).fit(dataset());
  const profiler = new UserProfiler({ stats: false, demographics: false, genres: false }).fit(dataset(), {
    features,
  });
  return { features, profiler };
}

describe('UserProfiler with content features', () => {
  it('appends the mean feature row of the history’s movies', async () => {
    const { profiler } = await withFeatures();
    expect(profiler.featureNames()).toEqual([
      'content:genre:Action',
      'content:genre:Comedy',
      'content:genre:Drama',
    ]);
    // rows: movie 1 (1,0,0), 2 (0,1,0), 3 (1,0,1) → mean (2/3, 1/3, 1/3)
    const v = Array.from(profiler.encode(USER1));
    expect(v[0]).toBeCloseTo(2 / 3, 6);
    expect(v[1]).toBeCloseTo(1 / 3, 6);
    expect(v[2]).toBeCloseTo(1 / 3, 6);
    expect(Array.from(profiler.encode({ items: [] }))).toEqual([0, 0, 0]);
  });

  it('needs a fitted FeatureExtractor', () => {
    expect(() => new UserProfiler().fit(dataset(), { features: new FeatureExtractor() })).toThrow(StateError);
  });
});

describe('UserProfiler serialization', () => {
  it('round-trips through JSON exactly', () => {
    const profiler = new UserProfiler({ affinityShrinkage: 2 }).fit(dataset());
    const json = profiler.toJSON();
    const back = UserProfiler.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.toJSON()).toEqual(json);
    expect(back.featureNames()).toEqual(profiler.featureNames());
    for (const h of [USER1, { items: [] }, { userId: 2, items: [{ movieId: 4, rating: 1 }] }]) {
      expect(Array.from(back.encode(h))).toEqual(Array.from(profiler.encode(h)));
      expect(back.profile(h)).toEqual(profiler.profile(h));
    }
  });

  it('round-trips without users', () => {
    const profiler = new UserProfiler().fit(dataset([]));
    const back = UserProfiler.fromJSON(JSON.parse(JSON.stringify(profiler.toJSON())));
    expect(back.toJSON()).toEqual(profiler.toJSON());
    expect(back.summary()).toEqual(profiler.summary());
  });

  it('needs the same FeatureExtractor back for a content part', async () => {
    const { features, profiler } = await withFeatures();
    const json = JSON.parse(JSON.stringify(profiler.toJSON()));
    expect(() => UserProfiler.fromJSON(json)).toThrow(ConfigError);
    const other = await new FeatureExtractor({ popularity: false, recency: false, text: false }).fit(
      dataset(),
    );
    expect(() => UserProfiler.fromJSON(json, { features: other })).toThrow(ConfigError);
    const back = UserProfiler.fromJSON(json, { features: FeatureExtractor.fromJSON(features.toJSON()) });
    expect(back.toJSON()).toEqual(profiler.toJSON());
    expect(Array.from(back.encode(USER1))).toEqual(Array.from(profiler.encode(USER1)));
  });

  it('rejects a malformed saved profiler', () => {
    const json = new UserProfiler().fit(dataset()).toJSON();
    expect(() => UserProfiler.fromJSON({ ...json, format: 'nope' as 'reelrec.profiler' })).toThrow(
      ModelFormatError,
    );
    expect(() => UserProfiler.fromJSON({ ...json, movies: { ids: [1], genres: [[7]] } })).toThrow(
      ModelFormatError,
    );
  });
});
