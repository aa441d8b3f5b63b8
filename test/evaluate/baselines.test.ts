import { describe, expect, it } from 'vitest';
import { ConfigError, StateError } from '../../src/errors';
import {
  AlwaysLikedPredictor,
  BiasedMfBaseline,
  GlobalMeanBaseline,
  hasFixedThreshold,
  ItemKnnBaseline,
  MovieMeanPredictor,
  PopularityBaseline,
  SegmentPopularityBaseline,
  UserItemBiasBaseline,
} from '../../src/evaluate/baselines';
import { topK } from '../../src/recommend/topk';
import type { Scorer } from '../../src/recommend/types';
import { solveSpd } from '../../src/util/linalg';
import { makeDataset, type Row } from './helpers';

describe('PopularityBaseline', () => {
  // counts: movie 1 → 1, movie 2 → 3, movie 3 → 3, movie 4 → 0 (in the catalog, never rated)
  const data = makeDataset(
    [
      [1, 2, 5, 1],
      [2, 2, 4, 1],
      [3, 2, 3, 1],
      [1, 3, 4, 2],
      [2, 3, 2, 2],
      [3, 3, 1, 2],
      [1, 1, 5, 3],
    ],
    { movieCount: 4 },
  );

  it('scores by training count, unknown movies -Infinity, ties by lower id via topK', async () => {
    const pop = new PopularityBaseline();
    await pop.fit(data);
    const [s] = await pop.score([{ items: [] }], [1, 2, 3, 4, 99]);
    expect(Array.from(s!)).toEqual([1, 3, 3, 0, Number.NEGATIVE_INFINITY]);
    // 2 and 3 tie at 3: movie 2 (lower id, lower index) first
    expect(Array.from(topK(s!, 5).indices)).toEqual([1, 2, 0, 3]);
  });

  it('throws StateError before fit and after dispose', async () => {
    const pop = new PopularityBaseline();
    await expect(pop.score([{ items: [] }], [1])).rejects.toThrow(StateError);
    await pop.fit(data);
    pop.dispose();
    await expect(pop.score([{ items: [] }], [1])).rejects.toThrow(/call fit\(\) first/);
  });
});

describe('SegmentPopularityBaseline', () => {
  // Users 1, 2: age 20, F; users 3, 4, 5: age 40, M. Women rate movie 1, men movie 2 (more often overall).
  const rows: Row[] = [
    [1, 1, 5, 1],
    [2, 1, 5, 1],
    [3, 2, 5, 1],
    [4, 2, 5, 1],
    [5, 2, 5, 1],
    [5, 3, 5, 2],
  ];
  const users = [
    { id: 1, age: 20, gender: 'F', occupation: 'x', zip: '1' },
    { id: 2, age: 21, gender: 'F', occupation: 'x', zip: '1' },
    { id: 3, age: 40, gender: 'M', occupation: 'x', zip: '1' },
    { id: 4, age: 41, gender: 'M', occupation: 'x', zip: '1' },
    { id: 5, age: 42, gender: 'M', occupation: 'x', zip: '1' },
    { id: 6, age: null, gender: null, occupation: null, zip: null },
  ];
  const data = makeDataset(rows, { users, movieCount: 3 });

  it('ranks by segment counts, ties broken by global popularity', async () => {
    const seg = new SegmentPopularityBaseline({ minSegmentUsers: 1 });
    await seg.fit(data);
    const [women, men, unknown] = await seg.score(
      [
        { items: [], user: { age: 22, gender: 'F' } },
        { items: [], user: { age: 44, gender: 'M' } },
        { items: [] },
      ],
      [1, 2, 3],
    );
    // global counts 2, 3, 1 → distinct counts {1, 2, 3} → dense ranks 2, 3, 1 → tie-breakers 2/4, 3/4, 1/4
    expect(Array.from(women!)).toEqual([2 + 0.5, 0 + 0.75, 0 + 0.25]);
    expect(Array.from(men!)).toEqual([0 + 0.5, 3 + 0.75, 1 + 0.25]);
    // no demographics: global popularity
    expect(Array.from(unknown!)).toEqual([2, 3, 1]);
  });

  it('takes demographics of a known user from the training users, and falls back for small segments', async () => {
    const seg = new SegmentPopularityBaseline({ minSegmentUsers: 3 });
    await seg.fit(data);
    const [woman, man] = await seg.score(
      [
        { userId: 1, items: [] },
        { userId: 3, items: [] },
      ],
      [1, 2, 3],
    );
    expect(Array.from(woman!)).toEqual([2, 3, 1]); // 2 women < 3: global
    expect(Array.from(man!)).toEqual([0.5, 3.75, 1.25]); // 3 men: segment
  });

  it('rejects a bad option', () => {
    expect(() => new SegmentPopularityBaseline({ minSegmentUsers: 0 })).toThrow(ConfigError);
  });
});

