/**
 * From users' time-ordered histories to the model's input arrays: training windows, padded batches and
 * step features. Plain typed arrays only; the model turns them into tensors.
 *
 * Token ids: 0 pads, 1 is the begin-of-sequence token (its step carries only the user's profile), and movie
 * index `i` (0-based in the model's catalog) is token `i + 2`. Position `p` of a sequence reads token
 * `p === 0 ? BOS : items[p − 1] + 2` and predicts `items[p]`, so the first movie is predicted from the profile
 * alone — the same computation that serves a user with no history.
 *
 * @module
 */

/**
 * The padding token id: the positions after a shorter sequence's end.
 *
 * @example
 * ```ts
 * import { PAD_TOKEN } from 'reelrec';
 * console.log(PAD_TOKEN); // 0
 * ```
 */
export const PAD_TOKEN = 0;
/**
 * The begin-of-sequence token: position 0 of every full history reads it, with only the user's profile.
 *
 * @example
 * ```ts
 * import { BOS_TOKEN } from 'reelrec';
 * console.log(BOS_TOKEN); // 1
 * ```
 */
export const BOS_TOKEN = 1;
/**
 * Offset from a movie index to its token id.
 *
 * @example
 * ```ts
 * import { TOKEN_OFFSET } from 'reelrec';
 * const movieIndex = 4;
 * console.log(movieIndex + TOKEN_OFFSET); // 6, the token that reads movie index 4
 * ```
 */
export const TOKEN_OFFSET = 2;

/**
 * Number of step features: scaled rating of the input movie, "rating known" flag, time gap.
 *
 * @example
 * ```ts
 * import { inferenceBatch, STEP_FEATURES } from 'reelrec';
 * const seq = { items: Int32Array.of(4), ratings: Float32Array.of(1), times: Float64Array.of(0) };
 * const batch = inferenceBatch([seq], 50, 0);
 * console.log(batch.steps.length === batch.rows * batch.length * STEP_FEATURES); // true
 * ```
 */
export const STEP_FEATURES = 3;

/** Seconds in a day. */
const DAY = 86_400;
/** Gaps are fed as `log1p(days) / log1p(365)`: 0 for the same day, 1 for a year. */
const GAP_SCALE = 1 / Math.log1p(365);

/** One user's history in model terms. */
export interface EncodedSequence {
  /** Movie indices (0-based, the model's catalog) in time order. */
  items: Int32Array;
  /** Ratings scaled to [0, 1]; NaN where unknown. */
  ratings: Float32Array;
  /** Unix seconds; NaN where unknown. */
  times: Float64Array;
  /** The user's profile vector (length = the model's profile size), when profiles are used. */
  profile?: Float32Array;
}

/** A slice of one sequence: positions `[start, end)`, with a loss on positions `>= lossFrom`. */
export interface Window {
  /** Index of the sequence in the array given to {@link trainingWindows}. */
  sequence: number;
  /** First position of the slice. */
  start: number;
  /** One past the last position of the slice. */
  end: number;
  /** First position with a loss (earlier positions are context only). */
  lossFrom: number;
}

/**
 * Cuts every sequence into training windows of at most `maxLength` positions, from the end backwards with
 * stride `stride`: each target is trained exactly once per epoch, with at least `maxLength − stride` positions
 * of context when the history is long enough.
 *
 * @example
 * ```ts
 * import { type EncodedSequence, trainingWindows } from 'reelrec';
 * const seq: EncodedSequence = {
 *   items: Int32Array.of(4, 0, 7, 2, 5),
 *   ratings: Float32Array.of(1, 0.5, Number.NaN, 0.75, 1),
 *   times: Float64Array.of(0, 86_400, 86_400, 172_800, 259_200),
 * };
 * // 5 positions, maxLength 3, stride 2: [2, 5) with a loss on 3 and 4, then [0, 3) with a loss on 0, 1, 2
 * console.log(trainingWindows([seq], 3, 2));
 * // [{ sequence: 0, start: 2, end: 5, lossFrom: 3 }, { sequence: 0, start: 0, end: 3, lossFrom: 0 }]
 * ```
 */
export function trainingWindows(
  sequences: readonly EncodedSequence[],
  maxLength: number,
  stride: number,
): Window[] {
  const windows: Window[] = [];
  sequences.forEach((seq, sequence) => {
    const n = seq.items.length;
    let end = n;
    while (end > 0) {
      const start = Math.max(0, end - maxLength);
      windows.push({ sequence, start, end, lossFrom: start === 0 ? 0 : end - stride });
      if (start === 0) break;
      end -= stride;
    }
  });
  return windows;
}

/** Model inputs for a batch, as flat row-major arrays. */
export interface BatchArrays {
  /** Rows in the batch. */
  rows: number;
  /** Padded length. */
  length: number;
  /** `[rows × length]` token ids. */
  tokens: Int32Array;
  /** `[rows × length × STEP_FEATURES]`. */
  steps: Float32Array;
  /** `[rows × profileSize]`, when profiles are used. */
  profiles?: Float32Array;
}

