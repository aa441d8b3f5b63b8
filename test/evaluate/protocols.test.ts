import { describe, expect, it } from 'vitest';
import {
  leaveOneOutSplit,
  stratifiedRandomSplit,
  userHoldoutSplit,
  userTimelines,
} from '../../src/data/split';
import { AbortedError, ConfigError, StateError } from '../../src/errors';
import { PopularityBaseline } from '../../src/evaluate/baselines';
import { metrics } from '../../src/evaluate/metrics';
import {
  type FoldSplit,
  type ModelSpec,
  type ProgressEvent,
  runProtocol,
} from '../../src/evaluate/protocols';
import type { Scorer, UserHistory } from '../../src/recommend/types';
import { makeDataset, newLog, type Row, rowsOf, type SpyLog, spyScorer, table } from './helpers';

function spec(_log: SpyLog, make: () => Scorer, name = 'spy'): ModelSpec {
  return { name, kind: 'model', create: make };
}

/** 8 users × 12 movies, ratings 1–5, many equal timestamps inside a user. */
function mediumRows(): Row[] {
  const rows: Row[] = [];
  for (let u = 1; u <= 8; u++) {
    for (let m = 1; m <= 12; m++) {
      if ((u * 7 + m * 3) % 5 === 0) continue;
      rows.push([u, m, 1 + ((u * m) % 5), 100 + Math.floor(m / 3)]);
    }
  }
  return rows;
}

describe('protocol S', () => {
  // u1: m1 t1, m2 t2, m3 t3, m4 t4 → test m4, validation m3, train m1 m2
  // u2 in file order: m6 t1, m5 t2, m2 t2 → stable sort keeps m5 before m2 (tie at t2):
  //    test m2, validation m5, train m6 (breaking the tie by id would make m5 the test)
  const rows: Row[] = [
    [1, 1, 4, 1],
    [1, 2, 4, 2],
    [2, 6, 3, 1],
    [1, 3, 4, 3],
    [2, 5, 3, 2],
    [2, 2, 3, 2],
    [1, 4, 4, 4],
  ];
  const data = makeDataset(rows, { movieCount: 6 });
  const fixed: Record<number, number> = { 1: 0.1, 2: 0.5, 3: 0.3, 4: 0.9, 5: 0.2, 6: 0.8 };

  it('fits on train with the validation items, never shows the test item, and computes metrics by hand', async () => {
    const log = newLog();
    const result = await runProtocol('S', data, [spec(log, () => spyScorer(log, (m) => fixed[m]!))], {
      k: 3,
    });
    expect(log.fits).toHaveLength(1);
    expect(log.fits[0]!.train).toEqual([
      [1, 1, 4, 1],
      [1, 2, 4, 2],
      [2, 6, 3, 1],
    ]);
    expect(log.fits[0]!.validation).toEqual([
      [1, 3, 4, 3],
      [2, 5, 3, 2],
    ]);
    const histories = log.scored.flatMap((s) => s.histories);
    expect(histories.map((h) => [h.userId, h.items.map((i) => i.movieId)])).toEqual([
      [1, [1, 2, 3]],
      [2, [6, 5]],
    ]);
    expect(log.scored[0]!.candidates).toEqual([1, 2, 3, 4, 5, 6]);
    // u1: candidates {4, 5, 6} → ranked [4 (0.9), 6 (0.8), 5 (0.2)]; target 4 at rank 1: HR 1, NDCG 1, MRR 1
    // u2: candidates {1, 2, 3, 4} → ranked [4 (0.9), 2 (0.5), 3 (0.3)]; target 2 at rank 2:
    //     HR 1, NDCG 1/log2(3), MRR 1/2
    const m = result.results[0]!.metrics;
    expect(m['HR@3']).toBe(1);
    expect(m['NDCG@3']).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    expect(m['MRR@3']).toBeCloseTo(0.75, 12);
    expect(m['P@3']).toBeCloseTo(1 / 3, 12);
    expect(m['R@3']).toBe(1);
    // lists {4, 6, 5} ∪ {4, 2, 3} = 5 of 6 movies
    expect(m.coverage).toBeCloseTo(5 / 6, 12);
    expect(result).toMatchObject({ protocol: 'S', dataset: 'tiny', k: 3, seed: 42, users: 2 });
    expect(log.created).toBe(1);
    expect(log.disposed).toBe(1);
  });

  it('never lets a user’s test item into training or the history (larger data)', async () => {
    const big = makeDataset(mediumRows());
    const log = newLog();
    await runProtocol('S', big, [spec(log, () => spyScorer(log, () => 0))]);
    const split = leaveOneOutSplit(big.ratings);
    const test = new Set(rowsOf(split.test).map(([u, m]) => `${u}:${m}`));
    for (const [u, m] of log.fits[0]!.train) expect(test.has(`${u}:${m}`)).toBe(false);
    for (const [u, m] of log.fits[0]!.validation!) expect(test.has(`${u}:${m}`)).toBe(false);
    for (const h of log.scored.flatMap((s) => s.histories)) {
      for (const item of h.items) expect(test.has(`${h.userId}:${item.movieId}`)).toBe(false);
      // the history is the user's timeline minus its last row
      const rows = userTimelines(big.ratings).get(h.userId!)!;
      expect(h.items.map((i) => i.movieId)).toEqual(
        Array.from(rows.subarray(0, -1), (r) => big.ratings.movieIds[r]),
      );
    }
  });
});

