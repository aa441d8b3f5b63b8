import { describe, expect, it } from 'vitest';
import {
  BOS_TOKEN,
  type EncodedSequence,
  inferenceBatch,
  PAD_TOKEN,
  STEP_FEATURES,
  TOKEN_OFFSET,
  tasteBatch,
  trainingBatch,
  trainingWindows,
} from '../../src/model/batches';

const DAY = 86_400;
const T0 = 1_000_000;

function seq(items: number[], ratings?: number[], times?: number[], profile?: number[]): EncodedSequence {
  return {
    items: Int32Array.from(items),
    ratings: Float32Array.from(ratings ?? items.map(() => Number.NaN)),
    times: Float64Array.from(times ?? items.map((_, i) => T0 + i)),
    profile: profile ? Float32Array.from(profile) : undefined,
  };
}

/** Rows of `steps` ([rows × length × 3]) as nested arrays. */
function stepRows(steps: Float32Array, rows: number, length: number): number[][][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length }, (_, p) =>
      Array.from(steps.subarray((r * length + p) * 3, (r * length + p + 1) * 3)),
    ),
  );
}

// A: 4 movies. Ratings scaled to [0, 1] (NaN: unknown). Gaps: 1 day, then 365 days, then 0 s.
const A = seq(
  [4, 0, 7, 1],
  [0.75, Number.NaN, 0.25, 1],
  [T0, T0 + DAY, T0 + DAY + 365 * DAY, T0 + DAY + 365 * DAY],
);
// B: 2 movies, the first with an unknown time.
const B = seq([3, 5], [0.5, 0.5], [Number.NaN, 100], [0.1, 0.2]);
// gap feature = log1p(days) / log1p(365): 1 day → ln 2 / ln 366 = 0.693147 / 5.902633 = 0.1174312; 365 days → 1.
const GAP_1_DAY = Math.log(2) / Math.log(366);

describe('token ids and sizes', () => {
  it('reserve 0 for padding and 1 for begin-of-sequence; movie i is token i + 2', () => {
    expect(PAD_TOKEN).toBe(0);
    expect(BOS_TOKEN).toBe(1);
    expect(TOKEN_OFFSET).toBe(2);
    expect(STEP_FEATURES).toBe(3);
  });
});

describe('trainingWindows', () => {
  it('cuts n = 7, maxLength 4, stride 2 into hand-checked windows, from the end backwards', () => {
    const w = trainingWindows([seq([0, 1, 2, 3, 4, 5, 6])], 4, 2);
    // end 7: start = 7 − 4 = 3, loss on [7 − 2, 7) = [5, 7)
    // end 5: start = 1, loss on [3, 5)
    // end 3: start = max(0, −1) = 0, the first window: loss on [0, 3); stop.
    expect(w).toEqual([
      { sequence: 0, start: 3, end: 7, lossFrom: 5 },
      { sequence: 0, start: 1, end: 5, lossFrom: 3 },
      { sequence: 0, start: 0, end: 3, lossFrom: 0 },
    ]);
  });

  it.each([
    [7, 4, 2],
    [1, 4, 2],
    [4, 4, 4],
    [10, 5, 2],
    [23, 6, 3],
    [50, 50, 25],
    [51, 50, 25],
  ])(
    'n = %i, maxLength %i, stride %i: every target in exactly one loss range, windows ≤ maxLength',
    (n, maxLength, stride) => {
      const w = trainingWindows([seq(Array.from({ length: n }, (_, i) => i))], maxLength, stride);
      const count = new Array<number>(n).fill(0);
      for (const win of w) {
        expect(win.end - win.start).toBeLessThanOrEqual(maxLength);
        expect(win.lossFrom).toBeGreaterThanOrEqual(win.start);
        // A window that does not start at 0 has maxLength − stride positions of context before its loss.
        if (win.start > 0) expect(win.lossFrom - win.start).toBe(maxLength - stride);
        for (let p = win.lossFrom; p < win.end; p++) count[p]!++;
      }
      expect(count).toEqual(new Array<number>(n).fill(1));
    },
  );

  it('numbers windows by sequence and skips empty sequences', () => {
    const w = trainingWindows([seq([1, 2]), seq([]), seq([3])], 4, 2);
    expect(w).toEqual([
      { sequence: 0, start: 0, end: 2, lossFrom: 0 },
      { sequence: 2, start: 0, end: 1, lossFrom: 0 },
    ]);
  });
});

