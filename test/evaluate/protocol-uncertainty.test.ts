/**
 * What runProtocol keeps besides the metrics: per-user data (from which the metrics are recomputed), bootstrap
 * intervals, training histories; and how resultToJSON carries them.
 */
import { describe, expect, it } from 'vitest';
import { compareModels, metricsFromWeights } from '../../src/evaluate/bootstrap';
import { resultToJSON } from '../../src/evaluate/evaluator';
import { type FoldSplit, type ModelSpec, runProtocol } from '../../src/evaluate/protocols';
import type { FitSummary, Scorer } from '../../src/recommend/types';
import { makeDataset, newLog, type Row, spyScorer, table } from './helpers';

/** 10 users × 12 movies, ratings 1–5. */
function rows(): Row[] {
  const out: Row[] = [];
  for (let u = 1; u <= 10; u++) {
    for (let m = 1; m <= 12; m++) {
      if ((u * 7 + m * 3) % 5 === 0) continue;
      out.push([u, m, 1 + ((u * m) % 5), 100 + m]);
    }
  }
  return out;
}
const data = makeDataset(rows(), { movieCount: 12 });

/** A spy whose fit reports `epochs` epochs (loss 1/epoch) and whose scores prefer low or high movie ids. */
function model(name: string, prefer: 'low' | 'high', epochs = 0): ModelSpec {
  return {
    name,
    kind: 'model',
    create: () => {
      const log = newLog();
      const s = spyScorer(
        log,
        (m) => (prefer === 'low' ? -m : m),
        (m) => 1 + (m % 5),
      );
      const spyFit = s.fit.bind(s);
      const scorer: Scorer = {
        ...s,
        fit: async (train, options): Promise<FitSummary> => {
          await spyFit(train, options);
          const history = Array.from({ length: epochs }, (_, i) => ({
            epoch: i + 1,
            loss: 1 / (i + 1),
            metrics: { 'NDCG@10': 0.1 * (i + 1) },
            seconds: 0.01,
          }));
          return {
            epochs,
            bestEpoch: epochs,
            history,
            aborted: false,
            seconds: 0.02,
            ...(epochs > 0 ? { notes: ['a note of the fit'] } : {}),
          };
        },
      };
      return scorer;
    },
  };
}

describe('per-user data and intervals (ranking protocols)', () => {
  it('T: every metric gets an interval containing ordered bounds; perUser recomputes the metrics exactly', async () => {
    const result = await runProtocol('T', data, [model('low', 'low'), model('high', 'high')], {
      k: 3,
      bootstrap: { resamples: 200 },
    });
    for (const row of result.results) {
      const pu = row.perUser!;
      expect(pu.type).toBe('ranking');
      expect(pu.users).toEqual([...pu.users].sort((a, b) => a - b));
      expect(metricsFromWeights(pu, new Array(pu.users.length).fill(1))).toEqual(
        Object.fromEntries(Object.keys(row.metrics).map((k) => [k, row.metrics[k]])),
      );
      expect(Object.keys(row.intervals!)).toEqual(Object.keys(row.metrics));
      for (const [lo, hi] of Object.values(row.intervals!)) expect(lo).toBeLessThanOrEqual(hi);
    }
    expect(result.notes.at(-1)).toMatch(/95% percentile bootstrap over users, 200 resamples/);
    const c = compareModels(result.results[0]!, result.results[1]!, 'P@3', { resamples: 100 });
    expect(c.difference).toBeCloseTo(
      result.results[0]!.metrics['P@3']! - result.results[1]!.metrics['P@3']!,
      12,
    );
  });

  it('K: per-user data keyed by the held-out users (whose histories carry no userId)', async () => {
    const result = await runProtocol('K', data, [model('low', 'low')], {
      k: 3,
      bootstrap: { resamples: 50 },
    });
    expect(result.results).toHaveLength(2);
    for (const row of result.results) {
      expect(row.perUser!.users.length).toBeGreaterThan(0);
      expect(row.perUser!.users.every((u) => u >= 1 && u <= 10)).toBe(true);
    }
  });

  it('bootstrap: false computes no interval; the same seed gives the same intervals', async () => {
    const none = await runProtocol('S', data, [model('low', 'low')], { k: 3, bootstrap: false });
    expect(none.results[0]!.intervals).toBeUndefined();
    expect(none.results[0]!.perUser).toBeDefined();
    const a = await runProtocol('S', data, [model('low', 'low')], { k: 3, bootstrap: { resamples: 100 } });
    const b = await runProtocol('S', data, [model('low', 'low')], { k: 3, bootstrap: { resamples: 100 } });
    expect(a.results[0]!.intervals).toEqual(b.results[0]!.intervals);
  });
});

