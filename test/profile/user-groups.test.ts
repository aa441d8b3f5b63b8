import { describe, expect, it } from 'vitest';
import { type Dataset, type Movie, type Rating, RatingTable, type User } from '../../src/data/types';
import { ConfigError, StateError } from '../../src/errors';
import { FeatureExtractor } from '../../src/features/feature-extractor';
import { UserProfiler, type UserProfilerJSON } from '../../src/profile/user-profiler';

// Two tastes: users 1–3 watch Action (movies 1, 2), users 4–5 watch Drama (3, 4); movie 5 is both genres and
// is seen by user 3 and user 5. Every rating is 4, so every genre affinity is 0 and the clustered columns
// (affinities, then shares) are [0, 0, Action share, Drama share]:
//   u1, u2: [0, 0, 1, 0]   u3: [0, 0, 1, 1/3]   u4: [0, 0, 0, 1]   u5: [0, 0, 1/3, 1]
// k = 2 → group 0 = {1, 2, 3}, centre [0, 0, 1, 1/9]; group 1 = {4, 5}, centre [0, 0, 1/6, 1].
const MOVIES: Movie[] = [
  { id: 1, title: 'A1', year: 1990, genres: ['Action'] },
  { id: 2, title: 'A2', year: 1991, genres: ['Action'] },
  { id: 3, title: 'D1', year: 1992, genres: ['Drama'] },
  { id: 4, title: 'D2', year: 1993, genres: ['Drama'] },
  { id: 5, title: 'AD', year: 1994, genres: ['Action', 'Drama'] },
];
const USERS: User[] = [
  { id: 1, age: 25, gender: 'M', occupation: 'student', zip: '10001' },
  { id: 2, age: 30, gender: 'M', occupation: 'student', zip: '10002' },
  { id: 3, age: 40, gender: 'M', occupation: 'engineer', zip: '94043' },
  { id: 4, age: 22, gender: 'F', occupation: 'writer', zip: '94040' },
  { id: 5, age: 24, gender: 'F', occupation: 'writer', zip: '10003' },
];
const SEEN: Record<number, number[]> = { 1: [1, 2], 2: [1, 2], 3: [1, 2, 5], 4: [3, 4], 5: [3, 4, 5] };
const RATINGS: Rating[] = Object.entries(SEEN).flatMap(([u, ms]) =>
  ms.map((m, i) => ({ userId: Number(u), movieId: m, rating: 4, timestamp: 1000 * Number(u) + i })),
);

