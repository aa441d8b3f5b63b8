import { describe, expect, it } from 'vitest';
import {
  leaveOneOutSplit,
  stratifiedRandomSplit,
  temporalRatioSplit,
  userHoldoutSplit,
  userTimelines,
} from '../../src/data/split';
import { RatingTable } from '../../src/data/types';

function table(rows: Array<[number, number, number, number]>): RatingTable {
  return RatingTable.from(
    rows.map(([userId, movieId, rating, timestamp]) => ({ userId, movieId, rating, timestamp })),
  );
}

describe('userTimelines', () => {
  it('sorts by time and keeps file order on ties', () => {
    const t = table([
      [1, 10, 3, 50],
      [1, 11, 3, 20],
      [2, 12, 3, 5],
      [1, 13, 3, 20],
      [1, 14, 3, 10],
    ]);
    const tl = userTimelines(t);
    expect([...tl.keys()]).toEqual([1, 2]);
    // times 10 (row 4), 20 (row 1), 20 (row 3, after row 1 in file order), 50 (row 0)
    expect(Array.from(tl.get(1)!)).toEqual([4, 1, 3, 0]);
    expect(Array.from(tl.get(2)!)).toEqual([2]);
  });
});

describe('leaveOneOutSplit', () => {
  it('puts the last rating in test and the second to last in validation', () => {
    const t = table([
      [1, 10, 3, 1],
      [1, 11, 3, 2],
      [1, 12, 3, 2],
      [1, 13, 3, 0],
      [2, 20, 3, 1],
      [2, 21, 3, 2],
      [3, 30, 3, 1],
    ]);
    const s = leaveOneOutSplit(t);
    expect(s.test.toArray().map((r) => r.movieId)).toEqual([12, 21]);
    expect(s.validation.toArray().map((r) => r.movieId)).toEqual([11]);
    expect(s.train.toArray().map((r) => r.movieId)).toEqual([10, 13, 20, 30]);
    const noVal = leaveOneOutSplit(t, { validation: false });
    expect(noVal.validation.length).toBe(0);
    expect(noVal.train.length).toBe(5);
  });
});

describe('temporalRatioSplit', () => {
  it('trains on the earliest share per user', () => {
    const t = table([
      [1, 1, 3, 4],
      [1, 2, 3, 3],
      [1, 3, 3, 2],
      [1, 4, 3, 1],
      [2, 5, 3, 1],
    ]);
    const s = temporalRatioSplit(t, { trainRatio: 0.5 });
    expect(s.train.toArray().map((r) => r.movieId)).toEqual([3, 4, 5]);
    expect(s.test.toArray().map((r) => r.movieId)).toEqual([1, 2]);
  });
  it('rejects a ratio outside (0, 1)', () => {
    expect(() => temporalRatioSplit(table([[1, 1, 1, 1]]), { trainRatio: 1 })).toThrow(/trainRatio/);
  });
});

describe('stratifiedRandomSplit', () => {
  const rows: Array<[number, number, number, number]> = [];
  for (let u = 1; u <= 5; u++) for (let m = 1; m <= 8; m++) rows.push([u, m, 3, m]);
  const t = table(rows);
  it('keeps round(0.75 n) train rows per user', () => {
    const s = stratifiedRandomSplit(t, { trainRatio: 0.75, seed: 42 });
    expect(s.train.length).toBe(30);
    expect(s.test.length).toBe(10);
    for (const [, r] of userTimelines(s.train)) expect(r.length).toBe(6);
  });
  it('is deterministic for a seed and differs across seeds', () => {
    const a = stratifiedRandomSplit(t, { seed: 1 }).test.toArray();
    const b = stratifiedRandomSplit(t, { seed: 1 }).test.toArray();
    const c = stratifiedRandomSplit(t, { seed: 2 }).test.toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('keeps file order inside each part', () => {
    const s = stratifiedRandomSplit(t, { seed: 3 });
    const times = s.train.toArray().map((r) => r.userId * 100 + r.timestamp);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe('userHoldoutSplit', () => {
  it('holds out whole users', () => {
    const rows: Array<[number, number, number, number]> = [];
    for (let u = 1; u <= 10; u++) for (let m = 1; m <= 3; m++) rows.push([u, m, 3, m]);
    const s = userHoldoutSplit(table(rows), { fraction: 0.2, seed: 42 });
    expect(s.heldOutUsers).toHaveLength(2);
    expect(s.heldOut.length).toBe(6);
    expect(s.train.length).toBe(24);
    const trainUsers = new Set(s.train.userIds);
    for (const u of s.heldOutUsers) expect(trainUsers.has(u)).toBe(false);
  });
});
