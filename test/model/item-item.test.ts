import { describe, expect, it } from 'vitest';
import {
  distinctItemRows,
  easeCost,
  easeWeights,
  fitBagScale,
  type ItemRows,
} from '../../src/model/item-item';

const rowsOf = (users: number[][]): ItemRows => {
  const offsets = [0];
  for (const u of users) offsets.push(offsets[offsets.length - 1]! + u.length);
  return { offsets: Int32Array.from(offsets), items: Int32Array.from(users.flat()) };
};

describe('distinctItemRows and easeCost', () => {
  it("keeps each user's first occurrence of a movie, in order or ascending", () => {
    const rows = rowsOf([[3, 1, 3, 2], [2, 2], []]);
    const first = distinctItemRows(rows, 4);
    expect(Array.from(first.offsets)).toEqual([0, 3, 4, 4]);
    expect(Array.from(first.items)).toEqual([3, 1, 2, 2]);
    expect(Array.from(distinctItemRows(rows, 4, true).items)).toEqual([1, 2, 3, 2]);
  });

  it('names the memory and work of the inversion', () => {
    expect(easeCost(10_000)).toBe(
      'dense 10000×10000 matrix would take 0.8 GB and about 5.0e+11 multiply-adds',
    );
  });
});

describe('easeWeights', () => {
  it('is the ridge regression of each movie on the others (hand-computed, two movies)', () => {
    // X = [[1, 1], [1, 0]], λ = 1: XᵀX + λI = [[3, 1], [1, 2]], P = [[2, −1], [−1, 3]] / 5.
    // B_01 = −P_01 / P_11 = 1/3 (= x0·x1 / (x0·x0 + λ)); B_10 = −P_10 / P_00 = 1/2 (= x1·x0 / (x1·x1 + λ)).
    const B = easeWeights(rowsOf([[0, 1], [0]]), 2, 1);
    expect(B[0]).toBe(0);
    expect(B[3]).toBe(0);
    expect(B[1]).toBeCloseTo(1 / 3, 6);
    expect(B[2]).toBeCloseTo(1 / 2, 6);
  });

  it('gives a movie nobody has a zero row and column', () => {
    const B = easeWeights(rowsOf([[0, 2], [2]]), 3, 1);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(B[1 * 3 + j]!)).toBe(0);
      expect(Math.abs(B[j * 3 + 1]!)).toBe(0);
    }
    expect(B[0 * 3 + 2]).toBeGreaterThan(0);
  });
});

describe('fitBagScale', () => {
  // Movies come in pairs (0, 1), (2, 3), …: every user who has one has the other.
  const M = 12;
  const users: number[][] = [];
  for (let u = 0; u < 40; u++) {
    const a = 2 * (u % 6);
    const b = 2 * ((u + 1) % 6);
    users.push([a, a + 1, b, b + 1]);
  }
  const rows = rowsOf(users);
  const bias = new Float32Array(M);

  it('picks the largest scale when the weights predict the held-out movies perfectly', () => {
    const B = new Float32Array(M * M);
    for (let p = 0; p < M; p += 2) {
      B[p * M + p + 1] = 1;
      B[(p + 1) * M + p] = 1;
    }
    expect(fitBagScale(rows, B, M, bias, 1)).toBe(4096);
  });

  it('picks the smallest scale when the weights point away from the held-out movies', () => {
    const B = new Float32Array(M * M);
    for (let p = 0; p < M; p += 2) {
      B[p * M + p + 1] = -1;
      B[(p + 1) * M + p] = -1;
    }
    expect(fitBagScale(rows, B, M, bias, 1)).toBe(0.25);
  });

  it('lands between the ends for EASE weights, and the same seed gives the same scale', () => {
    // Noisy users: each also has two random movies, so the pairs predict well but not perfectly.
    const noisy = users.map((u, i) =>
      [...u, (i * 5 + 3) % M, (i * 7 + 1) % M].filter((v, k, a) => a.indexOf(v) === k),
    );
    const r = rowsOf(noisy);
    const B = easeWeights(r, M, 5);
    const alpha = fitBagScale(r, B, M, bias, 7);
    expect(alpha).toBeGreaterThan(0.25);
    expect(alpha).toBeLessThan(4096);
    expect(fitBagScale(r, B, M, bias, 7)).toBe(alpha);
  });

  it("with bag 'binary' the scale is for weights of 1: the 1/√n bag's scale over √(n − held) when all users match", () => {
    // Every user has 4 movies, one held out: the 1/√3 bag needs √3 times the binary bag's scale. The candidates
    // are steps of √2, so the two land at most one step apart from that ratio.
    const noisy = users.map((u, i) =>
      [...u, (i * 5 + 3) % M].filter((v, k, a) => a.indexOf(v) === k).slice(0, 4),
    );
    const r = rowsOf(noisy.filter((u) => u.length === 4));
    const B = easeWeights(r, M, 5);
    const sqrt = fitBagScale(r, B, M, bias, 3, 'sqrt');
    const binary = fitBagScale(r, B, M, bias, 3, 'binary');
    expect(sqrt / binary).toBeGreaterThanOrEqual(Math.sqrt(3) / Math.SQRT2);
    expect(sqrt / binary).toBeLessThanOrEqual(Math.sqrt(3) * Math.SQRT2);
  });

  it('returns 1 when no user has two movies to split', () => {
    expect(fitBagScale(rowsOf([[0], [1]]), new Float32Array(4), 2, new Float32Array(2), 1)).toBe(1);
  });
});