describe('protocol T', () => {
  const data = makeDataset(mediumRows());

  it('fits on the 75% split and ranks the catalog minus the user’s training movies', async () => {
    const log = newLog();
    // A cheater that scores the history's own movies highest: the protocol must still exclude them.
    const cheat = (m: number, h: UserHistory) => (h.items.some((i) => i.movieId === m) ? 100 : 13 - m);
    const result = await runProtocol('T', data, [spec(log, () => spyScorer(log, cheat))], { k: 4 });
    const split = stratifiedRandomSplit(data.ratings, { trainRatio: 0.75, seed: 42 });
    expect(log.fits[0]!.train).toEqual(rowsOf(split.train));
    expect(log.fits[0]!.validation).toBeUndefined();
    // Reference computation, written out independently of the protocol's code.
    const train = new Map<number, number[]>();
    for (const [u, m] of rowsOf(split.train)) train.set(u, [...(train.get(u) ?? []), m]);
    const test = new Map<number, number[]>();
    for (const [u, m] of rowsOf(split.test)) test.set(u, [...(test.get(u) ?? []), m]);
    let ndcg = 0;
    let p = 0;
    let mapRel = 0;
    for (const [u, rel] of test) {
      const seen = new Set(train.get(u));
      const ranked = Array.from({ length: 12 }, (_, i) => i + 1)
        .filter((m) => !seen.has(m))
        .sort((a, b) => 13 - b - (13 - a) || a - b)
        .slice(0, 4);
      ndcg += metrics.ndcgAtK(ranked, rel, 4);
      p += metrics.precisionAtK(ranked, rel, 4);
      mapRel += metrics.mapRelAtK(ranked, rel, 4);
    }
    const m = result.results[0]!.metrics;
    expect(m['NDCG@4']).toBeCloseTo(ndcg / test.size, 12);
    expect(m['P@4']).toBeCloseTo(p / test.size, 12);
    expect(m['MAPrel@4']).toBeCloseTo(mapRel / test.size, 12);
    // histories are each user's training rows in stable time order, with demographics
    for (const h of log.scored.flatMap((s) => s.histories)) {
      const rows = userTimelines(split.train).get(h.userId!)!;
      expect(h.items.map((i) => i.movieId)).toEqual(Array.from(rows, (r) => split.train.movieIds[r]));
      expect(h.user).toEqual({
        age: 20 + h.userId!,
        gender: h.userId! % 2 === 0 ? 'F' : 'M',
        occupation: 'student',
      });
    }
    expect(result.users).toBe(8);
  });

  it('reports popularity with a fresh instance and the K asked for', async () => {
    const result = await runProtocol(
      'T',
      data,
      [{ name: 'pop', kind: 'baseline', create: () => new PopularityBaseline() }],
      { k: 5 },
    );
    const keys = Object.keys(result.results[0]!.metrics);
    expect(keys).toEqual([
      'P@5',
      'R@5',
      'F1@5',
      'NDCG@5',
      'MAP@5',
      'MAPrel@5',
      'HR@5',
      'MRR@5',
      'coverage',
      'diversity',
      'novelty',
    ]);
    for (const v of Object.values(result.results[0]!.metrics)) expect(Number.isFinite(v)).toBe(true);
  });

  it('caps the evaluated users with a seeded sample', async () => {
    const log = newLog();
    const a = await runProtocol('T', data, [spec(log, () => spyScorer(log, () => 0))], { users: 3 });
    expect(a.users).toBe(3);
    const users = log.scored.flatMap((s) => s.histories.map((h) => h.userId));
    expect(users).toHaveLength(3);
    const log2 = newLog();
    await runProtocol('T', data, [spec(log2, () => spyScorer(log2, () => 0))], { users: 3 });
    expect(log2.scored.flatMap((s) => s.histories.map((h) => h.userId))).toEqual(users);
    expect(log.fits[0]!.train.length).toBe(stratifiedRandomSplit(data.ratings).train.length); // training is not cut
  });
});

