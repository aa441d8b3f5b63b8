/**
 * BPR matrix factorisation (Rendle et al. 2009) fitted by SGD with uniform negative sampling, in plain JS.
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset } from '../../data/types';
import type { EpochLog, FitOptions, FitSummary, Scorer, UserHistory } from '../../recommend/types';
import { Rng } from '../../util/random';
import {
  baselineSummary,
  checkNumber,
  distinctUserItems,
  historyItems,
  requireFitted,
  UserRatings,
} from './common';

/**
 * Options of {@link BprMfBaseline}. The defaults were chosen on an inner split of protocol T's training ratings
 * of ML-100k (those ratings split again 75/25 with seed 43; the test ratings never seen): over 53 settings of
 * factors 32–200, 10–150 epochs, learning rate 0.01–0.1 and regularization 0.001–0.1, inner NDCG@10 ranged
 * 0.161–0.256 (see `docs/reports.md`).
 */
export interface BprMfOptions {
  /** Latent factors per user and movie. Default 128. */
  factors?: number;
  /** Passes over the training interactions (one sampled negative each). Default 100. */
  epochs?: number;
  /** SGD step size. Default 0.02. */
  learningRate?: number;
  /** L2 penalty on the parameters touched by each update. Default 0.03. */
  regularization?: number;
  /** Standard deviation of the normal initialisation of the factors. Default 0.1. */
  initStd?: number;
  /** Seed of the initialisation, the shuffles and the negative samples. Default 42. */
  seed?: number;
  /**
   * Passes over a history when folding in a user not seen in training (the item factors and biases stay
   * fixed; the user vector starts at zero). Default 30.
   */
  foldInEpochs?: number;
}

interface BprState {
  movies: MovieIndex;
  users: UserRatings;
  f: number;
  /** User factors, `f` per training user. */
  P: Float32Array;
  /** Movie factors, `f` per movie. */
  Q: Float32Array;
  /** Movie biases. */
  b: Float32Array;
}

/**
 * BPR-MF: score(u, i) = b_i + p_u·q_i, trained on the implicit matrix (every training rating is an
 * interaction, whatever its value) to rank each user's movies above the others. Each epoch visits every
 * (user, movie) interaction once in a seeded shuffle, samples a negative movie uniformly from the catalog
 * (redrawn while it is one of the user's movies) and takes one SGD step on −ln σ(x_uij) with
 * x_uij = b_i − b_j + p_u·(q_i − q_j), with an L2 penalty on the updated parameters. Deterministic for a `seed`.
 *
 * A `userId` seen in training uses its learned p_u. Any other history is folded in: p_u starts at zero and
 * takes `foldInEpochs` passes of the same SGD step over the history's known movies with item parameters fixed,
 * with negatives drawn from a generator seeded by `seed` (so the same history always gets the same vector);
 * an empty history scores b_i alone. Movies unknown at fit time score `-Infinity`. Ranking only.
 *
 * @example
 * ```ts
 * import { BprMfBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const bpr = new BprMfBaseline({ factors: 128, epochs: 100, seed: 42 });
 * const summary = await bpr.fit(train);
 * console.log(summary.history.map((e) => e.loss)); // mean −ln σ(x_uij) per epoch, falling
 * const [scores] = await bpr.score([{ userId: 1, items: [] }], [1, 2, 3]);
 * bpr.dispose();
 * ```
 */
export class BprMfBaseline implements Scorer {
  readonly name: string = 'bpr-mf';
  readonly kind = 'baseline' as const;
  private readonly factors: number;
  private readonly epochs: number;
  private readonly lr: number;
  private readonly reg: number;
  private readonly initStd: number;
  private readonly seed: number;
  private readonly foldInEpochs: number;
  private state: BprState | null = null;

  constructor(options: BprMfOptions = {}) {
    this.factors = checkNumber('factors', options.factors ?? 128, { integer: true, min: 1 });
    this.epochs = checkNumber('epochs', options.epochs ?? 100, { integer: true, min: 1 });
    this.lr = checkNumber('learningRate', options.learningRate ?? 0.02, { min: 0, exclusiveMin: true });
    this.reg = checkNumber('regularization', options.regularization ?? 0.03, { min: 0 });
    this.initStd = checkNumber('initStd', options.initStd ?? 0.1, { min: 0 });
    this.seed = checkNumber('seed', options.seed ?? 42, {});
    this.foldInEpochs = checkNumber('foldInEpochs', options.foldInEpochs ?? 30, { integer: true, min: 0 });
  }

