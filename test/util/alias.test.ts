import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { AliasSampler } from '../../src/util/alias';
import { Rng } from '../../src/util/random';

/** A generator that always picks column `column` and then returns `u` as its uniform draw. */
function scripted(column: number, u: number): Rng {
  return { int: () => column, next: () => u } as unknown as Rng;
}

/**
 * The exact distribution the sampler's table encodes, read through `sample()` alone. A draw picks a column c
 * uniformly, then returns c while u < accept[c] and alias[c] otherwise; so column c gives c the mass accept[c] / n
 * and alias[c] the rest of its 1 / n. accept[c] is found by bisection on u (60 halvings: to 2⁻⁶⁰).
 */
function impliedProbabilities(sampler: AliasSampler): Float64Array {
  const n = sampler.size;
  const out = new Float64Array(n);
  const largestBelowOne = 1 - 2 ** -53;
  for (let c = 0; c < n; c++) {
    const draw = (u: number) => sampler.sample(scripted(c, u));
    const alias = draw(largestBelowOne);
    let accept: number;
    if (alias === c) accept = 1;
    else if (draw(0) !== c) accept = 0;
    else {
      let lo = 0;
      let hi = 1;
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (draw(mid) === c) lo = mid;
        else hi = mid;
      }
      accept = hi;
    }
    out[c]! += accept / n;
    out[alias]! += (1 - accept) / n;
  }
  return out;
}

describe('AliasSampler', () => {
  it('normalises the weights into probabilities (scale does not matter)', () => {
    // [1, 2, 7] / 10 = [0.1, 0.2, 0.7]; [2, 4, 14] / 20 is the same.
    for (const weights of [[1, 2, 7], [2, 4, 14], Float32Array.of(0.5, 1, 3.5)]) {
      const sampler = new AliasSampler(weights);
      expect(sampler.size).toBe(3);
      expect(sampler.probability(0)).toBeCloseTo(0.1, 12);
      expect(sampler.probability(1)).toBeCloseTo(0.2, 12);
      expect(sampler.probability(2)).toBeCloseTo(0.7, 12);
    }
  });

  it.each<[string, number[]]>([
    ['a negative weight', [1, -0.5, 2]],
    ['NaN', [1, Number.NaN]],
    ['Infinity', [Number.POSITIVE_INFINITY, 1]],
    ['all zeros', [0, 0, 0]],
    ['no weights', []],
  ])('refuses %s with a ConfigError on "weights"', (_, weights) => {
    let err: unknown;
    try {
      new AliasSampler(weights);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('weights');
  });

  it('its table encodes exactly the probabilities, zero weights included (small case)', () => {
    // weights [3, 0, 1, 6, 0, 10], total 20: p = [0.15, 0, 0.05, 0.3, 0, 0.5]
    const sampler = new AliasSampler([3, 0, 1, 6, 0, 10]);
    const expected = [0.15, 0, 0.05, 0.3, 0, 0.5];
    const implied = impliedProbabilities(sampler);
    expected.forEach((p, i) => {
      expect(sampler.probability(i)).toBeCloseTo(p, 12);
      expect(implied[i]).toBeCloseTo(p, 12);
    });
    // A zero-weight outcome's own column always hands over to its alias, and no column aliases to it.
    expect(implied[1]).toBe(0);
    expect(implied[4]).toBe(0);
  });

  it('its table encodes exactly the probabilities of 500 skewed weights with zeros', () => {
    const rng = new Rng('alias:table');
    // Zipf-like weights 1 / (rank + 1)^1.2 in a shuffled order, every 7th set to 0.
    const weights = rng.shuffle(Array.from({ length: 500 }, (_, r) => (r % 7 === 3 ? 0 : (r + 1) ** -1.2)));
    const sampler = new AliasSampler(weights);
    const implied = impliedProbabilities(sampler);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += sampler.probability(i);
      expect(Math.abs(implied[i]! - sampler.probability(i))).toBeLessThan(1e-12);
      if (weights[i] === 0) expect(implied[i]).toBe(0);
    }
    expect(total).toBeCloseTo(1, 12);
  });

  it('200,000 seeded draws match the probabilities; zero-weight outcomes are never drawn', () => {
    const p = [0.15, 0, 0.05, 0.3, 0, 0.5];
    const sampler = new AliasSampler([3, 0, 1, 6, 0, 10]);
    const N = 200_000;
    const draws = sampler.sampleMany(new Rng(1), N);
    const counts = new Array<number>(p.length).fill(0);
    for (const d of draws) counts[d]!++;
    expect(counts[1]).toBe(0);
    expect(counts[4]).toBe(0);
    // Each count is Binomial(N, p_i): sd of the frequency = sqrt(p(1 − p) / N), e.g. 4.87e-4 for p = 0.05 and
    // 1.12e-3 for p = 0.5. A correct sampler is within 4 sd with probability 1 − 6.3e-5 per outcome.
    let chiSquare = 0;
    p.forEach((pi, i) => {
      if (pi === 0) return;
      const freq = counts[i]! / N;
      expect(Math.abs(freq - pi)).toBeLessThan(4 * Math.sqrt((pi * (1 - pi)) / N));
      chiSquare += (counts[i]! - N * pi) ** 2 / (N * pi);
    });
    // 4 outcomes with mass → 3 degrees of freedom; the 99.9% quantile of χ²(3) is 16.27.
    expect(chiSquare).toBeLessThan(16.27);
  });

  it('draws depend only on the seed; sampleMany is repeated sample', () => {
    const sampler = new AliasSampler([1, 2, 3, 4, 5]);
    const a = sampler.sampleMany(new Rng(9), 1000);
    const b = sampler.sampleMany(new Rng(9), 1000);
    expect(Array.from(b)).toEqual(Array.from(a));
    const rng = new Rng(9);
    expect(Array.from({ length: 1000 }, () => sampler.sample(rng))).toEqual(Array.from(a));
    const c = sampler.sampleMany(new Rng(10), 1000);
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(sampler.sampleMany(new Rng(9), 0)).toHaveLength(0);
  });

  it('a single outcome is always drawn; uniform weights give every outcome 1 / n', () => {
    const one = new AliasSampler([5]);
    expect(one.probability(0)).toBe(1);
    expect(new Set(one.sampleMany(new Rng(2), 100))).toEqual(new Set([0]));
    const uniform = new AliasSampler(new Array(8).fill(1));
    const implied = impliedProbabilities(uniform);
    for (let i = 0; i < 8; i++) {
      expect(uniform.probability(i)).toBe(0.125);
      expect(implied[i]).toBe(0.125); // every column accepts itself: 8 × 1 / 8
    }
  });
});
