/**
 * Closed-form item-to-item weights (EASE) and the scale that turns them into softmax logits: shared by the EASE
 * baseline and by the RNN's movie-to-movie path when it starts from them (`model.historyLinearInit: 'ease'`).
 *
 * @module
 */
import { invertSpdInPlace } from '../util/linalg';
import { Rng } from '../util/random';

/**
 * Users' distinct items in compressed rows: user u's items are `items[offsets[u] … offsets[u + 1])`, each
 * item an index in `[0, numItems)` listed at most once per user.
 */
export interface ItemRows {
  offsets: Int32Array;
  items: Int32Array;
}

/**
 * Each user's distinct items of `rows` (a user's repeated items counted once, as in the binary user–item
 * matrix), in first-seen order, or ascending when `sorted`.
 */
export function distinctItemRows(rows: ItemRows, numItems: number, sorted = false): ItemRows {
  const seen = new Int32Array(numItems).fill(-1);
  const offsets = new Int32Array(rows.offsets.length);
  const out: number[] = [];
  for (let u = 0; u + 1 < rows.offsets.length; u++) {
    const start = out.length;
    for (let p = rows.offsets[u]!; p < rows.offsets[u + 1]!; p++) {
      const i = rows.items[p]!;
      if (seen[i] === u) continue;
      seen[i] = u;
      out.push(i);
    }
    offsets[u + 1] = out.length;
    if (sorted) {
      const mine = out.slice(start).sort((a, b) => a - b);
      for (let t = 0; t < mine.length; t++) out[start + t] = mine[t]!;
    }
  }
  return { offsets, items: Int32Array.from(out) };
}

/** What {@link easeWeights} costs for `numItems` movies, for the errors that refuse large catalogs. */
export function easeCost(numItems: number): string {
  const gb = ((8 * numItems * numItems) / 1e9).toFixed(1);
  return `dense ${numItems}×${numItems} matrix would take ${gb} GB and about ${(numItems ** 3 / 2).toExponential(1)} multiply-adds`;
}

/**
 * EASE^R's item–item weights (Steck, WWW 2019) for the binary user–item matrix X given as `rows`:
 * P = (XᵀX + λI)⁻¹ and B_ij = −P_ij / P_jj with B_jj = 0 (the ridge regression of each item on all the
 * others). `numItems`² doubles of memory and about `numItems`³/2 multiply-adds. An item no user has gets a
 * zero row and column.
 *
 * @returns B, `numItems × numItems` row-major (row: the item read, column: the item scored).
 */
export function easeWeights(rows: ItemRows, numItems: number, lambda: number): Float32Array {
  const M = numItems;
  const { offsets, items } = rows;
  const G = new Float64Array(M * M);
  for (let u = 0; u + 1 < offsets.length; u++) {
    // Lower triangle of XᵀX: the inversion reads no more.
    for (let p = offsets[u]!; p < offsets[u + 1]!; p++) {
      const a = items[p]!;
      for (let q = offsets[u]!; q < offsets[u + 1]!; q++) if (items[q]! <= a) G[a * M + items[q]!]!++;
    }
  }
  for (let i = 0; i < M; i++) G[i * M + i]! += lambda;
  invertSpdInPlace(G, M);
  const B = new Float32Array(M * M);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) if (i !== j) B[i * M + j] = -G[i * M + j]! / G[j * M + j]!;
  }
  return B;
}

/** Candidate scales of {@link fitBagScale}: 2^(k/2) for k = −4 … 24 (0.25 … 4,096). */
const SCALES = Array.from({ length: 29 }, (_, k) => 2 ** ((k - 4) / 2));

/**
 * The scale α under which `bias + α · bag · B` best predicts held-out items with a softmax over the catalog:
 * each user with at least two items has a seeded fifth of them (at least one) held out, the rest form the bag
 * (each weighted 1/√n as the RNN's whole-history bag, or 1 with `bag` `'binary'`), and α is the candidate (0.25 … 4,096, steps of √2)
 * with the least mean cross-entropy of the held-out items. B was fitted on every item, held-out ones included,
 * so α leans slightly high; the network's training corrects it.
 *
 * @param bias `[numItems]` logits beside the path (e.g. log popularity), or zeros.
 */
export function fitBagScale(
  rows: ItemRows,
  B: Float32Array,
  numItems: number,
  bias: Float32Array,
  seed: number,
  bag: 'sqrt' | 'binary' = 'sqrt',
): number {
  const M = numItems;
  const rng = new Rng(`${seed}:bag-scale`);
  const scores: Float64Array[] = [];
  const held: number[][] = [];
  for (let u = 0; u + 1 < rows.offsets.length; u++) {
    const mine = Array.from(rows.items.subarray(rows.offsets[u]!, rows.offsets[u + 1]!));
    if (mine.length < 2) continue;
    rng.shuffle(mine);
    const cut = Math.max(1, Math.round(mine.length / 5));
    const s = new Float64Array(M);
    const w = bag === 'binary' ? 1 : 1 / Math.sqrt(mine.length - cut);
    for (let p = cut; p < mine.length; p++) {
      const base = mine[p]! * M;
      for (let j = 0; j < M; j++) s[j]! += w * B[base + j]!;
    }
    scores.push(s);
    held.push(mine.slice(0, cut));
  }
  if (scores.length === 0) return 1;
  let best = SCALES[0]!;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const alpha of SCALES) {
    let loss = 0;
    let count = 0;
    scores.forEach((s, r) => {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < M; j++) max = Math.max(max, bias[j]! + alpha * s[j]!);
      let sum = 0;
      for (let j = 0; j < M; j++) sum += Math.exp(bias[j]! + alpha * s[j]! - max);
      const logZ = max + Math.log(sum);
      for (const i of held[r]!) {
        loss += logZ - (bias[i]! + alpha * s[i]!);
        count++;
      }
    });
    loss /= count;
    if (loss < bestLoss) {
      bestLoss = loss;
      best = alpha;
    }
  }
  return best;
}
