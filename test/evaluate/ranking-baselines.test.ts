/**
 * The ranking baselines of issue 5: EASE (hand-computed on a 3×3 matrix), BPR-MF (loss falls, beats chance on
 * two taste groups, deterministic, fold-in), recency-weighted item-kNN (weights and scores by hand), and the
 * SPD inverse under EASE.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, StateError } from '../../src/errors';
import {
  BprMfBaseline,
  EaseBaseline,
  ItemKnnBaseline,
  RecencyItemKnnBaseline,
} from '../../src/evaluate/baselines';
import { invertSpdInPlace } from '../../src/util/linalg';
import { makeDataset, type Row } from './helpers';

describe('invertSpdInPlace', () => {
  it('inverts a 2×2 matrix: [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]] / 8', () => {
    const A = new Float64Array([4, 2, 2, 3]);
    invertSpdInPlace(A, 2);
    expect(Array.from(A)).toEqual([0.375, -0.25, -0.25, 0.5].map((x) => expect.closeTo(x, 14)));
  });

  it('inverts the 3×3 EASE Gram matrix below: det 16, adjugate [[8, −4, 0], [−4, 8, −4], [0, −4, 8]]', () => {
    const A = new Float64Array([3, 2, 1, 2, 4, 2, 1, 2, 3]);
    invertSpdInPlace(A, 3);
    const expected = [0.5, -0.25, 0, -0.25, 0.5, -0.25, 0, -0.25, 0.5];
    for (let i = 0; i < 9; i++) expect(A[i]).toBeCloseTo(expected[i]!, 14);
  });

  it('throws StateError on a matrix that is not positive definite', () => {
    expect(() => invertSpdInPlace(new Float64Array([1, 2, 2, 1]), 2)).toThrow(StateError);
  });
});

describe('EaseBaseline', () => {
  // X (users × movies 1..3): u1 {1, 2}, u2 {2, 3}, u3 {1, 2, 3}; u3 rates movie 2 twice (counted once).
  // XᵀX = [[2, 2, 1], [2, 3, 2], [1, 2, 2]]; with λ = 1, P = (XᵀX + I)⁻¹ = [[.5, −.25, 0], [−.25, .5, −.25],
  // [0, −.25, .5]] (see the inverse test); B_ij = −P_ij / P_jj → B = [[0, .5, 0], [.5, 0, .5], [0, .5, 0]].
  const rows: Row[] = [
    [1, 1, 5, 1],
    [1, 2, 3, 2],
    [2, 2, 4, 1],
    [2, 3, 1, 2],
    [3, 1, 2, 1],
    [3, 2, 5, 2],
    [3, 3, 4, 3],
    [3, 2, 1, 4],
  ];
  const data = makeDataset(rows, { movieCount: 3 });

  it('computes B = I − P·diagMat(1/diag(P)) by hand on a 3×3 matrix', async () => {
    const ease = new EaseBaseline({ lambda: 1 });
    await ease.fit(data);
    const B = [1, 2, 3].map((i) => [1, 2, 3].map((j) => ease.weight(i, j)));
    const expected = [
      [0, 0.5, 0],
      [0.5, 0, 0.5],
      [0, 0.5, 0],
    ];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(B[i]![j]).toBeCloseTo(expected[i]![j]!, 6);
  });

  it('scores a history as its binary row times B; unknown movies −Infinity; no userId needed', async () => {
    const ease = new EaseBaseline({ lambda: 1 });
    await ease.fit(data);
    const [one, two, repeated] = await ease.score(
      [
        { items: [{ movieId: 1 }] },
        { items: [{ movieId: 1 }, { movieId: 3 }] },
        { items: [{ movieId: 2 }, { movieId: 2 }, { movieId: 42 }] },
      ],
      [1, 2, 3, 99],
    );
    expect(Array.from(one!)).toEqual([0, 0.5, 0, Number.NEGATIVE_INFINITY]);
    expect(Array.from(two!)).toEqual([0, 1, 0, Number.NEGATIVE_INFINITY]);
    expect(Array.from(repeated!)).toEqual([0.5, 0, 0.5, Number.NEGATIVE_INFINITY]);
  });

  it('refuses a catalog above maxMovies with a ConfigError naming the memory it would take', async () => {
    const ease = new EaseBaseline({ maxMovies: 2 });
    await expect(ease.fit(data)).rejects.toThrow(ConfigError);
    await expect(ease.fit(data)).rejects.toThrow(/3×3 matrix would take/);
  });

  it('checks its options and needs fit before score', async () => {
    expect(() => new EaseBaseline({ lambda: 0 })).toThrow(ConfigError);
    await expect(new EaseBaseline().score([{ items: [] }], [1])).rejects.toThrow(StateError);
  });
});

/** Two taste groups: users 1..10 rate movies 1..5, users 11..20 movies 6..10; each user skips one movie. */
function groups(): { rows: Row[]; heldOut: Map<number, number> } {
  const rows: Row[] = [];
  const heldOut = new Map<number, number>();
  for (let u = 1; u <= 20; u++) {
    const first = u <= 10 ? 1 : 6;
    const skip = first + (u % 5);
    heldOut.set(u, skip);
    for (let m = first; m < first + 5; m++) if (m !== skip) rows.push([u, m, 4, m]);
  }
  return { rows, heldOut };
}

