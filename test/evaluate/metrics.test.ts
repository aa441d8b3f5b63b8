import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RatingTable } from '../../src/data/types';
import { ConfigError } from '../../src/errors';
import { getMetric, isBetter, metricKey, metricRegistry, metrics } from '../../src/evaluate/metrics';

const log2 = Math.log2;

describe('ranking metrics, hand-computed', () => {
  // ranked [1, 2, 3, 4, 5], relevant {2, 4, 9}: hits at ranks 2 and 4.
  const ranked = [1, 2, 3, 4, 5];
  const relevant = [2, 4, 9];

  it('precision, recall, F1 at K = 5', () => {
    expect(metrics.precisionAtK(ranked, relevant, 5)).toBeCloseTo(2 / 5, 12);
    expect(metrics.recallAtK(ranked, relevant, 5)).toBeCloseTo(2 / 3, 12);
    // F1 = 2·0.4·(2/3) / (0.4 + 2/3) = 0.5333… / 1.0666… = 0.5
    expect(metrics.f1AtK(ranked, relevant, 5)).toBeCloseTo(0.5, 12);
  });

  it('NDCG at K = 5 and K = 3', () => {
    // DCG@5 = 1/log2(3) + 1/log2(5); IDCG over min(5, 3) = 3: 1 + 1/log2(3) + 1/log2(4)
    const dcg = 1 / log2(3) + 1 / log2(5);
    const idcg = 1 + 1 / log2(3) + 1 / 2;
    expect(metrics.ndcgAtK(ranked, relevant, 5)).toBeCloseTo(dcg / idcg, 12); // ≈ 0.4801
    // K = 3: only the hit at rank 2 counts; IDCG over min(3, 3) = 3 positions
    expect(metrics.ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1 / log2(3) / idcg, 12);
  });

  it('MAP@K and MAPrel@K differ by the denominator', () => {
    // precision at the hits: rank 2 → 1/2, rank 4 → 2/4; sum = 1
    // MAP@5 = 1 / min(5, 3) = 1/3; MAPrel@5 = 1 / 3 as well (|relevant| = 3)
    expect(metrics.mapAtK(ranked, relevant, 5)).toBeCloseTo(1 / 3, 12);
    expect(metrics.mapRelAtK(ranked, relevant, 5)).toBeCloseTo(1 / 3, 12);
    // K = 2: sum = 1/2; MAP@2 = 0.5 / min(2, 3) = 0.25; MAPrel@2 = 0.5 / 3
    expect(metrics.mapAtK(ranked, relevant, 2)).toBeCloseTo(0.25, 12);
    expect(metrics.mapRelAtK(ranked, relevant, 2)).toBeCloseTo(0.5 / 3, 12);
  });

  it('hit rate and MRR', () => {
    expect(metrics.hitRateAtK(ranked, relevant, 5)).toBe(1);
    expect(metrics.hitRateAtK(ranked, relevant, 1)).toBe(0);
    expect(metrics.mrrAtK(ranked, relevant, 5)).toBe(0.5); // first hit at rank 2
    expect(metrics.mrrAtK(ranked, relevant, 1)).toBe(0);
  });

  it('K larger than the list: precision still divides by K, ideal DCG over min(K, |relevant|)', () => {
    // ranked [7, 8], relevant {8}, K = 10: 1 hit / 10
    expect(metrics.precisionAtK([7, 8], [8], 10)).toBeCloseTo(0.1, 12);
    expect(metrics.recallAtK([7, 8], [8], 10)).toBe(1);
    // DCG = 1/log2(3); IDCG = 1 (one relevant)
    expect(metrics.ndcgAtK([7, 8], [8], 10)).toBeCloseTo(1 / log2(3), 12);
    // AP sum = 1/2; MAP = 0.5 / min(10, 1) = 0.5
    expect(metrics.mapAtK([7, 8], [8], 10)).toBeCloseTo(0.5, 12);
  });

  it('an empty relevant set gives 0 everywhere', () => {
    const all = metrics.rankingMetricsAtK([1, 2, 3], [], 3);
    expect(Object.values(all).every((v) => v === 0)).toBe(true);
    expect(metrics.ndcgAtK([1, 2], new Set(), 2)).toBe(0);
  });

  it('relevant ids repeated in an array count once', () => {
    expect(metrics.recallAtK([1, 2], [2, 2, 3], 2)).toBe(0.5);
  });

  it('an empty ranking scores 0', () => {
    expect(metrics.rankingMetricsAtK([], [1], 5)).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
      ndcg: 0,
      map: 0,
      mapRel: 0,
      hitRate: 0,
      mrr: 0,
    });
  });

  it('duplicates in the ranking and bad K throw ConfigError', () => {
    expect(() => metrics.precisionAtK([1, 2, 1], [1], 3)).toThrow(ConfigError);
    expect(() => metrics.precisionAtK([1, 2, 1], [1], 3)).toThrow(/id 1 at rank 3/);
    expect(() => metrics.ndcgAtK([1], [1], 0)).toThrow(/k: expected a positive integer/);
    expect(() => metrics.ndcgAtK([1], [1], 2.5)).toThrow(ConfigError);
  });
});