  /**
   * Runs the SGD epochs. Each epoch's `loss` is the mean −ln σ(x_uij) of its samples, before each update.
   * Stops after the current epoch when `options.signal` aborts (`aborted: true`, the weights so far kept).
   */
  async fit(train: Dataset, options: FitOptions = {}): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const users = UserRatings.build(train.ratings, movies);
    const f = this.factors;
    const M = movies.size;
    const nUsers = users.userIds.length;
    const rng = new Rng(this.seed);
    const P = new Float32Array(nUsers * f);
    const Q = new Float32Array(M * f);
    for (let x = 0; x < P.length; x++) P[x] = rng.normal() * this.initStd;
    for (let x = 0; x < Q.length; x++) Q[x] = rng.normal() * this.initStd;
    const b = new Float32Array(M);
    const { offsets, items } = distinctUserItems(users, M, true);
    const n = items.length;
    const userOf = new Int32Array(n);
    for (let u = 0; u < nUsers; u++) userOf.fill(u, offsets[u]!, offsets[u + 1]!);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const state: BprState = { movies, users, f, P, Q, b };
    const history: EpochLog[] = [];
    let aborted = false;
    for (let epoch = 1; epoch <= this.epochs; epoch++) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = performance.now();
      rng.shuffleInPlace(order);
      let loss = 0;
      let steps = 0;
      for (let o = 0; o < n; o++) {
        const p = order[o]!;
        const u = userOf[p]!;
        const j = sampleNegative(rng, items, offsets[u]!, offsets[u + 1]!, M);
        if (j < 0) continue;
        loss += this.step(state, P, u * f, items[p]!, j, true);
        steps++;
      }
      const log: EpochLog = {
        epoch,
        loss: steps > 0 ? loss / steps : 0,
        seconds: (performance.now() - t0) / 1000,
      };
      log.positionsPerSecond = steps / Math.max(log.seconds, 1e-9);
      history.push(log);
      options.onEpochEnd?.(log);
    }
    this.state = state;
    return baselineSummary(start, history, aborted);
  }

  /** b_i + p_u·q_i of each candidate for each history; `-Infinity` for unknown movies. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const s = requireFitted(this.state, this.name);
    const idx = candidates.map((id) => s.movies.indexOf(id));
    return histories.map((h) => {
      const p = this.userVector(s, h);
      return Float32Array.from(idx, (i) => {
        if (i < 0) return Number.NEGATIVE_INFINITY;
        let dot = s.b[i]!;
        for (let k = 0; k < s.f; k++) dot += p[k]! * s.Q[i * s.f + k]!;
        return dot;
      });
    });
  }

  /** Drops the factors. */
  dispose(): void {
    this.state = null;
  }

  /** The learned user factors for a known user, else the folded-in ones (see the class notes). */
  private userVector(s: BprState, h: UserHistory): Float32Array {
    const u = h.userId === undefined ? -1 : s.users.indexOf(h.userId);
    if (u >= 0) return s.P.subarray(u * s.f, (u + 1) * s.f);
    const p = new Float32Array(s.f);
    const items = Int32Array.from(historyItems(h, s.movies, false).items).sort();
    if (items.length === 0 || items.length === s.movies.size) return p;
    const rng = new Rng(`${this.seed}:fold-in`);
    for (let epoch = 0; epoch < this.foldInEpochs; epoch++) {
      for (let t = 0; t < items.length; t++) {
        const j = sampleNegative(rng, items, 0, items.length, s.movies.size);
        this.step(s, p, 0, items[t]!, j, false);
      }
    }
    return p;
  }

  /**
   * One SGD step on −ln σ(x_uij) for the user vector at `P[uo .. uo + f]`, positive `i`, negative `j`.
   * Returns the loss before the step. With `updateItems` false only the user vector moves (fold-in).
   */
  private step(s: BprState, P: Float32Array, uo: number, i: number, j: number, updateItems: boolean): number {
    const { f, Q, b } = s;
    const io = i * f;
    const jo = j * f;
    let x = b[i]! - b[j]!;
    for (let k = 0; k < f; k++) x += P[uo + k]! * (Q[io + k]! - Q[jo + k]!);
    // σ(−x), and −ln σ(x) = ln(1 + e^(−x)) computed without overflow.
    const z = 1 / (1 + Math.exp(x));
    const loss = x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
    const lr = this.lr;
    const reg = this.reg;
    for (let k = 0; k < f; k++) {
      const pu = P[uo + k]!;
      const qi = Q[io + k]!;
      const qj = Q[jo + k]!;
      P[uo + k] = pu + lr * (z * (qi - qj) - reg * pu);
      if (updateItems) {
        Q[io + k] = qi + lr * (z * pu - reg * qi);
        Q[jo + k] = qj + lr * (-z * pu - reg * qj);
      }
    }
    if (updateItems) {
      b[i] = b[i]! + lr * (z - reg * b[i]!);
      b[j] = b[j]! + lr * (-z - reg * b[j]!);
    }
    return loss;
  }
}

/**
 * A movie index drawn uniformly from [0, M) that is not among `items[from .. to]` (sorted ascending), or -1
 * when the user has every movie.
 */
function sampleNegative(rng: Rng, items: Int32Array, from: number, to: number, M: number): number {
  if (to - from >= M) return -1;
  for (;;) {
    const j = rng.int(M);
    if (!sortedHas(items, from, to, j)) return j;
  }
}

function sortedHas(items: Int32Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = items[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