describe('BprMfBaseline', () => {
  const { rows, heldOut } = groups();
  const data = makeDataset(rows, { movieCount: 10 });
  const options = { factors: 8, epochs: 40, learningRate: 0.05, regularization: 0.01, seed: 3 };

  it('lowers its loss over the epochs', async () => {
    const bpr = new BprMfBaseline(options);
    const summary = await bpr.fit(data);
    expect(summary.history).toHaveLength(40);
    const first = summary.history[0]!.loss;
    const last = summary.history.at(-1)!.loss;
    // −ln σ(0) = ln 2 ≈ 0.693 at the start (small random factors); well below it at the end.
    expect(first).toBeGreaterThan(0.6);
    expect(last).toBeLessThan(first / 2);
  });

  it('ranks each user’s held-out movie first among their unseen movies far more often than chance', async () => {
    const bpr = new BprMfBaseline(options);
    await bpr.fit(data);
    const candidates = Array.from({ length: 10 }, (_, i) => i + 1);
    const histories = [...heldOut.keys()].map((userId) => ({ userId, items: [] }));
    const scores = await bpr.score(histories, candidates);
    let first = 0;
    histories.forEach((h, n) => {
      const seen = new Set(rows.filter((r) => r[0] === h.userId).map((r) => r[1]));
      const unseen = candidates.filter((m) => !seen.has(m));
      const best = unseen.reduce((a, b) => (scores[n]![b - 1]! > scores[n]![a - 1]! ? b : a));
      if (best === heldOut.get(h.userId)) first++;
    });
    // Chance: 1 of 6 unseen movies, about 3 of 20 users.
    expect(first).toBeGreaterThanOrEqual(18);
  });

  it('is deterministic for a seed', async () => {
    const a = new BprMfBaseline(options);
    const b = new BprMfBaseline(options);
    await a.fit(data);
    await b.fit(data);
    const h = [{ userId: 3, items: [] }, { items: [{ movieId: 7 }] }];
    expect(await a.score(h, [1, 6, 9])).toEqual(await b.score(h, [1, 6, 9]));
  });

  it('folds in an unknown history: its group’s unseen movies score above the other group’s', async () => {
    const bpr = new BprMfBaseline(options);
    await bpr.fit(data);
    const [s] = await bpr.score(
      [{ items: [{ movieId: 6 }, { movieId: 7 }, { movieId: 8 }] }],
      [1, 2, 9, 10, 99],
    );
    expect(Math.min(s![2]!, s![3]!)).toBeGreaterThan(Math.max(s![0]!, s![1]!));
    expect(s![4]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('stops after the current epoch when aborted', async () => {
    const controller = new AbortController();
    const bpr = new BprMfBaseline(options);
    const summary = await bpr.fit(data, {
      signal: controller.signal,
      onEpochEnd: (log) => {
        if (log.epoch === 2) controller.abort();
      },
    });
    expect(summary.epochs).toBe(2);
    expect(summary.aborted).toBe(true);
  });
});

describe('RecencyItemKnnBaseline', () => {
  const rows: Row[] = [
    [1, 1, 5, 1],
    [1, 2, 4, 2],
    [2, 2, 5, 1],
    [2, 3, 4, 2],
    [3, 1, 3, 1],
    [3, 3, 3, 2],
    [4, 3, 4, 1],
    [4, 4, 2, 2],
  ];
  const data = makeDataset(rows, { movieCount: 4 });

  it('weighs the j-th most recent distinct movie decay^j (a repeat counts at its latest position)', async () => {
    const knn = new RecencyItemKnnBaseline({ decay: 0.5 });
    await knn.fit(data);
    const w = knn.recencyWeights({
      items: [{ movieId: 1 }, { movieId: 2 }, { movieId: 3 }, { movieId: 99 }, { movieId: 2 }],
    });
    // Most recent first: 2 (1), 3 (0.5), 1 (0.25); the repeat of 2 and unknown 99 take no step.
    expect([...w]).toEqual([
      [2, 1],
      [3, 0.5],
      [1, 0.25],
    ]);
  });

  it('scores Σ decay^j · sim(h_j, c) with the item-kNN similarities', async () => {
    const knn = new RecencyItemKnnBaseline({ decay: 0.5 });
    const plain = new ItemKnnBaseline();
    await knn.fit(data);
    await plain.fit(data);
    const [s] = await knn.score([{ items: [{ movieId: 1 }, { movieId: 3 }] }], [1, 2, 3, 4]);
    // History (oldest first) 1, 3 → weights: 3 → 1, 1 → 0.5.
    for (const [c, id] of [1, 2, 3, 4].entries()) {
      expect(s![c]).toBeCloseTo(plain.similarity(3, id) + 0.5 * plain.similarity(1, id), 6);
    }
    // By hand: U1 = {1, 3}, U2 = {1, 2}, U3 = {2, 3, 4}, U4 = {4}: sim(3, 2) = 1/√6, sim(1, 2) = 1/2.
    expect(s![1]).toBeCloseTo(1 / Math.sqrt(6) + 0.5 * 0.5, 6);
  });

  it('with decay 1 gives exactly the item-kNN scores', async () => {
    const knn = new RecencyItemKnnBaseline({ decay: 1 });
    const plain = new ItemKnnBaseline();
    await knn.fit(data);
    await plain.fit(data);
    const h = [{ items: [{ movieId: 4 }, { movieId: 1 }, { movieId: 2 }] }];
    expect(await knn.score(h, [1, 2, 3, 4, 5])).toEqual(await plain.score(h, [1, 2, 3, 4, 5]));
  });

  it('checks decay', () => {
    expect(() => new RecencyItemKnnBaseline({ decay: 0 })).toThrow(ConfigError);
    expect(() => new RecencyItemKnnBaseline({ decay: 1.5 })).toThrow(ConfigError);
  });
});