describe('protocol K', () => {
  // 10 users with 7 ratings each: user u rates movies u..u+6 (mod 12, 1-based), times with ties.
  const rows: Row[] = [];
  for (let u = 1; u <= 10; u++)
    for (let j = 0; j < 7; j++) rows.push([u, ((u + j - 1) % 12) + 1, 3, 10 + Math.floor(j / 2)]);
  const data = makeDataset(rows, { movieCount: 12 });

  it('trains without held-out users and evaluates them cold', async () => {
    const log = newLog();
    const result = await runProtocol('K', data, [spec(log, () => spyScorer(log, (m) => -m))], { k: 3 });
    const hold = userHoldoutSplit(data.ratings, { fraction: 0.2, seed: 42 });
    expect(hold.heldOutUsers).toHaveLength(2);
    const held = new Set(hold.heldOutUsers);
    expect(log.fits[0]!.train).toEqual(rowsOf(hold.train));
    for (const [u] of log.fits[0]!.train) expect(held.has(u)).toBe(false);
    const histories = log.scored.flatMap((s) => s.histories);
    for (const h of histories) expect(h.userId).toBeUndefined();
    const cold = histories.filter((h) => h.items.length === 0);
    const warm = histories.filter((h) => h.items.length > 0);
    expect(cold).toHaveLength(2);
    expect(warm).toHaveLength(2);
    expect(cold[0]!.user).toEqual({
      age: 20 + hold.heldOutUsers[0]!,
      gender: expect.any(String),
      occupation: 'student',
    });
    // first 5 ratings in stable time order = the first 5 rows of the user (times 10,10,11,11,12 in file order)
    const u0 = hold.heldOutUsers[0]!;
    expect(warm[0]!.items.map((i) => i.movieId)).toEqual(
      rows
        .filter((r) => r[0] === u0)
        .slice(0, 5)
        .map((r) => r[1]),
    );
    expect(result.results.map((r) => r.scenario)).toEqual(['demographics', 'demographics+5']);
    // Scores −movieId: the lowest ids win. For each held-out user u (movies u..u+6 wrapped):
    const expected = { demographics: 0, plus5: 0 };
    for (const u of hold.heldOutUsers) {
      const mine = rows.filter((r) => r[0] === u).map((r) => r[1]);
      expected.demographics += metrics.precisionAtK([1, 2, 3], mine, 3);
      const first = new Set(mine.slice(0, 5));
      const ranked = Array.from({ length: 12 }, (_, i) => i + 1)
        .filter((m) => !first.has(m))
        .slice(0, 3);
      expected.plus5 += metrics.precisionAtK(ranked, mine.slice(5), 3);
    }
    expect(result.results[0]!.metrics['P@3']).toBeCloseTo(expected.demographics / 2, 12);
    expect(result.results[1]!.metrics['P@3']).toBeCloseTo(expected.plus5 / 2, 12);
    expect(result.users).toBe(2);
  });
});