describe('trainingBatch', () => {
  it('builds tokens, step features, loss positions and targets by hand', () => {
    const windows = trainingWindows([A, B], 4, 2);
    expect(windows).toEqual([
      { sequence: 0, start: 0, end: 4, lossFrom: 0 },
      { sequence: 1, start: 0, end: 2, lossFrom: 0 },
    ]);
    const b = trainingBatch([A, B], windows, 0);
    expect(b.rows).toBe(2);
    expect(b.length).toBe(4);
    // Position p reads BOS (p = 0) or items[p − 1] + 2; B is padded with 0.
    expect(Array.from(b.tokens)).toEqual([1, 4 + 2, 0 + 2, 7 + 2, 1, 3 + 2, 0, 0]);
    const steps = stepRows(b.steps, 2, 4);
    // [scaled rating of the input movie, rating known, gap between the input movie and the one before it]
    expect(steps[0]![0]).toEqual([0, 0, 0]); // BOS
    expect(steps[0]![1]).toEqual([0.75, 1, 0]); // reads items[0]: rated 0.75, no movie before it
    expect(steps[0]![2]![0]).toBe(0); // reads items[1]: rating unknown → 0, flag 0
    expect(steps[0]![2]![1]).toBe(0);
    expect(steps[0]![2]![2]).toBeCloseTo(GAP_1_DAY, 6); // 1 day after items[0]: 0.1174312
    expect(steps[0]![3]![0]).toBe(0.25);
    expect(steps[0]![3]![1]).toBe(1);
    expect(steps[0]![3]![2]).toBeCloseTo(1, 6); // 365 days: log1p(365) / log1p(365) = 1
    expect(steps[1]).toEqual([
      [0, 0, 0],
      [0.5, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // Loss on every position: row 0 flat 0..3, row 1 flat 4·1 + 0, 4·1 + 1.
    expect(Array.from(b.lossIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(b.targets)).toEqual([4, 0, 7, 1, 3, 5]);
    expect(Array.from(b.ratingTargets)).toEqual([0.75, 0, 0.25, 1, 0.5, 0.5]);
    expect(Array.from(b.ratingMask)).toEqual([1, 0, 1, 1, 1, 1]);
    expect(b.profiles).toBeUndefined();
  });

  it('gives a gap of 0 for equal or unknown times', () => {
    const C = seq([1, 2, 3], [1, 1, 1], [T0, T0, Number.NaN]);
    // Inference reads every movie: position 2 reads items[1] (same second as items[0]), position 3 items[2]
    // (unknown time).
    const steps = stepRows(inferenceBatch([C], 10, 0).steps, 1, 4)[0]!;
    expect(steps[2]).toEqual([1, 1, 0]);
    expect(steps[3]).toEqual([1, 1, 0]);
    // B's items[1] follows an item with an unknown time.
    expect(stepRows(inferenceBatch([B], 10, 0).steps, 1, 3)[0]![2]).toEqual([0.5, 1, 0]);
  });

  it('a window that starts inside the history reads the movie before it and has a loss only from lossFrom', () => {
    const S = seq([10, 11, 12, 13, 14, 15, 16], [0, 0.25, 0.5, 0.75, 1, 0.5, 0]);
    const b = trainingBatch([S], [{ sequence: 0, start: 3, end: 7, lossFrom: 5 }], 0);
    // positions 3..6 read items[2..5] = 12..15 → tokens 14..17
    expect(Array.from(b.tokens)).toEqual([14, 15, 16, 17]);
    expect(Array.from(b.lossIndex)).toEqual([2, 3]); // positions 5, 6 at offsets 5 − 3, 6 − 3
    expect(Array.from(b.targets)).toEqual([15, 16]);
    expect(Array.from(b.ratingTargets)).toEqual([0.5, 0]);
    expect(stepRows(b.steps, 1, 4)[0]!.map((s) => s[0])).toEqual([0.5, 0.75, 1, 0.5]);
  });

  it('copies profiles per row (zeros where a sequence has none)', () => {
    const b = trainingBatch(
      [A, B],
      [
        { sequence: 1, start: 0, end: 2, lossFrom: 0 },
        { sequence: 0, start: 0, end: 4, lossFrom: 0 },
      ],
      2,
    );
    expect(b.profiles).toBeDefined();
    expect(Array.from(b.profiles!)).toEqual([Math.fround(0.1), Math.fround(0.2), 0, 0]);
  });
});

describe('inferenceBatch', () => {
  it('reads the whole history after BOS and points lastIndex at the last position', () => {
    const b = inferenceBatch([A], 10, 0);
    // A history of 4 has positions 0..4; position 4 reads the last movie.
    expect(b.length).toBe(5);
    expect(Array.from(b.tokens)).toEqual([1, 6, 2, 9, 3]);
    expect(Array.from(b.lastIndex)).toEqual([4]);
    const steps = stepRows(b.steps, 1, 5)[0]!;
    expect(steps[4]).toEqual([1, 1, 0]); // reads items[3]: rating 1, same second as items[2]
  });

  it('keeps only the last maxLength positions of a long history (BOS dropped)', () => {
    const b = inferenceBatch([A], 3, 0);
    // positions 0..4, keep 2..4: they read items[1..3] = 0, 7, 1 → tokens 2, 9, 3
    expect(b.length).toBe(3);
    expect(Array.from(b.tokens)).toEqual([2, 9, 3]);
    expect(Array.from(b.lastIndex)).toEqual([2]);
    // The whole-history bag still lists every movie.
    expect(Array.from(b.historyItems)).toEqual(Array.from(A.items));
    expect(Array.from(b.historyOffsets)).toEqual([0, 4]);
    const steps = stepRows(b.steps, 1, 3)[0]!;
    expect(steps[0]![2]).toBeCloseTo(GAP_1_DAY, 6);
  });

  it('an empty history is just BOS; rows of different lengths are padded after their end', () => {
    const empty = seq([]);
    const one = inferenceBatch([empty], 10, 0);
    expect(one.length).toBe(1);
    expect(Array.from(one.tokens)).toEqual([BOS_TOKEN]);
    expect(Array.from(one.lastIndex)).toEqual([0]);
    expect(Array.from(one.steps)).toEqual([0, 0, 0]);

    const two = inferenceBatch([empty, A, B], 10, 2);
    expect(two.length).toBe(5);
    expect(Array.from(two.tokens)).toEqual([1, 0, 0, 0, 0, 1, 6, 2, 9, 3, 1, 5, 7, 0, 0]);
    // row r's last position: r·5 + (positions − 1) = 0, 5 + 4, 10 + 2
    expect(Array.from(two.lastIndex)).toEqual([0, 9, 12]);
    expect(Array.from(two.historyItems)).toEqual([...A.items, ...B.items]);
    expect(Array.from(two.historyOffsets)).toEqual([0, 0, 4, 4 + B.items.length]);
    expect(Array.from(two.profiles!)).toEqual([0, 0, 0, 0, Math.fround(0.1), Math.fround(0.2)]);
  });
});

describe('tasteBatch', () => {
  it('reads the kept part and weighs every held-out movie 1 / |held out|', () => {
    const kept: EncodedSequence = {
      items: Int32Array.of(0, 2),
      ratings: Float32Array.of(1, 0.5),
      times: Float64Array.of(T0, T0 + DAY),
    };
    const batch = tasteBatch(
      [kept, { items: new Int32Array(0), ratings: new Float32Array(0), times: new Float64Array(0) }],
      [
        { items: Int32Array.of(1, 3), ratings: Float32Array.of(0.75, Number.NaN) },
        { items: Int32Array.of(0, 1, 2), ratings: Float32Array.of(0, 0.25, 1) },
      ],
      4,
      10,
      0,
    );
    expect(batch.kind).toBe('taste');
    // Row 0 holds out movies 1 and 3 (½ each); row 1 holds out 0, 1, 2 (⅓ each).
    expect(Array.from(batch.targetWeights)).toEqual(
      [0, 0.5, 0, 0.5, 1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround),
    );
    // Ratings are trained where known: row 0 movie 1; row 1 movies 0, 1, 2 (movie 3's rating is unknown).
    expect(Array.from(batch.ratingRows)).toEqual([0, 1, 1, 1]);
    expect(Array.from(batch.ratingItems)).toEqual([1, 0, 1, 2]);
    expect(Array.from(batch.ratingTargets)).toEqual([0.75, 0, 0.25, 1]);
    // Inputs as in inferenceBatch: row 0 reads BOS, movie 0, movie 2; row 1 (nothing kept) reads BOS alone.
    expect(Array.from(batch.tokens.subarray(0, 3))).toEqual([BOS_TOKEN, 0 + TOKEN_OFFSET, 2 + TOKEN_OFFSET]);
    expect(batch.tokens[3]).toBe(BOS_TOKEN);
    expect(Array.from(batch.lastIndex)).toEqual([2, 3]);
  });
});