describe('GlobalMeanBaseline and UserItemBiasBaseline', () => {
  // u1: m1 = 5, m2 = 3; u2: m1 = 4; μ = 12 / 3 = 4; movie 3 in the catalog, unrated.
  const data = makeDataset(
    [
      [1, 1, 5, 1],
      [1, 2, 3, 2],
      [2, 1, 4, 1],
    ],
    { movieCount: 3 },
  );

  it('global mean predicts μ and scores 0 (rating-only)', async () => {
    const g = new GlobalMeanBaseline();
    await g.fit(data);
    expect(await g.predictRatings([{ items: [] }], [[1, 2, 99]])).toEqual([[4, 4, 4]]);
    const [s] = await g.score([{ items: [] }], [1, 99]);
    expect(Array.from(s!)).toEqual([0, Number.NEGATIVE_INFINITY]);
  });

  it('one ALS pass by hand, learned and folded-in user biases', async () => {
    const b = new UserItemBiasBaseline({ regUser: 1, regItem: 1, epochs: 1 });
    const summary = await b.fit(data);
    expect(summary.epochs).toBe(1);
    // b_u1 = ((5−4) + (3−4)) / (1 + 2) = 0; b_u2 = (4−4) / (1 + 1) = 0
    // b_m1 = ((5−4−0) + (4−4−0)) / (1 + 2) = 1/3; b_m2 = (3−4−0) / (1 + 1) = −0.5; b_m3 = 0
    const [known] = await b.predictRatings([{ userId: 1, items: [] }], [[1, 2, 3, 99]]);
    expect(known![0]).toBeCloseTo(4 + 1 / 3, 12);
    expect(known![1]).toBeCloseTo(3.5, 12);
    expect(known![2]).toBeCloseTo(4, 12);
    expect(known![3]).toBe(4); // unknown movie: global mean
    // A new user who rated m1 = 5: b_u = (5 − 4 − 1/3) / (1 + 1) = 1/3 → m2: 4 + 1/3 − 0.5
    const [folded] = await b.predictRatings([{ items: [{ movieId: 1, rating: 5 }] }], [[2]]);
    expect(folded![0]).toBeCloseTo(4 + 1 / 3 - 0.5, 12);
  });

  it('clamps predictions to the scale', async () => {
    const b = new UserItemBiasBaseline({ regUser: 0, regItem: 0, epochs: 3 });
    await b.fit(data);
    const [p] = await b.predictRatings(
      [
        {
          items: [
            { movieId: 1, rating: 5 },
            { movieId: 2, rating: 5 },
          ],
        },
      ],
      [[1]],
    );
    expect(p![0]).toBeLessThanOrEqual(5);
  });
});