describe('ranking metric properties', () => {
  const idList = fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 25 });
  const rankingFns = [
    metrics.precisionAtK,
    metrics.recallAtK,
    metrics.f1AtK,
    metrics.ndcgAtK,
    metrics.mapAtK,
    metrics.mapRelAtK,
    metrics.hitRateAtK,
    metrics.mrrAtK,
  ];

  it('every ranking metric lies in [0, 1]', () => {
    fc.assert(
      fc.property(
        idList,
        fc.array(fc.integer({ min: 0, max: 30 })),
        fc.integer({ min: 1, max: 30 }),
        (r, rel, k) => {
          for (const fn of rankingFns) {
            const v = fn(r, rel, k);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1 + 1e-12);
          }
        },
      ),
    );
  });

  it('does not depend on the order of relevant (array or Set)', () => {
    fc.assert(
      fc.property(idList, idList, fc.integer({ min: 1, max: 30 }), fc.integer(), (r, rel, k, seed) => {
        const shuffled = [...rel].sort((a, b) => ((a * 7919 + seed) % 31) - ((b * 7919 + seed) % 31));
        const asSet = new Set([...rel].reverse());
        expect(metrics.rankingMetricsAtK(r, shuffled, k)).toEqual(metrics.rankingMetricsAtK(r, rel, k));
        expect(metrics.rankingMetricsAtK(r, asSet, k)).toEqual(metrics.rankingMetricsAtK(r, rel, k));
      }),
    );
  });

  it('NDCG@K = 1 when the top K are all relevant', () => {
    fc.assert(
      fc.property(idList, fc.integer({ min: 1, max: 25 }), idList, (r, k, extra) => {
        fc.pre(r.length >= k);
        // Relevant = the top K plus any other ids: ideal DCG covers min(K, |relevant|) = K positions.
        const rel = new Set([...r.slice(0, k), ...extra]);
        expect(metrics.ndcgAtK(r, rel, k)).toBeCloseTo(1, 12);
      }),
    );
  });

  it('MAPrel@K ≤ MAP@K', () => {
    fc.assert(
      fc.property(idList, idList, fc.integer({ min: 1, max: 30 }), (r, rel, k) => {
        expect(metrics.mapRelAtK(r, rel, k)).toBeLessThanOrEqual(metrics.mapAtK(r, rel, k) + 1e-12);
      }),
    );
  });
});

describe('rating metrics', () => {
  it('RMSE and MAE by hand', () => {
    // errors: 1, -1, 0, 2 → squares 1 + 1 + 0 + 4 = 6; RMSE = sqrt(6/4); MAE = (1 + 1 + 0 + 2) / 4 = 1
    expect(metrics.rmse([4, 2, 3, 5], [3, 3, 3, 3])).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(metrics.mae([4, 2, 3, 5], [3, 3, 3, 3])).toBe(1);
  });

  it('empty input gives NaN; mismatched lengths throw ConfigError', () => {
    expect(metrics.rmse([], [])).toBeNaN();
    expect(metrics.mae([], [])).toBeNaN();
    expect(() => metrics.rmse([1, 2], [1])).toThrow(ConfigError);
    expect(() => metrics.mae([1], [1, 2])).toThrow(
      /predicted: expected an array as long as actual \(2 entries\)/,
    );
  });
});

