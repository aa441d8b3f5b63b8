/**
 * Sampling from a fixed discrete distribution in O(1) per draw (Vose's alias method).
 *
 * @module
 */
import { ConfigError } from '../errors';
import type { Rng } from './random';

/**
 * Draws indices with probability proportional to fixed non-negative weights: O(n) to build, O(1) a draw.
 *
 * @example
 * ```ts
 * import { AliasSampler, Rng } from 'reelrec';
 * const sampler = new AliasSampler([1, 2, 7]);
 * const rng = new Rng(42);
 * const draws = Array.from({ length: 5 }, () => sampler.sample(rng)); // mostly 2
 * console.log(sampler.probability(2)); // 0.7
 * ```
 */
export class AliasSampler {
  private readonly accept: Float64Array;
  private readonly alias: Int32Array;
  private readonly probabilities: Float64Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new ConfigError('weights', 'finite numbers ≥ 0', w);
      total += w;
    }
    if (!(total > 0)) throw new ConfigError('weights', 'at least one positive weight', total);
    this.probabilities = Float64Array.from({ length: n }, (_, i) => weights[i]! / total);
    this.accept = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = Float64Array.from(this.probabilities, (p) => p * n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => {
      (p < 1 ? small : large).push(i);
    });
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.accept[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.accept[i] = 1;
      this.alias[i] = i;
    }
  }

  /** Number of outcomes. */
  get size(): number {
    return this.accept.length;
  }

  /** The probability of outcome `i`. */
  probability(i: number): number {
    return this.probabilities[i]!;
  }

  /** One draw. */
  sample(rng: Rng): number {
    const column = rng.int(this.accept.length);
    return rng.next() < this.accept[column]! ? column : this.alias[column]!;
  }

  /** `count` draws (with replacement). */
  sampleMany(rng: Rng, count: number): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.sample(rng);
    return out;
  }
}
