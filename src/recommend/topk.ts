/**
 * Top-K selection over a score array: a size-K min-heap, O(n log K), with deterministic tie-breaking.
 *
 * @module
 */
import { ConfigError } from '../errors';

/** Options of {@link topK}. */
export interface TopKOptions {
  /**
   * Indices (positions in `scores`) never to return, e.g. the movies a user has already rated. Indices outside
   * `0..scores.length - 1` are ignored.
   */
  exclude?: ArrayLike<number> | ReadonlySet<number>;
}

/** What {@link topK} returns: positions and their scores, best first. */
export interface TopKResult {
  /** Positions in the score array, best first. */
  indices: Int32Array;
  /** The scores at those positions, in the same order. */
  scores: Float32Array;
}

/**
 * The `k` highest scores, best first. Equal scores are ordered by lower index first, so the result depends on
 * nothing but the input. Scores that are `NaN` or `-Infinity` (a model's "cannot score") are never returned, nor
 * are excluded indices; fewer than `k` results come back when fewer positions qualify. `k = 0` gives empty
 * arrays.
 *
 * Runs a size-`k` min-heap over the array (O(n log k) time, O(k) extra memory) instead of sorting it.
 *
 * @param scores one score per position (e.g. per candidate movie); higher is better.
 * @param k how many to keep; a non-negative integer.
 * @param options `exclude`: positions to skip.
 * @throws {ConfigError} when `k` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { topK } from 'reelrec';
 * const { indices, scores } = topK([0.2, 0.9, 0.5, 0.9, -Infinity], 3, { exclude: [2] });
 * console.log(Array.from(indices)); // [1, 3, 0]  (0.9 at 1 and 3: the lower index first)
 * console.log(Array.from(scores)); // [0.9…, 0.9…, 0.2…] (as float32)
 * ```
 */
export function topK(scores: ArrayLike<number>, k: number, options: TopKOptions = {}): TopKResult {
  if (!Number.isInteger(k) || k < 0) throw new ConfigError('k', 'a non-negative integer', k);
  const n = scores.length;
  const excluded = excludeMask(n, options.exclude);
  const cap = Math.min(k, n);
  // Min-heap by "worse first": lower score, or equal score and higher index.
  const heapIdx = new Int32Array(cap);
  const heapScore = new Float64Array(cap);
  let size = 0;
  if (cap > 0) {
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      // NaN fails every comparison: `!(s > -Infinity)` is true for NaN and -Infinity alike.
      if (!(s > Number.NEGATIVE_INFINITY)) continue;
      if (excluded !== null && excluded[i] === 1) continue;
      if (size < cap) {
        heapIdx[size] = i;
        heapScore[size] = s;
        siftUp(heapIdx, heapScore, size);
        size++;
      } else if (s > heapScore[0]!) {
        // Equal scores never replace the root: the root has a lower index than `i` (indices arrive ascending).
        heapIdx[0] = i;
        heapScore[0] = s;
        siftDown(heapIdx, heapScore, size, 0);
      }
    }
  }
  // Pop worst-first into the back of the output so it ends best-first.
  const indices = new Int32Array(size);
  const out = new Float32Array(size);
  for (let end = size - 1; end >= 0; end--) {
    indices[end] = heapIdx[0]!;
    out[end] = heapScore[0]!;
    heapIdx[0] = heapIdx[end]!;
    heapScore[0] = heapScore[end]!;
    siftDown(heapIdx, heapScore, end, 0);
  }
  return { indices, scores: out };
}

/** True when entry `a` ranks below entry `b` (lower score, or equal score and higher index). */
function worse(idx: Int32Array, score: Float64Array, a: number, b: number): boolean {
  const sa = score[a]!;
  const sb = score[b]!;
  return sa < sb || (sa === sb && idx[a]! > idx[b]!);
}

function swap(idx: Int32Array, score: Float64Array, a: number, b: number): void {
  const ti = idx[a]!;
  idx[a] = idx[b]!;
  idx[b] = ti;
  const ts = score[a]!;
  score[a] = score[b]!;
  score[b] = ts;
}

function siftUp(idx: Int32Array, score: Float64Array, pos: number): void {
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (!worse(idx, score, pos, parent)) return;
    swap(idx, score, pos, parent);
    pos = parent;
  }
}

function siftDown(idx: Int32Array, score: Float64Array, size: number, pos: number): void {
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= size) return;
    const right = left + 1;
    const child = right < size && worse(idx, score, right, left) ? right : left;
    if (!worse(idx, score, child, pos)) return;
    swap(idx, score, pos, child);
    pos = child;
  }
}

function excludeMask(n: number, exclude: TopKOptions['exclude']): Uint8Array | null {
  if (exclude === undefined) return null;
  const mask = new Uint8Array(n);
  const mark = (i: number): void => {
    if (Number.isInteger(i) && i >= 0 && i < n) mask[i] = 1;
  };
  if (isSet(exclude)) for (const i of exclude) mark(i);
  else for (let j = 0; j < exclude.length; j++) mark(exclude[j]!);
  return mask;
}

function isSet(x: ArrayLike<number> | ReadonlySet<number>): x is ReadonlySet<number> {
  return typeof (x as ReadonlySet<number>).has === 'function';
}