describe('training histories', () => {
  it('keeps each fit’s epoch history and notes in the row (T: one fit; baselines without epochs: none)', async () => {
    const result = await runProtocol('T', data, [model('rnn', 'low', 3), model('flat', 'high', 0)], {
      k: 3,
      bootstrap: false,
    });
    const [rnn, flat] = result.results;
    expect(rnn!.training).toHaveLength(1);
    expect(rnn!.training![0]!.fold).toBeUndefined();
    expect(rnn!.training![0]!.history.map((e) => e.loss)).toEqual([1, 1 / 2, 1 / 3]);
    expect(rnn!.training![0]!.bestEpoch).toBe(3);
    expect(rnn!.training![0]!.notes).toEqual(['a note of the fit']);
    expect(flat!.training).toBeUndefined();
  });
});

describe('rating protocols', () => {
  const all: Row[] = [
    [1, 1, 5, 1],
    [1, 2, 3, 2],
    [2, 1, 4, 1],
    [2, 3, 2, 2],
    [3, 2, 4, 1],
    [3, 3, 5, 2],
    [1, 3, 2, 3],
    [2, 2, 5, 3],
    [3, 1, 1, 3],
  ];
  const small = makeDataset(all, { movieCount: 3 });
  const folds: FoldSplit[] = [
    { name: 'u1', train: table(all.slice(0, 6)), test: table(all.slice(6)) },
    { name: 'u2', train: table(all.slice(3)), test: table(all.slice(0, 3)) },
  ];

  it('R: per-user errors per fold reproduce RMSE and MAE; a training record per fold', async () => {
    const result = await runProtocol('R', small, [model('m', 'low', 2)], {
      folds,
      bootstrap: { resamples: 100 },
    });
    const row = result.results[0]!;
    expect(row.perUser!.type).toBe('rating');
    const again = metricsFromWeights(row.perUser!, [1, 1, 1]);
    for (const key of ['RMSE', 'MAE', 'RMSE_u1', 'MAE_u1'])
      expect(again[key]).toBeCloseTo(row.metrics[key]!, 12);
    expect(Object.keys(row.intervals!)).toEqual(['RMSE', 'MAE', 'RMSE_u1', 'MAE_u1']);
    expect(row.training!.map((t) => t.fold)).toEqual(['u1', 'u2']);
  });

  it('C: per-prediction data reproduce precision, recall, F1 and AUC, for the trivial rows too', async () => {
    const result = await runProtocol('C', small, [model('m', 'low')], {
      folds,
      bootstrap: { resamples: 100 },
    });
    for (const row of result.results) {
      expect(row.perUser!.type).toBe('classification');
      const again = metricsFromWeights(row.perUser!, new Array(row.perUser!.users.length).fill(1));
      for (const key of ['precision', 'recall', 'F1', 'AUC']) {
        if (Number.isNaN(row.metrics[key]!)) expect(again[key]).toBeNaN();
        else expect(again[key]).toBeCloseTo(row.metrics[key]!, 12);
      }
      expect(Object.keys(row.intervals!)).toEqual(['precision', 'recall', 'F1', 'AUC']);
    }
  });
});

describe('resultToJSON', () => {
  it('keeps intervals (non-finite bounds as null) and training, drops perUser unless asked', async () => {
    const result = await runProtocol('S', data, [model('m', 'low', 1)], {
      k: 3,
      bootstrap: { resamples: 20 },
    });
    result.results[0]!.intervals!.novelty = [Number.NaN, 1];
    const json = resultToJSON(result);
    const row = json.results[0]!;
    expect(row.intervals!.novelty).toEqual([null, 1]);
    expect(row.training).toHaveLength(1);
    expect('perUser' in row).toBe(false);
    expect(resultToJSON(result, { perUser: true }).results[0]!.perUser!.type).toBe('ranking');
    expect(JSON.parse(JSON.stringify(json)).results[0].intervals['HR@3']).toHaveLength(2);
  });
});
