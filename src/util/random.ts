/**
 * Seeded random numbers. Every random choice in reelrec (splits, shuffles, synthetic data, sampling) draws
 * from an {@link Rng} made from the run's seed, so the same seed gives the same result.
 *
 * @module
 */
import seedrandom from 'seedrandom';

/**
 * A seeded pseudo-random generator (the Alea algorithm from the `seedrandom` package) with the helpers
 * a recommender needs.
 *
 * @example
 * ```ts
 * import { Rng } from 'reelrec';
 * const rng = new Rng(42);
 * const order = rng.shuffle([1, 2, 3, 4]);
 * const coin = rng.next() < 0.5;
 * ```
 */
export class Rng {
  private readonly prng: seedrandom.PRNG;
  private spareNormal: number | null = null;

  /** @param seed any number or string; the same seed gives the same sequence. */
  constructor(seed: number | string) {
    this.prng = seedrandom.alea(String(seed));
  }

  /** A float in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** A 32-bit unsigned integer, e.g. to seed a tfjs initializer. */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** Shuffles a typed array in place and returns it. */
  shuffleInPlace<
    A extends {
      /** Number of elements. */
      length: number;
      [i: number]: number;
    },
  >(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A new generator whose stream depends on this seed and `label`, so parts of a run stay independent. */
  fork(label: string): Rng {
    return new Rng(`${this.uint32()}:${label}`);
  }
}