describe('protocols R and C', () => {
  // Two hand-made folds over 3 users and 4 movies.
  const all: Row[] = [
    [1, 1, 5, 1],
    [1, 2, 4, 2],
    [1, 3, 2, 2],
    [2, 1, 4, 1],
    [2, 2, 1, 3],
    [2, 4, 5, 2],
    [3, 3, 3, 5],
    [3, 4, 4, 4],
  ];
  const data = makeDataset(all, { movieCount: 4 });
  const folds: FoldSplit[] = [
    { name: 'u1', train: table(all.slice(0, 6)), test: table(all.slice(6)) },
    { name: 'u2', train: table(all.slice(2)), test: table(all.slice(0, 2)) },
  ];

  it('R: history = base ratings in time order; RMSE and MAE per fold, mean and u1', async () => {
    const log = newLog();
    const result = await runProtocol(
      'R',
      data,
      [
        spec(log, () =>
          spyScorer(
            log,
            () => 0,
            () => 3,
          ),
        ),
      ],
      { folds },
    );
    expect(log.created).toBe(2);
    expect(log.disposed).toBe(2);
    expect(log.fits.map((f) => f.train)).toEqual([all.slice(0, 6), all.slice(2)]);
    // fold u1: user 3 has no base rating → empty history; predicted 3 vs actual 3, 4
    expect(log.predicted[0]!.histories).toEqual([{ userId: 3, items: [], user: expect.any(Object) }]);
    // fold u2: user 1's base = m3 (t2); test m1, m2
    expect(log.predicted[1]!.histories[0]!.items).toEqual([{ movieId: 3, rating: 2, timestamp: 2 }]);
    expect(log.predicted[1]!.movieIds).toEqual([[1, 2]]);
    // u1: errors 0, −1 → RMSE sqrt(1/2), MAE 1/2; u2: errors −2, −1 → RMSE sqrt(5/2), MAE 3/2
    const row = result.results[0]!;
    expect(row.perFold!.map((f) => f.metrics)).toEqual([
      { RMSE: Math.sqrt(0.5), MAE: 0.5 },
      { RMSE: Math.sqrt(2.5), MAE: 1.5 },
    ]);
    expect(row.metrics.RMSE).toBeCloseTo((Math.sqrt(0.5) + Math.sqrt(2.5)) / 2, 12);
    expect(row.metrics.MAE).toBe(1);
    expect(row.metrics.RMSE_u1).toBe(Math.sqrt(0.5));
    expect(row.metrics.MAE_u1).toBe(0.5);
  });

  it('R: leaves out ranking-only models with a note, and needs folds', async () => {
    const log = newLog();
    const result = await runProtocol('R', data, [spec(log, () => spyScorer(log, () => 0), 'ranker')], {
      folds,
    });
    expect(result.results).toEqual([]);
    expect(result.notes.join('\n')).toMatch(/ranker: left out \(no predictRatings/);
    expect(log.disposed).toBe(log.created);
    await expect(runProtocol('R', data, [])).rejects.toThrow(ConfigError);
    await expect(runProtocol('C', data, [], { folds: [] })).rejects.toThrow(/folds/);
  });

  it('C: tunes the threshold on a 90/10 slice of the base, predicts the test with the full base, adds trivial rows', async () => {
    const big = makeDataset(mediumRows());
    const rows = mediumRows();
    const bigFolds: FoldSplit[] = [
      {
        name: 'u1',
        train: table(rows.filter((_, i) => i % 5 !== 0)),
        test: table(rows.filter((_, i) => i % 5 === 0)),
      },
    ];
    const log = newLog();
    // Predicted rating: movie id mod 5 + 1, whoever the user.
    const rating = (m: number) => (m % 5) + 1;
    const result = await runProtocol('C', big, [spec(log, () => spyScorer(log, () => 0, rating))], {
      folds: bigFolds,
    });
    const slice = stratifiedRandomSplit(bigFolds[0]!.train, { trainRatio: 0.9, seed: 42 });
    expect(log.fits[0]!.train).toEqual(rowsOf(slice.train));
    expect(log.fits[0]!.validation).toEqual(rowsOf(slice.test));
    // first predict call: the validation slice with the 90% as history; second: the test with the full base
    const valHist = log.predicted[0]!.histories;
    const baseHist = log.predicted.at(-1)!.histories;
    const sliceTl = userTimelines(slice.train);
    const baseTl = userTimelines(bigFolds[0]!.train);
    for (const h of valHist) expect(h.items.length).toBe(sliceTl.get(h.userId!)?.length ?? 0);
    for (const h of baseHist) expect(h.items.length).toBe(baseTl.get(h.userId!)?.length ?? 0);
    // Reference: threshold from the validation slice, then the test labels.
    const valPred = slice.test.toArray().map((r) => (r.movieId % 5) + 1);
    const { threshold } = metrics.bestF1Threshold(
      valPred,
      slice.test.toArray().map((r) => r.rating >= 4),
    );
    const test = bigFolds[0]!.test.toArray();
    // predictions come grouped by user ascending; labels follow the same order
    const ordered = [...test].sort((a, b) => a.userId - b.userId);
    const pred = ordered.map((r) => (r.movieId % 5) + 1);
    const labels = ordered.map((r) => r.rating >= 4);
    const report = metrics.classificationReport(
      pred.map((p) => p >= threshold),
      labels,
    );
    const row = result.results[0]!;
    expect(row.perFold![0]!.metrics.threshold).toBe(threshold);
    expect(row.metrics.precision).toBeCloseTo(report.precision, 12);
    expect(row.metrics.recall).toBeCloseTo(report.recall, 12);
    expect(row.metrics.F1).toBeCloseTo(report.f1, 12);
    expect(row.metrics.AUC).toBeCloseTo(metrics.rocAuc(pred, labels), 12);
    expect(result.results.map((r) => r.name)).toEqual(['spy', 'always-liked', 'movie-mean']);
  });

  it('C: trivial predictors by hand', async () => {
    const result = await runProtocol('C', data, [], { folds: folds.slice(0, 1) });
    // fold u1 test: (3, m3, 3), (3, m4, 4) → liked: no, yes
    // always-liked: predicts both liked → tp 1, fp 1: precision 1/2, recall 1, F1 2/3, AUC 0.5
    const always = result.results.find((r) => r.name === 'always-liked')!;
    expect(always.metrics).toEqual({ precision: 0.5, recall: 1, F1: 2 / 3, AUC: 0.5 });
    // movie-mean on the base: m3 mean 2 (one rating), m4 mean 5 → liked: no, yes → perfect
    const movieMean = result.results.find((r) => r.name === 'movie-mean')!;
    expect(movieMean.metrics).toEqual({ precision: 1, recall: 1, F1: 1, AUC: 1 });
    expect(movieMean.notes).toEqual(['fixed threshold 4 (not tuned)']);
  });
});

describe('runProtocol plumbing', () => {
  const data = makeDataset(mediumRows());

  it('reports progress and stops on abort', async () => {
    const events: ProgressEvent[] = [];
    const log = newLog();
    await runProtocol('S', data, [spec(log, () => spyScorer(log, () => 0))], {
      onProgress: (e) => events.push(e),
    });
    expect(events[0]).toEqual({
      protocol: 'S',
      model: 'spy',
      stage: 'fit',
      fold: 'train',
      done: 0,
      total: 1,
    });
    expect(events.at(-1)).toMatchObject({ stage: 'score', done: 8, total: 8 });
    const controller = new AbortController();
    const log2 = newLog();
    const run = runProtocol(
      'T',
      data,
      [
        spec(log2, () => {
          const s = spyScorer(log2, () => 0);
          const originalFit = s.fit.bind(s);
          s.fit = async (d, o) => {
            controller.abort();
            return originalFit(d, o);
          };
          return s;
        }),
      ],
      { signal: controller.signal },
    );
    await expect(run).rejects.toThrow(AbortedError);
    expect(log2.disposed).toBe(1);
    expect(log2.fits[0]!.options.signal).toBe(controller.signal);
  });

  it('rejects bad options and a model that returns the wrong shape', async () => {
    await expect(runProtocol('X' as 'R', data, [])).rejects.toThrow(
      /protocol: expected one of 'R', 'C', 'T', 'S', 'K'/,
    );
    await expect(runProtocol('T', data, [], { k: 0 })).rejects.toThrow(ConfigError);
    await expect(runProtocol('T', data, [], { users: 0 })).rejects.toThrow(ConfigError);
    const log = newLog();
    const dup = spec(log, () => spyScorer(log, () => 0));
    await expect(runProtocol('T', data, [dup, dup])).rejects.toThrow(/unique model names/);
    const broken: Scorer = {
      ...spyScorer(log, () => 0),
      score: async (histories) => histories.map(() => new Float32Array(2)),
    };
    await expect(runProtocol('T', data, [spec(log, () => broken)])).rejects.toThrow(StateError);
  });

  it('the protocol decides the validation data, never the caller', async () => {
    const log = newLog();
    await runProtocol('T', data, [spec(log, () => spyScorer(log, () => 0))], {
      fitOptions: { validation: data.ratings, onEpochEnd: () => {} },
    });
    expect(log.fits[0]!.validation).toBeUndefined();
    expect(typeof log.fits[0]!.options.onEpochEnd).toBe('function');
  });
});