describe('classification metrics', () => {
  it('classification report by hand', () => {
    // pred  1 1 1 0 0
    // label 1 0 1 1 0  → tp 2, fp 1, fn 1, tn 1
    const r = metrics.classificationReport([1, 1, 1, 0, 0], [true, false, true, true, false]);
    expect(r).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 1, support: 3, count: 5 });
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(2 / 3, 12); // 2·2 / (2·2 + 1 + 1)
    expect(r.accuracy).toBeCloseTo(3 / 5, 12);
  });

  it('no predicted positives gives precision 0, not NaN', () => {
    const r = metrics.classificationReport([0, 0], [1, 0]);
    expect(r.precision).toBe(0);
    expect(r.recall).toBe(0);
    expect(r.f1).toBe(0);
  });

  it('rejects labels that are not binary and mismatched lengths', () => {
    expect(() => metrics.classificationReport([2 as 1], [1])).toThrow(/predictedLabels\[0\]/);
    expect(() => metrics.classificationReport([1], [1, 0])).toThrow(ConfigError);
  });

  it('ROC AUC with ties by average rank (Mann–Whitney)', () => {
    // scores 0.1 0.4 0.4 0.8, labels 0 0 1 1: ranks 1, 2.5, 2.5, 4
    // positives' rank sum = 2.5 + 4 = 6.5; U = 6.5 − 2·3/2 = 3.5; AUC = 3.5 / (2·2) = 0.875
    expect(metrics.rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
    // all scores tied: every rank 2.5 → U = 5 − 3 = 2 → 2 / 4 = 0.5
    expect(metrics.rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    // perfect and reversed
    expect(metrics.rocAuc([1, 2, 3], [false, true, true])).toBe(1);
    expect(metrics.rocAuc([3, 2, 1], [false, true, true])).toBe(0);
  });

  it('ROC AUC is NaN with one class only, and rejects NaN scores', () => {
    expect(metrics.rocAuc([1, 2], [1, 1])).toBeNaN();
    expect(() => metrics.rocAuc([Number.NaN, 1], [0, 1])).toThrow(ConfigError);
  });

  it('best F1 threshold by hand', () => {
    // scores 5, 4, 4, 3, 2 with labels 1, 0, 1, 1, 0 (3 positives)
    // t = 5: tp 1 fp 0 → F1 = 2/(2+0+2) = 0.5
    // t = 4: tp 2 fp 1 → F1 = 4/(4+1+1) = 0.667
    // t = 3: tp 3 fp 1 → F1 = 6/(6+1+0) = 0.857
    // t = 2: tp 3 fp 2 → F1 = 6/8 = 0.75
    const best = metrics.bestF1Threshold([5, 4, 4, 3, 2], [1, 0, 1, 1, 0]);
    expect(best.threshold).toBe(3);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    expect(metrics.bestF1Threshold([1, 2], [0, 0])).toEqual({ threshold: Number.POSITIVE_INFINITY, f1: 0 });
  });

  it('best F1 threshold: equal F1 keeps the higher threshold', () => {
    // t = 2: tp 1 fp 0 fn 1 → 2/4 = 0.5 ; t = 1: tp 2 fp 2 → 4/8 = 0.5 → keeps 2
    expect(metrics.bestF1Threshold([2, 1, 1, 1], [1, 1, 0, 0]).threshold).toBe(2);
  });
});