function dataset(users: User[] = USERS, ratings: Rating[] = RATINGS): Dataset {
  return {
    name: 'groups',
    format: 'custom',
    ratings: RatingTable.from(ratings),
    movies: MOVIES,
    users,
    genres: ['Action', 'Drama'],
    ratingScale: { min: 1, max: 5, step: 1 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

const history = (userId: number) => ({
  items: SEEN[userId]!.map((movieId) => ({ movieId, rating: 4 })),
});
const ALL_IDS = [1, 2, 3, 4, 5];
const grouped = (groups: object = { k: 2 }) => new UserProfiler({ groups }).fit(dataset());

describe('UserProfiler groups: clustering', () => {
  it('clusters the users into the hand-computed groups', () => {
    const p = grouped();
    expect(p.groupCount).toBe(2);
    expect(p.groupFeatureNames()).toEqual([
      'genre:Action:affinity',
      'genre:Drama:affinity',
      'genre:Action:share',
      'genre:Drama:share',
    ]);
    const [g0, g1] = p.groups();
    expect(g0!.size).toBe(3);
    expect(g0!.share).toBeCloseTo(0.6, 12);
    expect(g1!.size).toBe(2);
    expect(g0!.centroid['genre:Action:share']).toBeCloseTo(1, 6);
    expect(g0!.centroid['genre:Drama:share']).toBeCloseTo(1 / 9, 6);
    expect(g1!.centroid['genre:Action:share']).toBeCloseTo(1 / 6, 6);
    expect(g1!.centroid['genre:Drama:share']).toBeCloseTo(1, 6);
    // Overall mean shares: Drama (3 × 1/9 + 2 × 1) / 5 = 7/15, Action (3 × 1 + 2 × 1/6) / 5 = 2/3. Group 0
    // sits 16/45 below the first and 1/3 above the second; the affinities do not differ (0 everywhere).
    expect(g0!.distinctive.map((d) => d.feature)).toEqual([
      'genre:Drama:share',
      'genre:Action:share',
      'genre:Action:affinity',
      'genre:Drama:affinity',
    ]);
    expect(g0!.distinctive[0]!.overall).toBeCloseTo(7 / 15, 6);
    expect(g0!.distinctive[1]!.overall).toBeCloseTo(2 / 3, 6);
    for (const u of [1, 2, 3]) expect(p.groupOf(history(u))).toBe(0);
    for (const u of [4, 5]) expect(p.groupOf(history(u))).toBe(1);
    expect(p.summary().userGroups).toMatchObject({
      k: 2,
      chosenBy: 'option',
      scores: [],
      parts: ['genres'],
      dim: 4,
      users: 5,
    });
    // Inertia: group 0: 1/81 + 1/81 + (1/3 − 1/9)² = 6/81; group 1: 2 × (1/6)² = 1/18 → 7/54.
    expect(p.summary().userGroups!.inertia).toBeCloseTo(7 / 54, 6);
  });

  it('chooses k = 2 by silhouette by default on this clearly split set', () => {
    const p = new UserProfiler().fit(dataset());
    const g = p.summary().userGroups!;
    expect(g.k).toBe(2);
    expect(g.chosenBy).toBe('silhouette');
    expect(g.scores.map((s) => s.k)).toEqual([2, 3, 4]); // cut to users − 1
  });

  it('groupOf a centre (or a full profile vector) returns its group', () => {
    const p = grouped();
    const names = p.groupFeatureNames();
    p.groups().forEach((g) => {
      expect(p.groupOf(names.map((n) => g.centroid[n]!))).toBe(g.index);
    });
    expect(p.groupOf(p.encode(history(5)))).toBe(1);
    expect(p.groupOf(Float32Array.of(0, 0, 0, 1))).toBe(1);
    expect(() => p.groupOf([1, 2, 3])).toThrow(ConfigError);
    expect(() => p.groupOf(null as unknown as number[])).toThrow(ConfigError);
  });

  it('popular and characteristic movies, with lift by hand', () => {
    const p = grouped({ k: 2, minSupport: 0.1 });
    const [g0, g1] = p.groups();
    // Users who rated each movie: m1 3, m2 3, m3 2, m4 2, m5 2, of 5.
    // Group 0 (3 users): m1 3, m2 3, m5 1 → lift m1 = (3/3) / (3/5) = 5/3, m2 = 5/3, m5 = (1/3) / (2/5) = 5/6.
    expect(g0!.popular).toEqual([
      { movieId: 1, count: 3, share: 1 },
      { movieId: 2, count: 3, share: 1 },
      { movieId: 5, count: 1, share: 1 / 3 },
    ]);
    expect(g0!.characteristic.map((c) => c.movieId)).toEqual([1, 2, 5]);
    expect(g0!.characteristic[0]!.lift).toBeCloseTo(5 / 3, 12);
    expect(g0!.characteristic[0]!.overallShare).toBeCloseTo(3 / 5, 12);
    expect(g0!.characteristic[2]!.lift).toBeCloseTo(5 / 6, 12);
    // Group 1 (2 users): m3 2, m4 2, m5 1 → lift m3 = 1 / (2/5) = 5/2, m4 = 5/2, m5 = (1/2) / (2/5) = 5/4.
    expect(g1!.characteristic.map((c) => [c.movieId, c.lift])).toEqual([
      [3, 2.5],
      [4, 2.5],
      [5, 1.25],
    ]);
    // Minimum support 0.5: group 0 needs ⌈1.5⌉ = 2 users → m5 (1 user) is left out.
    const strict = grouped({ k: 2, minSupport: 0.5 });
    expect(strict.groups()[0]!.characteristic.map((c) => c.movieId)).toEqual([1, 2]);
    expect(grouped({ k: 2, topMovies: 1 }).groups()[0]!.popular).toHaveLength(1);
  });

  it('groupPopularity and groupTopMovies for the recommender to fall back on', () => {
    const p = grouped();
    expect(Array.from(p.groupPopularity(0, ALL_IDS))).toEqual([1, 1, 0, 0, Math.fround(1 / 3)]);
    expect(Array.from(p.groupPopularity('all'))).toEqual([0.6, 0.6, 0.4, 0.4, 0.4].map(Math.fround));
    expect(Array.from(p.groupPopularity(1, [5, 99]))).toEqual([0.5, 0]);
    expect(p.groupTopMovies(1, 2)).toEqual([
      { movieId: 3, count: 2, share: 1 },
      { movieId: 4, count: 2, share: 1 },
    ]);
    expect(p.groupTopMovies('all', 2, { exclude: [1] }).map((m) => m.movieId)).toEqual([2, 3]);
    expect(() => p.groupPopularity(2)).toThrow(ConfigError);
    expect(() => p.groupTopMovies(-1)).toThrow(ConfigError);
  });
});

describe('UserProfiler groups: cold start', () => {
  it('a user with nothing gets the population prior and the overall popularity', () => {
    const p = grouped();
    const nothing = { items: [] };
    expect(Array.from(p.groupProbabilities(nothing))).toEqual([0.6, 0.4].map(Math.fround));
    expect(p.groupOf(nothing)).toBe(0);
    expect(Array.from(p.groupScores(nothing, ALL_IDS))).toEqual([0.6, 0.6, 0.4, 0.4, 0.4].map(Math.fround));
    // Items of movies outside the fitted catalogue are nothing to cluster either.
    expect(Array.from(p.groupProbabilities({ items: [{ movieId: 99 }] }))).toEqual(
      [0.6, 0.4].map(Math.fround),
    );
  });

  it('demographics alone give the naive-Bayes posterior (hand-checked)', () => {
    const p = grouped();
    // Gender F: group 0 (3 M) → (0 + 1) / (3 + 2) = 1/5; group 1 (2 F) → (2 + 1) / (2 + 2) = 3/4.
    // 3/5 · 1/5 = 0.12 and 2/5 · 3/4 = 0.3 → [2/7, 5/7].
    const f = p.groupProbabilities({ items: [], user: { gender: 'F' } });
    expect(f[0]).toBeCloseTo(2 / 7, 6);
    expect(f[1]).toBeCloseTo(5 / 7, 6);
    // Age 23 (18–24: 0 of group 0, 2 of group 1; 3 bands seen), writer (0, 2; 3 occupations seen), F:
    // group 0: 3/5 · 1/6 · 1/6 · 1/5 = 1/300; group 1: 2/5 · 3/5 · 3/5 · 3/4 = 0.108.
    const full = p.groupProbabilities({ items: [], user: { age: 23, gender: 'F', occupation: 'writer' } });
    expect(full[0]).toBeCloseTo(1 / 300 / (1 / 300 + 0.108), 6);
    expect(p.groupOf({ items: [], user: { gender: 'F' } })).toBe(1);
    // An occupation no clustered user has is left out; a fitted user is found by id.
    const pilot = p.groupProbabilities({ items: [], user: { gender: 'F', occupation: 'pilot' } });
    expect(Array.from(pilot)).toEqual(Array.from(f));
    expect(Array.from(p.groupProbabilities({ userId: 4, items: [] }))).toEqual(
      Array.from(p.groupProbabilities({ items: [], user: USERS[3]! })),
    );
    // Off: the population prior only.
    const noDemo = grouped({ k: 2, demographicPrior: false });
    expect(Array.from(noDemo.groupProbabilities({ items: [], user: { gender: 'F' } }))).toEqual(
      [0.6, 0.4].map(Math.fround),
    );
  });

  it('groupScores mixes the groups by probability', () => {
    const p = grouped();
    const probs = p.groupProbabilities({ items: [], user: { gender: 'F' } });
    const scores = p.groupScores({ items: [], user: { gender: 'F' } }, [1, 3]);
    // Movie 1: group 0 share 1, group 1 share 0; movie 3: 0 and 1.
    expect(scores[0]).toBeCloseTo(probs[0]!, 6);
    expect(scores[1]).toBeCloseTo(probs[1]!, 6);
  });

  it('with items, the soft probabilities are the Gaussian-mixture posterior (hand-checked)', () => {
    const p = grouped();
    // Movie 5 alone: shares [1, 1]. Squared distances: to group 0 (1 − 1/9)² = 64/81, to group 1 (5/6)² = 25/36.
    // σ² = inertia / (users · columns) = (7/54) / 20 = 7/1080.
    // logit p1 = ln(0.4 / 0.6) + (64/81 − 25/36) / (2σ²) = ln(2/3) + 7.3809524 = 6.9754873
    const probs = p.groupProbabilities({ items: [{ movieId: 5, rating: 4 }] });
    const logit = Math.log(2 / 3) + (64 / 81 - 25 / 36) / (2 * (7 / 1080));
    expect(probs[1]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 4);
    expect(probs[0]! + probs[1]!).toBeCloseTo(1, 6);
  });
});

describe('UserProfiler groups: the userGroup part of encode', () => {
  it('appends a one-hot of the group, or the cold-start probabilities without evidence', () => {
    const p = grouped();
    const names = p.featureNames();
    expect(names.slice(-2)).toEqual(['userGroup:0', 'userGroup:1']);
    expect(p.summary().groups.at(-1)).toMatchObject({
      name: 'userGroup',
      enabled: true,
      dim: 2,
      reason: 'one-hot',
    });
    expect(Array.from(p.encode(history(4)).slice(-2))).toEqual([0, 1]);
    expect(Array.from(p.encode(history(3)).slice(-2))).toEqual([1, 0]);
    expect(Array.from(p.encode({ items: [] }).slice(-2))).toEqual([0.6, 0.4].map(Math.fround));
    // The clustered columns are the same with or without the part.
    const without = new UserProfiler({ groups: false }).fit(dataset());
    expect(Array.from(p.encode(history(3)).slice(0, without.dim))).toEqual(
      Array.from(without.encode(history(3))),
    );
    expect(p.dim).toBe(without.dim + 2);
  });

  it("'soft' appends the probabilities; 'none' appends nothing but keeps the groups", () => {
    const soft = grouped({ k: 2, feature: 'soft' });
    const h = { items: [{ movieId: 5, rating: 4 }] };
    expect(Array.from(soft.encode(h).slice(-2))).toEqual(Array.from(soft.groupProbabilities(h)));
    const none = grouped({ k: 2, feature: 'none' });
    expect(none.featureNames().some((n) => n.startsWith('userGroup'))).toBe(false);
    expect(none.summary().groups.at(-1)).toMatchObject({
      enabled: false,
      reason: "groups.feature is 'none'",
    });
    expect(none.groupOf(history(5))).toBe(1);
  });

  it('turns off with the reason: by option, too few users, nothing to cluster on', () => {
    const off = new UserProfiler({ groups: false }).fit(dataset());
    expect(off.groupCount).toBe(0);
    expect(off.groups()).toEqual([]);
    expect(off.summary().userGroups).toBeNull();
    expect(() => off.groupOf(history(1))).toThrow(StateError);
    const two = new UserProfiler().fit(
      dataset(
        USERS,
        RATINGS.filter((r) => r.userId <= 2),
      ),
    );
    expect(two.summary().groups.at(-1)!.reason).toBe(
      '2 users with ratings are too few to choose k in 2..8 by silhouette',
    );
    const tooMany = grouped({ k: 6 });
    expect(tooMany.summary().groups.at(-1)!.reason).toBe('5 users with ratings are fewer than k = 6');
    const content = grouped({ k: 2, parts: ['content'] });
    expect(content.summary().groups.at(-1)!.reason).toBe('none of the parts clustered on (content) is on');
    expect(() => new UserProfiler({ groups: { k: 0 } })).toThrow(ConfigError);
    expect(() => new UserProfiler({ groups: { parts: [] } })).toThrow(ConfigError);
    expect(() => new UserProfiler({ groups: { minSupport: 2 } })).toThrow(ConfigError);
  });

  it('clusters on demographics alone when asked: demographics are then the evidence', () => {
    const p = grouped({ k: 2, parts: ['demographics'] });
    expect(p.groupFeatureNames()[0]).toBe('age:<18');
    // Users 1–3 are men, 4–5 women: gender alone separates them best.
    expect(p.groupOf({ items: [], user: USERS[0]! })).toBe(p.groupOf({ items: [], user: USERS[1]! }));
    expect(p.groupOf({ items: [], user: USERS[3]! })).not.toBe(p.groupOf({ items: [], user: USERS[0]! }));
  });
});

describe('UserProfiler groups: serialization', () => {
  it('round-trips through JSON exactly', async () => {
    const features = await new FeatureExtractor({ text: false }).fit(dataset());
    const p = new UserProfiler({ groups: { k: 2, parts: ['genres', 'content'], feature: 'soft' } }).fit(
      dataset(),
      {
        features,
      },
    );
    const json = p.toJSON();
    const back = UserProfiler.fromJSON(JSON.parse(JSON.stringify(json)), { features });
    expect(back.toJSON()).toEqual(json);
    expect(back.groups()).toEqual(p.groups());
    for (const h of [history(1), history(5), { items: [] }, { items: [], user: { gender: 'F' } }]) {
      expect(Array.from(back.encode(h))).toEqual(Array.from(p.encode(h)));
      expect(Array.from(back.groupProbabilities(h))).toEqual(Array.from(p.groupProbabilities(h)));
      expect(back.groupOf(h)).toBe(p.groupOf(h));
    }
    expect(Array.from(back.groupScores({ items: [] }))).toEqual(Array.from(p.groupScores({ items: [] })));
  });

  it('reads a document saved before groups existed (groups off)', () => {
    const json = new UserProfiler({ groups: false }).fit(dataset()).toJSON();
    const { groups: _g, ...options } = json.options;
    const { userGroups: _u, ...old } = json;
    const back = UserProfiler.fromJSON({ ...old, options } as unknown as UserProfilerJSON);
    expect(back.groupCount).toBe(0);
    expect(back.dim).toBe(json.groups.reduce((s, g) => s + g.dim, 0));
  });
});