describe('ItemKnnBaseline', () => {
  // A=1, B=2, C=3, D=4; movie 5 in the catalog, unrated.
  // u1: A 5, B 3; u2: A 4, B 2, C 5; u3: A 1, C 4; u4: D 3
  // U_A = {1,2,3}, U_B = {1,2}, U_C = {2,3}, U_D = {4}
  // sim(A,B) = 2/sqrt(3·2) ≈ 0.8165; sim(A,C) = 2/sqrt(6); sim(B,C) = 1/sqrt(2·2) = 0.5; D: none
  const rows: Row[] = [
    [1, 1, 5, 1],
    [1, 2, 3, 2],
    [2, 1, 4, 1],
    [2, 2, 2, 2],
    [2, 3, 5, 3],
    [3, 1, 1, 1],
    [3, 3, 4, 2],
    [4, 4, 3, 1],
  ];
  const data = makeDataset(rows, { movieCount: 5 });
  const s6 = 2 / Math.sqrt(6);

  it('cosine similarities by hand', async () => {
    const knn = new ItemKnnBaseline();
    await knn.fit(data);
    expect(knn.similarity(1, 2)).toBeCloseTo(s6, 6);
    expect(knn.similarity(2, 1)).toBeCloseTo(s6, 6);
    expect(knn.similarity(1, 3)).toBeCloseTo(s6, 6);
    expect(knn.similarity(2, 3)).toBeCloseTo(0.5, 6);
    expect(knn.similarity(1, 4)).toBe(0);
    expect(knn.similarity(1, 1)).toBe(0);
  });

  it('keeps the top neighbours only, ties by lower movie id', async () => {
    const knn = new ItemKnnBaseline({ neighbors: 1 });
    await knn.fit(data);
    // A's neighbours B and C tie at 2/sqrt(6): B (lower id) is kept
    expect(knn.similarity(1, 2)).toBeCloseTo(s6, 6);
    expect(knn.similarity(1, 3)).toBe(0);
  });

  it('ranks by the sum of similarities to the history', async () => {
    const knn = new ItemKnnBaseline();
    await knn.fit(data);
    const [one, two] = await knn.score(
      [{ items: [{ movieId: 2 }] }, { items: [{ movieId: 2 }, { movieId: 3 }, { movieId: 42 }] }],
      [1, 2, 3, 4, 5, 42],
    );
    // history [B]: A s6, B 0 (no self-similarity), C 0.5, D 0, E 0, unknown −∞
    expect(Array.from(one!).map((x) => Number(x.toFixed(5)))).toEqual([
      Number(s6.toFixed(5)),
      0,
      0.5,
      0,
      0,
      Number.NEGATIVE_INFINITY,
    ]);
    // history [B, C] (42 unknown, ignored): A 2·s6, B sim(C,B) = 0.5, C sim(B,C) = 0.5
    expect(two![0]).toBeCloseTo(2 * s6, 5);
    expect(two![1]).toBeCloseTo(0.5, 6);
    expect(two![2]).toBeCloseTo(0.5, 6);
  });

  it('predicts the similarity-weighted mean of rated neighbours, with fallbacks', async () => {
    const knn = new ItemKnnBaseline();
    await knn.fit(data);
    const [p] = await knn.predictRatings(
      [
        {
          items: [
            { movieId: 1, rating: 5 },
            { movieId: 2, rating: 3 },
          ],
        },
      ],
      [[3, 4, 5, 99]],
    );
    // C: (s6·5 + 0.5·3) / (s6 + 0.5)
    expect(p![0]).toBeCloseTo((s6 * 5 + 0.5 * 3) / (s6 + 0.5), 5);
    expect(p![1]).toBe(3); // D has no rated neighbour: its mean training rating
    expect(p![2]).toBe(4); // E unrated: the history's mean (5 + 3) / 2
    expect(p![3]).toBe(27 / 8); // unknown movie: the global mean (5+3+4+2+5+1+4+3)/8
  });
});