describe('beyond-accuracy metrics', () => {
  it('catalog coverage', () => {
    // union {1, 2, 3, 5} of a catalog of 8
    expect(metrics.catalogCoverage([[1, 2], [2, 3], [5]], 8)).toBe(0.5);
    expect(metrics.catalogCoverage([], 8)).toBe(0);
    expect(() => metrics.catalogCoverage([[1]], 0)).toThrow(ConfigError);
  });

  it('intra-list diversity is the mean pairwise 1 − Jaccard', () => {
    const genres = new Map<number, string[]>([
      [1, ['Action', 'Comedy']],
      [2, ['Comedy']],
      [3, ['Drama']],
      [4, []],
      [5, []],
    ]);
    // (1,2): 1 − 1/2 = 0.5; (1,3): 1; (2,3): 1 → 2.5 / 3
    expect(metrics.intraListDiversity([1, 2, 3], genres)).toBeCloseTo(2.5 / 3, 12);
    // two genre-less movies are identical; genre-less vs Drama is distance 1: (4,5) 0, (4,3) 1, (5,3) 1 → 2/3
    expect(metrics.intraListDiversity([4, 5, 3], (id) => genres.get(id))).toBeCloseTo(2 / 3, 12);
    expect(metrics.intraListDiversity([1], genres)).toBe(0);
    expect(metrics.intraListDiversity([], genres)).toBe(0);
  });

  it('novelty counts a zero count as one user', () => {
    const pop = {
      counts: new Map([
        [1, 8],
        [2, 2],
      ]),
      users: 8,
    };
    // −log2(8/8) = 0, −log2(2/8) = 2, movie 3 unseen → −log2(1/8) = 3: mean 5/3
    expect(metrics.novelty([1, 2, 3], pop)).toBeCloseTo(5 / 3, 12);
    expect(metrics.novelty([], pop)).toBe(0);
    expect(() => metrics.novelty([1], { counts: new Map(), users: 0 })).toThrow(ConfigError);
  });

  it('popularity counts distinct users per movie', () => {
    const t = RatingTable.from([
      { userId: 1, movieId: 10, rating: 4, timestamp: 1 },
      { userId: 2, movieId: 10, rating: 3, timestamp: 1 },
      { userId: 2, movieId: 10, rating: 5, timestamp: 2 },
      { userId: 3, movieId: 11, rating: 5, timestamp: 2 },
    ]);
    const pop = metrics.popularityCounts(t);
    expect(pop.users).toBe(3);
    expect([...pop.counts]).toEqual([
      [10, 2],
      [11, 1],
    ]);
  });
});

describe('metric registry', () => {
  it('knows every metric with a direction', () => {
    for (const e of metricRegistry) {
      expect(['higher', 'lower']).toContain(e.direction);
      expect(typeof e.fn).toBe('function');
      expect(e.description.length).toBeGreaterThan(0);
    }
    expect(new Set(metricRegistry.map((e) => e.name)).size).toBe(metricRegistry.length);
  });

  it('finds metrics by function name and by report key', () => {
    expect(getMetric('ndcgAtK').key).toBe('NDCG');
    expect(getMetric('NDCG@10').name).toBe('ndcgAtK');
    expect(getMetric('F1@20').name).toBe('f1AtK');
    expect(getMetric('F1').name).toBe('f1');
    expect(getMetric('RMSE').direction).toBe('lower');
    expect(getMetric('RMSE_u1').direction).toBe('lower');
    expect(getMetric('MAPrel@10').name).toBe('mapRelAtK');
    expect(getMetric('AUC').name).toBe('rocAuc');
    expect(metricKey('hitRateAtK', 5)).toBe('HR@5');
    expect(metricKey('mae', 5)).toBe('MAE');
    expect(isBetter('MAE', 0.7, 0.8)).toBe(true);
    expect(isBetter('HR@10', 0.7, 0.8)).toBe(false);
  });

  it('an unknown name lists the registered names', () => {
    expect(() => getMetric('nope')).toThrow(ConfigError);
    expect(() => getMetric('nope')).toThrow(/ndcgAtK \(NDCG@K\).*rmse \(RMSE\)/);
  });

  it('registered functions compute the same values as the metrics object', () => {
    const f = getMetric('P@10').fn as (r: number[], rel: number[], k: number) => number;
    expect(f([1, 2], [2], 2)).toBe(0.5);
  });
});