/** A training batch: inputs plus, for every position with a loss, its flat index and targets. */
export interface TrainingBatchArrays extends BatchArrays {
  /** Flat indices (`row × length + position`) of the positions with a loss. */
  lossIndex: Int32Array;
  /** Target movie index of each loss position. */
  targets: Int32Array;
  /** Scaled rating of each target (0 where unknown). */
  ratingTargets: Float32Array;
  /** 1 where the target's rating is known. */
  ratingMask: Float32Array;
  /** Negatives shared by the batch (movie indices), for the sampled losses. */
  negatives?: Int32Array;
  /** log(expected count of each negative under the proposal), for the sampled softmax's correction. */
  negativeLogQ?: Float32Array;
  /** The same for each target. */
  targetLogQ?: Float32Array;
}

function fillInputs(
  seq: EncodedSequence,
  start: number,
  end: number,
  row: number,
  length: number,
  tokens: Int32Array,
  steps: Float32Array,
): void {
  for (let p = start; p < end; p++) {
    const flat = row * length + (p - start);
    if (p === 0) {
      tokens[flat] = BOS_TOKEN;
      continue;
    }
    const prev = p - 1;
    tokens[flat] = seq.items[prev]! + TOKEN_OFFSET;
    const rating = seq.ratings[prev]!;
    const f = flat * STEP_FEATURES;
    if (!Number.isNaN(rating)) {
      steps[f] = rating;
      steps[f + 1] = 1;
    }
    if (prev > 0) {
      const gap = seq.times[prev]! - seq.times[prev - 1]!;
      if (Number.isFinite(gap) && gap > 0) steps[f + 2] = Math.log1p(gap / DAY) * GAP_SCALE;
    }
  }
}

function fillProfiles(
  sequences: readonly EncodedSequence[],
  which: readonly number[],
  profileSize: number,
): Float32Array | undefined {
  if (profileSize === 0) return undefined;
  const out = new Float32Array(which.length * profileSize);
  which.forEach((s, row) => {
    const p = sequences[s]!.profile;
    if (p) out.set(p.subarray(0, profileSize), row * profileSize);
  });
  return out;
}

/**
 * Builds a padded training batch from windows.
 *
 * @example
 * ```ts
 * import { type EncodedSequence, trainingBatch, trainingWindows } from 'reelrec';
 * const seq: EncodedSequence = {
 *   items: Int32Array.of(4, 0, 7, 2, 5),
 *   ratings: Float32Array.of(1, 0.5, Number.NaN, 0.75, 1),
 *   times: Float64Array.of(0, 86_400, 86_400, 172_800, 259_200),
 * };
 * const batch = trainingBatch([seq], trainingWindows([seq], 3, 2), 0);
 * // row 0 reads positions 2–4 (movies 0, 7, 2 + TOKEN_OFFSET); row 1 reads BOS, then movies 4 and 0
 * console.log(batch.tokens); // Int32Array [2, 9, 4, 1, 6, 2]
 * console.log(batch.targets); // Int32Array [2, 5, 4, 0, 7]
 * ```
 */
export function trainingBatch(
  sequences: readonly EncodedSequence[],
  windows: readonly Window[],
  profileSize: number,
): TrainingBatchArrays {
  const rows = windows.length;
  let length = 1;
  let lossCount = 0;
  for (const w of windows) {
    length = Math.max(length, w.end - w.start);
    lossCount += w.end - w.lossFrom;
  }
  const tokens = new Int32Array(rows * length);
  const steps = new Float32Array(rows * length * STEP_FEATURES);
  const lossIndex = new Int32Array(lossCount);
  const targets = new Int32Array(lossCount);
  const ratingTargets = new Float32Array(lossCount);
  const ratingMask = new Float32Array(lossCount);
  let k = 0;
  windows.forEach((w, row) => {
    const seq = sequences[w.sequence]!;
    fillInputs(seq, w.start, w.end, row, length, tokens, steps);
    for (let p = w.lossFrom; p < w.end; p++) {
      lossIndex[k] = row * length + (p - w.start);
      targets[k] = seq.items[p]!;
      const r = seq.ratings[p]!;
      if (!Number.isNaN(r)) {
        ratingTargets[k] = r;
        ratingMask[k] = 1;
      }
      k++;
    }
  });
  const profiles = fillProfiles(
    sequences,
    windows.map((w) => w.sequence),
    profileSize,
  );
  return { rows, length, tokens, steps, profiles, lossIndex, targets, ratingTargets, ratingMask };
}

/** An inference batch: inputs plus the flat index of each row's last position (whose state scores the row). */
export interface InferenceBatchArrays extends BatchArrays {
  /** Flat index (`row × length + position`) of each row's last position. */
  lastIndex: Int32Array;
  /**
   * Every movie each row has read, however long the history (the recurrence reads only the last `maxLength`
   * positions): row r's movies are `historyItems[historyOffsets[r] … historyOffsets[r + 1])`. What the
   * whole-history encoder reads (`model.historySize`).
   */
  historyItems: Int32Array;
  /** `[rows + 1]` offsets into `historyItems`. */
  historyOffsets: Int32Array;
}

