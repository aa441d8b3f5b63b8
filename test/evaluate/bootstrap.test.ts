/**
 * Bootstrap intervals and paired comparisons on hand-made per-user arrays.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import {
  bootstrapIntervals,
  type ClassificationPerUser,
  compareModels,
  metricsFromWeights,
  percentileInterval,
  type RankingPerUser,
  type RatingPerUser,
} from '../../src/evaluate/bootstrap';
import { classificationReport, rocAuc } from '../../src/evaluate/metrics/classification';

function ranking(values: number[], key = 'NDCG@10', lists?: number[][]): RankingPerUser {
  return {
    type: 'ranking',
    users: values.map((_, i) => i + 1),
    values: { [key]: values },
    lists: lists ?? values.map(() => []),
    catalogSize: 10,
  };
}

describe('percentileInterval', () => {
  it('takes type-7 quantiles: [1..5] at 50% → [2, 4]; [0, 10] at 90% → [0.5, 9.5]', () => {
    expect(percentileInterval([5, 1, 4, 2, 3], 0.5)).toEqual([2, 4]);
    // h = 1 × 0.05 = 0.05 → 0 + 0.05 × 10; h = 0.95 → 9.5
    const [lo, hi] = percentileInterval([10, 0], 0.9);
    expect(lo).toBeCloseTo(0.5, 14);
    expect(hi).toBeCloseTo(9.5, 14);
  });

  it('leaves NaN out and gives [NaN, NaN] when nothing is left', () => {
    expect(percentileInterval([Number.NaN, 3, Number.NaN], 0.95)).toEqual([3, 3]);
    expect(percentileInterval([Number.NaN], 0.95)).toEqual([Number.NaN, Number.NaN]);
  });
});

describe('metricsFromWeights', () => {
  it('weighted means over users, coverage over the drawn users’ lists', () => {
    const data = ranking([0.2, 0.4, 0.9], 'P@10', [[1, 2], [2, 3], [4]]);
    expect(metricsFromWeights(data, [1, 1, 1])).toEqual({ 'P@10': 0.5, coverage: 0.4 });
    // (2·0.2 + 0.4) / 3; lists {1, 2, 3}
    const m = metricsFromWeights(data, [2, 1, 0]);
    expect(m['P@10']).toBeCloseTo(0.8 / 3, 15);
    expect(m.coverage).toBe(0.3);
    expect(metricsFromWeights(data, [0, 0, 0])['P@10']).toBeNaN();
  });

  it('rating rows: RMSE and MAE per fold from summed errors, averaged over folds; u1 alone', () => {
    // u1: user 1 errors {1, −1} (se 2, ae 2), user 2 error {2} (se 4, ae 2); u2: user 1 error {0}, user 2 none.
    const data: RatingPerUser = {
      type: 'rating',
      users: [1, 2],
      folds: [
        { fold: 'u1', count: [2, 1], squaredError: [2, 4], absoluteError: [2, 2] },
        { fold: 'u2', count: [1, 0], squaredError: [0, 0], absoluteError: [0, 0] },
      ],
    };
    const m = metricsFromWeights(data, [1, 1]);
    expect(m.RMSE_u1).toBeCloseTo(Math.sqrt(6 / 3), 15);
    expect(m.MAE_u1).toBeCloseTo(4 / 3, 15);
    expect(m.RMSE).toBeCloseTo(Math.sqrt(2) / 2, 15);
    expect(m.MAE).toBeCloseTo(4 / 3 / 2, 15);
    // Only user 2 drawn: fold u2 has no rating left → NaN mean.
    expect(metricsFromWeights(data, [0, 1]).RMSE).toBeNaN();
  });

  it('classification rows: with weights 1 they equal classificationReport and rocAuc; weight 2 = a copy', () => {
    const scores = [4.5, 3.2, 3.9, 2.1, 4.1, 3.9];
    const labels: Array<0 | 1> = [1, 0, 1, 0, 0, 1];
    const owner = [0, 0, 1, 1, 2, 2];
    const data: ClassificationPerUser = {
      type: 'classification',
      users: [7, 8, 9],
      folds: [{ fold: 'u1', threshold: 3.9, owner, scores, labels }],
    };
    const report = classificationReport(
      scores.map((s) => s >= 3.9),
      labels,
    );
    const m = metricsFromWeights(data, [1, 1, 1]);
    expect(m.precision).toBeCloseTo(report.precision, 15);
    expect(m.recall).toBeCloseTo(report.recall, 15);
    expect(m.F1).toBeCloseTo(report.f1, 15);
    expect(m.AUC).toBeCloseTo(rocAuc(scores, labels), 15);
    // User 9 (positions 4, 5) counted twice = its predictions duplicated.
    const dupScores = [...scores, 4.1, 3.9];
    const dupLabels: Array<0 | 1> = [...labels, 0, 1];
    expect(metricsFromWeights(data, [1, 1, 2]).AUC).toBeCloseTo(rocAuc(dupScores, dupLabels), 15);
  });

  it('rejects weights that do not match the users', () => {
    expect(() => metricsFromWeights(ranking([1, 2]), [1])).toThrow(ConfigError);
  });
});

describe('bootstrapIntervals', () => {
  it('gives a zero-width interval when every user has the same value', () => {
    const iv = bootstrapIntervals(ranking([0.3, 0.3, 0.3, 0.3]), { resamples: 200 });
    expect(iv['NDCG@10']).toEqual([0.3, 0.3]);
  });

  it('two users with values 0 and 1: replicate means 0, ½, 1 with chances ¼, ½, ¼ → [0, 1]', () => {
    expect(bootstrapIntervals(ranking([0, 1]), { resamples: 1000 })['NDCG@10']).toEqual([0, 1]);
    // At 40% coverage the 30th and 70th percentiles fall inside the ½ block.
    expect(bootstrapIntervals(ranking([0, 1]), { resamples: 1000, confidence: 0.4 })['NDCG@10']).toEqual([
      0.5, 0.5,
    ]);
  });

  it('100 users, half 0 and half 1: the mean of a resample is Binomial(100, ½)/100, whose 2.5% and 97.5% quantiles are 0.40 and 0.60', () => {
    const values = Array.from({ length: 100 }, (_, i) => i % 2);
    const [lo, hi] = bootstrapIntervals(ranking(values), { resamples: 2000, seed: 7 })['NDCG@10']!;
    expect(lo).toBeGreaterThanOrEqual(0.38);
    expect(lo).toBeLessThanOrEqual(0.42);
    expect(hi).toBeGreaterThanOrEqual(0.58);
    expect(hi).toBeLessThanOrEqual(0.62);
  });

  it('is deterministic for a seed, and covers coverage too', () => {
    const data = ranking([0.1, 0.5, 0.2, 0.8], 'HR@10', [[1], [2], [3], [4]]);
    const a = bootstrapIntervals(data, { seed: 'x' });
    expect(bootstrapIntervals(data, { seed: 'x' })).toEqual(a);
    expect(Object.keys(a)).toEqual(['HR@10', 'coverage']);
    expect(a.coverage![1]).toBeLessThanOrEqual(0.4);
  });

  it('checks resamples and confidence', () => {
    expect(() => bootstrapIntervals(ranking([1]), { resamples: 0 })).toThrow(ConfigError);
    expect(() => bootstrapIntervals(ranking([1]), { confidence: 1 })).toThrow(ConfigError);
  });
});

describe('compareModels', () => {
  const b = { name: 'b', perUser: ranking([0.1, 0.5, 0.2, 0.8, 0.4]) };

  it('a constant shift gives that difference with a zero-width interval (paired: user noise cancels)', () => {
    const a = { name: 'a', perUser: ranking([0.2, 0.6, 0.3, 0.9, 0.5]) };
    const c = compareModels(a, b, 'NDCG@10', { resamples: 300 });
    expect(c.difference).toBeCloseTo(0.1, 12);
    expect(c.meanDifference).toBeCloseTo(0.1, 12);
    expect(c.interval[0]).toBeCloseTo(0.1, 12);
    expect(c.interval[1]).toBeCloseTo(0.1, 12);
    expect(c.shareABetter).toBe(1);
    expect(c.distribution).toHaveLength(300);
    expect(c.users).toBe(5);
  });

  it('draws the same users for both rows: identical rows differ by exactly 0 in every replicate', () => {
    const c = compareModels(b, { ...b, name: 'b2' }, 'NDCG@10', { resamples: 100 });
    expect(new Set(c.distribution)).toEqual(new Set([0]));
    expect(c.shareABetter).toBe(0);
  });

  it('matches users by id and reads lower-is-better metrics (RMSE) the right way round', () => {
    const rows = (se: number[]): RatingPerUser => ({
      type: 'rating',
      users: [1, 2, 3],
      folds: [{ fold: 'u1', count: [1, 1, 1], squaredError: se, absoluteError: se.map(Math.sqrt) }],
    });
    const better = { name: 'better', perUser: rows([0.25, 0.25, 0.25]) };
    const worse = { name: 'worse', perUser: rows([1, 1, 1]) };
    const c = compareModels(better, worse, 'RMSE', { resamples: 50 });
    expect(c.difference).toBeCloseTo(-0.5, 12);
    expect(c.shareABetter).toBe(1);
  });

  it('refuses rows without per-user data, of different kinds, or an unknown metric', () => {
    expect(() => compareModels({ name: 'x' }, b, 'NDCG@10')).toThrow(ConfigError);
    const rating = { name: 'r', perUser: { type: 'rating', users: [1], folds: [] } as RatingPerUser };
    expect(() => compareModels(rating, b, 'NDCG@10')).toThrow(/same kind/);
    expect(() => compareModels(b, b, 'nope')).toThrow(/one of NDCG@10, coverage/);
  });
});
