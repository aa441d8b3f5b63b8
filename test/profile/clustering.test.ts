import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { chooseK, kMeans, kMeansBIC, silhouetteScore } from '../../src/profile/clustering';
import { Rng } from '../../src/util/random';

// Two blobs: A = three points around the origin, B = a unit square around (10.5, 10.5).
const A = [
  [0, 0],
  [0, 1],
  [1, 0],
];
const B = [
  [10, 10],
  [10, 11],
  [11, 10],
  [11, 11],
];

describe('kMeans', () => {
  it('finds hand-computed centroids, labels and inertia, clusters numbered largest first', () => {
    const r = kMeans([...A, ...B], 2, { seed: 1 });
    // B has 4 points → cluster 0, centre (10.5, 10.5), inertia 4 × (0.5² + 0.5²) = 2.
    // A has 3 points → cluster 1, centre (1/3, 1/3), inertia 2/9 + 5/9 + 5/9 = 4/3.
    expect(Array.from(r.labels)).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(r.sizes).toEqual([4, 3]);
    expect(r.centroids[0]).toEqual([10.5, 10.5]);
    expect(r.centroids[1]![0]).toBeCloseTo(1 / 3, 12);
    expect(r.centroids[1]![1]).toBeCloseTo(1 / 3, 12);
    expect(r.inertia).toBeCloseTo(2 + 4 / 3, 12);
    expect(r.k).toBe(2);
  });

  it('k = 1 is the mean; k = n puts every point alone', () => {
    const one = kMeans(A, 1);
    expect(one.centroids[0]![0]).toBeCloseTo(1 / 3, 12);
    expect(one.inertia).toBeCloseTo(4 / 3, 12);
    const all = kMeans(A, 3);
    expect(all.inertia).toBe(0);
    expect(all.sizes).toEqual([1, 1, 1]);
    // Equal sizes: numbered by their first point.
    expect(Array.from(all.labels)).toEqual([0, 1, 2]);
  });

  it('k-means++ seeding is deterministic for a seed and never seeds on a point already chosen', () => {
    const rng = new Rng(3);
    const cloud = Array.from({ length: 60 }, () => [rng.next(), rng.next()]);
    // One Lloyd step from the seeds: the result depends on which points were drawn.
    const once = (seed: number) => kMeans(cloud, 5, { seed, restarts: 1, maxIterations: 1 });
    expect(once(7)).toEqual(once(7));
    expect(once(7).centroids).not.toEqual(once(8).centroids);
    // Duplicates: the second seed is drawn ∝ D², which is 0 on the first seed's copies, so every seed
    // splits {0, 0, 0} from {5}.
    for (let seed = 0; seed < 20; seed++) {
      const r = kMeans([[0], [0], [5], [0]], 2, { seed, restarts: 1 });
      expect(Array.from(r.labels)).toEqual([0, 0, 1, 0]);
    }
  });

  it('leaves a cluster empty only when there are fewer distinct points than k', () => {
    const r = kMeans([[0], [0], [1]], 3, { restarts: 1 });
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(3);
    expect(r.sizes).toEqual([2, 1, 0]);
    expect(r.inertia).toBe(0);
  });

  it('rejects bad points and k', () => {
    expect(() => kMeans([], 1)).toThrow(ConfigError);
    expect(() => kMeans([[0, 1], [2]], 1)).toThrow(ConfigError);
    expect(() => kMeans([[0, Number.NaN]], 1)).toThrow(ConfigError);
    expect(() => kMeans(A, 4)).toThrow(ConfigError);
    expect(() => kMeans(A, 0)).toThrow(ConfigError);
    expect(() => kMeans(A, 2, { restarts: 0 })).toThrow(ConfigError);
  });
});

describe('silhouetteScore and kMeansBIC', () => {
  it('silhouette by hand', () => {
    // Every point: a = 1 (its pair), b = (10 + √101) / 2 (the other pair) → s = 1 − 2 / (10 + √101).
    const pairs = [
      [0, 0],
      [0, 1],
      [10, 0],
      [10, 1],
    ];
    expect(silhouetteScore(pairs, [0, 0, 1, 1])).toBeCloseTo(1 - 2 / (10 + Math.sqrt(101)), 12);
    // A point alone in its cluster scores 0: points 0, 1 (a = 1; b = 10 and 9) and 10 alone.
    expect(silhouetteScore([[0], [1], [10]], [0, 0, 1])).toBeCloseTo((0.9 + 8 / 9 + 0) / 3, 12);
    expect(() => silhouetteScore(pairs, [0, 1])).toThrow(ConfigError);
  });

  it('BIC by hand', () => {
    const pairs = [
      [0, 0],
      [0, 1],
      [10, 0],
      [10, 1],
    ];
    const r = kMeans(pairs, 2);
    // n = 4, d = 2, inertia = 4 × 0.25 = 1 → σ² = 1 / 8; sizes 2, 2; parameters (2 − 1) + 2·2 + 1 = 6.
    const variance = 1 / 8;
    const ll = 2 * 2 * Math.log(2 / 4) - ((4 * 2) / 2) * Math.log(2 * Math.PI * variance) - (4 * 2) / 2;
    expect(kMeansBIC(pairs, r)).toBeCloseTo(ll - (6 / 2) * Math.log(4), 10);
    expect(kMeansBIC(pairs, r)).toBeGreaterThan(kMeansBIC(pairs, kMeans(pairs, 1)));
  });
});

describe('chooseK', () => {
  const C = [
    [20, 0],
    [20, 1],
    [21, 0],
  ];
  const blobs = [...A, ...B, ...C];

  it('picks the obvious k on three clear blobs, by silhouette and by BIC', () => {
    const s = chooseK(blobs, { range: [2, 6] });
    expect(s.k).toBe(3);
    expect(s.criterion).toBe('silhouette');
    expect(s.scores.map((x) => x.k)).toEqual([2, 3, 4, 5, 6]);
    expect(s.result.sizes).toEqual([4, 3, 3]);
    expect(chooseK(blobs, { range: [1, 6], criterion: 'bic' }).k).toBe(3);
    expect(chooseK([...A, ...B], { range: [2, 5] }).k).toBe(2);
  });

  it('cuts the range to what the points allow and rejects an empty one', () => {
    expect(chooseK(A, { range: [2, 8] }).scores.map((x) => x.k)).toEqual([2]);
    expect(() => chooseK(A.slice(0, 2))).toThrow(ConfigError);
    expect(() => chooseK(A, { range: [3, 2] })).toThrow(ConfigError);
    expect(() => chooseK(A, { criterion: 'elbow' as 'bic' })).toThrow(ConfigError);
  });
});