/**
 * Builds a batch that reads each sequence to its end (the last `maxLength` positions, BOS first when the whole
 * history fits), so the state at the last position predicts the user's next movie.
 *
 * @example
 * ```ts
 * import { inferenceBatch } from 'reelrec';
 * const seq = {
 *   items: Int32Array.of(4, 0, 7, 2, 5),
 *   ratings: Float32Array.of(1, 0.5, Number.NaN, 0.75, 1),
 *   times: Float64Array.of(0, 86_400, 86_400, 172_800, 259_200),
 * };
 * const batch = inferenceBatch([seq], 50, 0);
 * console.log(batch.tokens); // Int32Array [1, 6, 2, 9, 4, 7]: BOS, then every movie + TOKEN_OFFSET
 * console.log(batch.lastIndex); // Int32Array [5]
 * ```
 */
export function inferenceBatch(
  sequences: readonly EncodedSequence[],
  maxLength: number,
  profileSize: number,
): InferenceBatchArrays {
  const rows = sequences.length;
  // A history of n movies has positions 0..n; position n reads the last movie.
  const spans = sequences.map((s) => {
    const end = s.items.length + 1;
    return { start: Math.max(0, end - maxLength), end };
  });
  const length = Math.max(1, ...spans.map((s) => s.end - s.start));
  const tokens = new Int32Array(rows * length);
  const steps = new Float32Array(rows * length * STEP_FEATURES);
  const lastIndex = new Int32Array(rows);
  sequences.forEach((seq, row) => {
    const { start, end } = spans[row]!;
    fillInputs(seq, start, end, row, length, tokens, steps);
    lastIndex[row] = row * length + (end - start - 1);
  });
  const profiles = fillProfiles(
    sequences,
    sequences.map((_, i) => i),
    profileSize,
  );
  const historyOffsets = new Int32Array(rows + 1);
  sequences.forEach((seq, row) => {
    historyOffsets[row + 1] = historyOffsets[row]! + seq.items.length;
  });
  const historyItems = new Int32Array(historyOffsets[rows]!);
  sequences.forEach((seq, row) => {
    historyItems.set(seq.items, historyOffsets[row]!);
  });
  return { rows, length, tokens, steps, profiles, lastIndex, historyItems, historyOffsets };
}

/**
 * A batch of the taste objective: each row reads a user's history with part of it held out (inputs as in
 * {@link inferenceBatch}), and its last state must predict the held-out movies — a multinomial over the catalog
 * with weight `1 / |held out|` on each — and, through the rating head, their ratings.
 */
export interface TasteBatchArrays extends InferenceBatchArrays {
  /** Tells a taste batch from a next-movie batch. */
  kind: 'taste';
  /** Movies in the model's catalog (the width of `targetWeights`). */
  numItems: number;
  /** `[rows × numItems]`: `1 / |held out|` on each held-out movie of the row. */
  targetWeights: Float32Array;
  /** Row of each held-out movie with a known rating. */
  ratingRows: Int32Array;
  /** Catalog index of each of those movies. */
  ratingItems: Int32Array;
  /** Its scaled rating. */
  ratingTargets: Float32Array;
}

/** What a taste row holds out: movie indices and their scaled ratings (NaN where unknown). */
export interface HeldOut {
  /** Movie indices (the model's catalog). */
  items: Int32Array;
  /** Their scaled ratings, NaN where unknown. */
  ratings: Float32Array;
}

/**
 * Builds a taste batch: `inputs[r]` is what row r reads (the kept part of a history, in time order),
 * `heldOut[r]` what it must predict.
 *
 * @example
 * ```ts
 * import { tasteBatch } from 'reelrec';
 * const kept = { items: Int32Array.of(0, 2), ratings: Float32Array.of(1, 0.5), times: Float64Array.of(0, 60) };
 * const batch = tasteBatch([kept], [{ items: Int32Array.of(1, 3), ratings: Float32Array.of(0.75, Number.NaN) }], 4, 20, 0);
 * console.log(Array.from(batch.targetWeights)); // [0, 0.5, 0, 0.5]
 * ```
 */
export function tasteBatch(
  inputs: readonly EncodedSequence[],
  heldOut: readonly HeldOut[],
  numItems: number,
  maxLength: number,
  profileSize: number,
): TasteBatchArrays {
  const base = inferenceBatch(inputs, maxLength, profileSize);
  const targetWeights = new Float32Array(inputs.length * numItems);
  const rows: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  heldOut.forEach((h, r) => {
    const w = 1 / Math.max(1, h.items.length);
    h.items.forEach((item, j) => {
      targetWeights[r * numItems + item] = w;
      const rating = h.ratings[j]!;
      if (!Number.isNaN(rating)) {
        rows.push(r);
        items.push(item);
        ratings.push(rating);
      }
    });
  });
  return {
    ...base,
    kind: 'taste',
    numItems,
    targetWeights,
    ratingRows: Int32Array.from(rows),
    ratingItems: Int32Array.from(items),
    ratingTargets: Float32Array.from(ratings),
  };
}
