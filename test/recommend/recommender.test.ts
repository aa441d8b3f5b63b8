import { describe, expect, it } from 'vitest';
import { MovieIndex } from '../../src/data/catalog';
import { ConfigError } from '../../src/errors';
import { Recommender } from '../../src/recommend/recommender';

const catalog = new MovieIndex(Int32Array.of(10, 20, 30, 40));
const scores = Float32Array.of(0.1, 0.9, 0.5, 0.3);

describe('Recommender', () => {
  it('selects the best k, best first, leaving out seen movies by default', () => {
    const r = new Recommender({ k: 2 });
    expect(r.select(scores, catalog, { seen: [1] }).map((p) => p.index)).toEqual([2, 3]);
    expect(r.select(scores, catalog, { seen: [1] }, { excludeSeen: false }).map((p) => p.index)).toEqual([
      1, 2,
    ]);
  });

  it('honours exclude and candidates (ids), and k per request', () => {
    const r = new Recommender();
    expect(r.select(scores, catalog, {}, { exclude: [20, 99], k: 2 }).map((p) => p.index)).toEqual([2, 3]);
    expect(r.select(scores, catalog, {}, { candidates: [10, 40] }).map((p) => p.index)).toEqual([3, 0]);
  });

  it('blends log-popularity: score + w · ln(1 + count)', () => {
    const r = new Recommender({ popularityWeight: 0.5 });
    const popularity = [0, 0, Math.E ** 2 - 1, 0];
    const blended = r.blend(scores, { popularity });
    expect(blended[2]).toBeCloseTo(0.5 + 0.5 * 2, 6);
    expect(blended[1]).toBeCloseTo(0.9, 6);
    expect(r.select(scores, catalog, { popularity }, { k: 1 })[0]).toMatchObject({ index: 2 });
    expect(() => r.blend(scores, {})).toThrow(ConfigError);
  });

  it('adds the group prior times its weight, and only with a weight', () => {
    const groupPrior = [-1, -4, 0, -2];
    const r = new Recommender({ groupWeight: 0.25 });
    const blended = r.blend(scores, { groupPrior });
    [0.1 - 0.25, 0.9 - 1, 0.5, 0.3 - 0.5].forEach((v, i) => {
      expect(blended[i]).toBeCloseTo(v, 6);
    });
    expect(new Recommender().blend(scores, { groupPrior })).toBe(scores);
    expect(r.blend(scores, { groupPrior }, { groupWeight: 0 })).toBe(scores);
  });

  it('refuses a bad k or a non-finite weight', () => {
    expect(() => new Recommender({ k: 0 })).toThrow(ConfigError);
    expect(() => new Recommender({ groupWeight: Number.NaN })).toThrow(ConfigError);
    expect(() => new Recommender({ popularityWeight: Number.POSITIVE_INFINITY })).toThrow(ConfigError);
    expect(() => new Recommender().select(scores, catalog, {}, { k: 1.5 })).toThrow(ConfigError);
  });
});