describe('BiasedMfBaseline', () => {
  // 12 users × 10 movies with a low-rank pattern: rating depends on the user's and the movie's parity.
  const rows: Row[] = [];
  for (let u = 1; u <= 12; u++) {
    for (let m = 1; m <= 10; m++) {
      if ((u + m) % 4 === 0) continue;
      rows.push([u, m, u % 2 === m % 2 ? 5 : 1 + (m % 3), u * 10 + m]);
    }
  }
  const data = makeDataset(rows, { movieCount: 10 });

  it('reduces the training error and reports it per epoch', async () => {
    const logs: number[] = [];
    const mf = new BiasedMfBaseline({ factors: 4, epochs: 60, learningRate: 0.02, regularization: 0.01 });
    const summary = await mf.fit(data, { onEpochEnd: (l) => logs.push(l.loss) });
    expect(summary.epochs).toBe(60);
    expect(logs).toHaveLength(60);
    expect(logs.at(-1)!).toBeLessThan(logs[0]! / 4);
    const [p] = await mf.predictRatings([{ userId: 2, items: [] }], [[2, 3]]);
    expect(p![0]).toBeGreaterThan(p![1]!); // user 2 likes even movies
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number) => {
      const mf = new BiasedMfBaseline({ factors: 3, epochs: 5, seed });
      await mf.fit(data);
      return (await mf.predictRatings([{ userId: 1, items: [] }], [[1, 2, 3]]))[0];
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it('folds in an unknown user from the history', async () => {
    const mf = new BiasedMfBaseline({ factors: 4, epochs: 60, learningRate: 0.02, regularization: 0.01 });
    await mf.fit(data);
    // A newcomer who loves odd movies and dislikes even ones.
    const history = {
      items: [
        { movieId: 1, rating: 5 },
        { movieId: 3, rating: 5 },
        { movieId: 2, rating: 1 },
        { movieId: 4, rating: 2 },
      ],
    };
    const [p] = await mf.predictRatings([history], [[5, 6]]);
    expect(p![0]).toBeGreaterThan(p![1]!);
    const [scores] = await mf.score([history], [5, 6, 999]);
    expect(scores![2]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('stops when the signal aborts and reports validation error', async () => {
    const controller = new AbortController();
    const mf = new BiasedMfBaseline({ factors: 2, epochs: 10 });
    const summary = await mf.fit(data, {
      signal: controller.signal,
      validation: makeDataset([[1, 1, 5, 0]]).ratings,
      onEpochEnd: (l) => {
        expect(l.valLoss).toBeGreaterThanOrEqual(0);
        expect(l.metrics?.RMSE).toBeCloseTo(Math.sqrt(l.valLoss!), 12);
        if (l.epoch === 3) controller.abort();
      },
    });
    expect(summary).toMatchObject({ epochs: 3, aborted: true });
    await expect(mf.predictRatings([{ items: [] }], [[1]])).resolves.toHaveLength(1);
  });

  it('rejects bad options', () => {
    expect(() => new BiasedMfBaseline({ factors: 0 })).toThrow(/factors: expected an integer ≥ 1/);
    expect(() => new BiasedMfBaseline({ learningRate: 0 })).toThrow(ConfigError);
  });
});

describe('trivial predictors of protocol C', () => {
  // m1: 5, 4 → mean 4.5; m2: 2 → 2; μ = 11/3
  const data = makeDataset(
    [
      [1, 1, 5, 1],
      [2, 1, 4, 1],
      [1, 2, 2, 2],
    ],
    { movieCount: 3 },
  );

  it('always liked predicts the top of the scale with a fixed threshold', async () => {
    const a = new AlwaysLikedPredictor();
    await a.fit(data);
    expect(hasFixedThreshold(a)).toBe(true);
    expect(a.likedThreshold).toBe(4);
    expect(await a.predictRatings([{ items: [] }], [[1, 2, 99]])).toEqual([[5, 5, 5]]);
  });

  it('movie mean predicts the mean training rating, the global mean when unrated', async () => {
    const m = new MovieMeanPredictor();
    await m.fit(data);
    expect(m.likedThreshold).toBe(4);
    const [p] = await m.predictRatings([{ items: [] }], [[1, 2, 3, 99]]);
    expect(p).toEqual([4.5, 2, 11 / 3, 11 / 3]);
  });

  it('other baselines have no fixed threshold', () => {
    expect(hasFixedThreshold(new BiasedMfBaseline())).toBe(false);
  });
});

describe('every baseline', () => {
  const rows: Row[] = [];
  for (let u = 1; u <= 6; u++)
    for (let m = 1; m <= 6; m++) if ((u * m) % 3 !== 0) rows.push([u, m, 1 + ((u + m) % 5), m]);
  const data = makeDataset(rows, { movieCount: 7 });
  const all: Array<() => Scorer> = [
    () => new PopularityBaseline(),
    () => new SegmentPopularityBaseline(),
    () => new GlobalMeanBaseline(),
    () => new UserItemBiasBaseline(),
    () => new ItemKnnBaseline(),
    () => new BiasedMfBaseline({ factors: 3, epochs: 3 }),
    () => new AlwaysLikedPredictor(),
    () => new MovieMeanPredictor(),
  ];

  it.each(all.map((make) => [make().constructor.name, make] as const))(
    '%s: kind baseline, one aligned row per history, -Infinity for unknown movies, ratings on the scale',
    async (_name, make) => {
      const s = make();
      expect(s.kind).toBe('baseline');
      await s.fit(data);
      const histories = [{ userId: 1, items: [{ movieId: 1, rating: 4 }] }, { items: [] }];
      const scores = await s.score(histories, [1, 2, 7, 1234]);
      expect(scores).toHaveLength(2);
      for (const row of scores) {
        expect(row).toHaveLength(4);
        expect(row[3]).toBe(Number.NEGATIVE_INFINITY);
        expect(Number.isNaN(row[0])).toBe(false);
      }
      if (s.predictRatings) {
        const p = await s.predictRatings(histories, [[1, 7, 1234], [2]]);
        expect(p.map((x) => x.length)).toEqual([3, 1]);
        for (const x of p.flat()) {
          expect(x).toBeGreaterThanOrEqual(1);
          expect(x).toBeLessThanOrEqual(5);
        }
        await expect(s.predictRatings(histories, [[1]])).rejects.toThrow(ConfigError);
      }
      s.dispose();
      await expect(s.score(histories, [1])).rejects.toThrow(StateError);
    },
  );
});

describe('solveSpd', () => {
  it('solves a 3×3 system', () => {
    // A = [[4,1,0],[1,3,1],[0,1,2]], x = [1, 2, 3] → b = [6, 10, 8]
    const x = solveSpd(new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]), new Float64Array([6, 10, 8]), 3);
    expect(Array.from(x).map((v) => Number(v.toFixed(10)))).toEqual([1, 2, 3]);
  });
});
