import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { topK } from '../../src/recommend/topk';

/** Reference: a full sort by score descending, then index ascending, after dropping what topK must skip. */
function reference(scores: number[], k: number, exclude: Set<number>): number[] {
  return scores
    .map((s, i) => ({ s, i }))
    .filter(({ s, i }) => s > Number.NEGATIVE_INFINITY && !exclude.has(i))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map(({ i }) => i);
}

describe('topK', () => {
  it('returns the best k, best first, with their scores', () => {
    const r = topK([0.1, 0.7, 0.3, 0.9, 0.5], 3);
    expect(Array.from(r.indices)).toEqual([3, 1, 4]);
    expect(Array.from(r.scores)).toEqual([Math.fround(0.9), Math.fround(0.7), Math.fround(0.5)]);
  });

  it('breaks ties by lower index first', () => {
    // 2 at 1, 3, 4: all three tie; lower indices win the two slots after the 5 at index 2.
    expect(Array.from(topK([1, 2, 5, 2, 2], 3).indices)).toEqual([2, 1, 3]);
    expect(Array.from(topK([0, 0, 0, 0], 2).indices)).toEqual([0, 1]);
  });

  it('skips NaN, -Infinity and excluded indices, keeps +Infinity', () => {
    const scores = [Number.NaN, 3, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1, 2];
    expect(Array.from(topK(scores, 10).indices)).toEqual([3, 1, 5, 4]);
    expect(Array.from(topK(scores, 10, { exclude: [1, 3] }).indices)).toEqual([5, 4]);
    expect(Array.from(topK(scores, 10, { exclude: new Set([5, 99, -1]) }).indices)).toEqual([3, 1, 4]);
  });

  it('returns fewer than k when fewer qualify, and nothing for k = 0', () => {
    expect(topK([1, 2], 5).indices.length).toBe(2);
    expect(topK([1, 2], 0).indices.length).toBe(0);
    expect(topK([], 3).indices.length).toBe(0);
  });

  it('rejects a k that is not a non-negative integer', () => {
    expect(() => topK([1], -1)).toThrow(ConfigError);
    expect(() => topK([1], 1.5)).toThrow(/k: expected a non-negative integer/);
  });

  it('accepts typed arrays', () => {
    expect(Array.from(topK(new Float32Array([0.5, 0.25, 1]), 2).indices)).toEqual([2, 0]);
  });

  it('agrees with a full stable sort (property)', () => {
    fc.assert(
      fc.property(
        // Few distinct values so ties are common.
        fc.array(
          fc.oneof(
            fc.integer({ min: -3, max: 3 }),
            fc.constant(Number.NEGATIVE_INFINITY),
            fc.constant(Number.NaN),
          ),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 10 }),
        (scores, k, ex) => {
          const got = Array.from(topK(scores, k, { exclude: ex }).indices);
          expect(got).toEqual(reference(scores, k, new Set(ex)));
        },
      ),
    );
  });
});
