import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecommender } from '../src/create-recommender';
import { MovieIndex } from '../src/data/catalog';
import { generateSyntheticCatalog } from '../src/data/synthetic';
import { RatingTable, type UserHistory } from '../src/data/types';
import { ConfigError, StateError } from '../src/errors';
import { easeWeights } from '../src/model/item-item';
import { RANKING_LOSSES, type RankingLoss, SequenceRNN } from '../src/model/sequence-rnn';
import { holdOutPart, holdOutValidation, type RecommenderPipeline, windowsPerBatch } from '../src/pipeline';
import type { FitSummary } from '../src/recommend/types';
import { Rng } from '../src/util/random';

// 60 users × 25 ratings over 80 movies: small enough for a 2-epoch fit in a few seconds on either backend.
const data = generateSyntheticCatalog({ users: 60, movies: 80, ratingsPerUser: 25, seed: 5 });
const titleOf = new Map(data.movies.map((m) => [m.id, m.title]));
const { min, max } = data.ratingScale;

/** Each user's rated movie ids, in file order (which is time order for synthetic data). */
const ratedBy = new Map<number, number[]>();
for (const r of data.ratings) ratedBy.set(r.userId, [...(ratedBy.get(r.userId) ?? []), r.movieId]);

const SMALL = {
  seed: 3,
  model: { hiddenSize: 16, embeddingSize: 8, maxLength: 20, windowStride: 10 },
  training: { epochs: 2, batchSize: 32 },
};

describe.each(['cpu', 'wasm'] as const)('RecommenderPipeline on %s', (backend) => {
  let rec: RecommenderPipeline;
  let summary: FitSummary;
  let startTensors = 0;
  const user = data.users[0]!.id;

  beforeAll(async () => {
    rec = await createRecommender({ ...SMALL, backend });
    startTensors = tf.memory().numTensors;
    summary = await rec.fit(data);
  });

  afterAll(() => {
    rec.dispose();
  });

  it('runs on the backend it was given and fits: one log per epoch, finite losses, validation metrics', () => {
    expect(rec.backend).toBe(backend);
    expect(tf.getBackend()).toBe(backend);
    expect(rec.fitted).toBe(true);
    expect(rec.name).toBe('lstm');
    expect(summary.epochs).toBe(2);
    expect(summary.history).toHaveLength(2);
    for (const log of summary.history) {
      expect(Number.isFinite(log.loss)).toBe(true);
      // 'auto' validation holds out the last rating of 10% of the users: 6 of 60.
      expect(log.metrics?.['NDCG@10']).toBeGreaterThanOrEqual(0);
      expect(log.metrics?.['HR@10']).toBeLessThanOrEqual(1);
    }
    expect(rec.fitSummary).toBe(summary);
    expect(rec.knownUsers().sort((a, b) => a - b)).toEqual(data.users.map((u) => u.id).sort((a, b) => a - b));
  });

  it('recommend(userId) gives k unseen movies with titles, ranks 1..k, scores best first', async () => {
    const list = await rec.recommend(user, { k: 7 });
    expect(list).toHaveLength(7);
    expect(list.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const seen = new Set(ratedBy.get(user));
    for (const r of list) {
      expect(seen.has(r.movieId)).toBe(false);
      expect(r.title).toBe(titleOf.get(r.movieId));
      expect(r.predictedRating!).toBeGreaterThanOrEqual(min);
      expect(r.predictedRating!).toBeLessThanOrEqual(max);
    }
    expect(new Set(list.map((r) => r.movieId)).size).toBe(7);
    for (let i = 1; i < list.length; i++) expect(list[i]!.score).toBeLessThanOrEqual(list[i - 1]!.score);
    // The default k is 10.
    expect(await rec.recommend(user)).toHaveLength(10);
  });

  it('honours excludeSeen: false, exclude and candidates', async () => {
    const seen = ratedBy.get(user)!;
    const all = await rec.recommend(user, { k: 80, excludeSeen: false });
    expect(all).toHaveLength(80);
    const top = (await rec.recommend(user, { k: 3 })).map((r) => r.movieId);
    const without = (await rec.recommend(user, { k: 3, exclude: [top[0]!] })).map((r) => r.movieId);
    expect(without).not.toContain(top[0]);
    expect(without.slice(0, 2)).toEqual(top.slice(1));
    const pool = [seen[0]!, top[2]!, top[1]!];
    const among = (await rec.recommend(user, { k: 5, candidates: pool })).map((r) => r.movieId);
    // The seen movie is still left out; the two others come in score order.
    expect(among).toEqual([top[1], top[2]]);
  });

  it('recommend(history) serves a new user; unknown movies in a history are ignored', async () => {
    const other = ratedBy.get(data.users[1]!.id)!;
    const history: UserHistory = { items: other.slice(0, 5).map((movieId) => ({ movieId, rating: 4 })) };
    const list = await rec.recommend(history, { k: 6 });
    expect(list).toHaveLength(6);
    for (const r of list) expect(other.slice(0, 5)).not.toContain(r.movieId);
    const withUnknown = await rec.recommend(
      { items: [...history.items, { movieId: 999_999, rating: 5 }] },
      { k: 6 },
    );
    expect(withUnknown).toEqual(list);
  });

  it('an empty history with demographics gets a list too (cold start)', async () => {
    const young = await rec.recommend(
      { items: [], user: { age: 19, gender: 'F', occupation: 'student' } },
      { k: 5 },
    );
    const old = await rec.recommend(
      { items: [], user: { age: 66, gender: 'M', occupation: 'retired' } },
      { k: 5 },
    );
    expect(young).toHaveLength(5);
    expect(old).toHaveLength(5);
    // Demographics feed the profile that sets the initial state: the scores differ.
    expect(young.map((r) => r.score)).not.toEqual(old.map((r) => r.score));
    // A history of only unknown movies is the same as an empty one.
    const nothing = await rec.recommend({ items: [{ movieId: 999_999 }] }, { k: 5 });
    expect(nothing).toEqual(await rec.recommend({ items: [] }, { k: 5 }));
  });

  it('recommend(unknown id) throws ConfigError', async () => {
    await expect(rec.recommend(123_456)).rejects.toBeInstanceOf(ConfigError);
    await expect(rec.predictRating(123_456, data.movies[0]!.id)).rejects.toBeInstanceOf(ConfigError);
  });

  it('recommendMany equals one recommend per user', async () => {
    const users = data.users.slice(0, 4).map((u) => u.id);
    const many = await rec.recommendMany(users, { k: 4 });
    for (let i = 0; i < users.length; i++) expect(many[i]).toEqual(await rec.recommend(users[i]!, { k: 4 }));
  });

  it('predictRating stays within the rating scale; an unknown movie gets the mean training rating', async () => {
    for (const m of data.movies.slice(0, 10)) {
      const r = await rec.predictRating(user, m.id);
      expect(r).toBeGreaterThanOrEqual(min);
      expect(r).toBeLessThanOrEqual(max);
    }
    const unknown = await rec.predictRating(user, 999_999);
    expect(unknown).toBeGreaterThan(min);
    expect(unknown).toBeLessThan(max);
    // …the same for a new user.
    expect(await rec.predictRating({ items: [] }, 999_999)).toBe(unknown);
  });

  it('predictRatings needs one movie list per history', async () => {
    await expect(rec.predictRatings([{ items: [] }], [[1], [2]])).rejects.toBeInstanceOf(ConfigError);
  });

  it('score() is aligned with the candidates, -Infinity for unknown ids, and agrees with recommend', async () => {
    const top = await rec.recommend(user, { k: 2 });
    // The user's stored history, as recommend(userId) reads it: rated movies in time order.
    const history: UserHistory = {
      userId: user,
      items: data.ratings
        .toArray()
        .filter((r) => r.userId === user)
        .map((r) => ({ movieId: r.movieId, rating: r.rating, timestamp: r.timestamp })),
    };
    const candidates = [top[1]!.movieId, 999_999, top[0]!.movieId, -5];
    const rows = await rec.score([{ items: [] }, history], candidates);
    expect(rows).toHaveLength(2);
    const scores = rows[1]!;
    expect(scores).toHaveLength(4);
    expect(scores[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(scores[3]).toBe(Number.NEGATIVE_INFINITY);
    expect(scores[0]).toBe(top[1]!.score);
    expect(scores[2]).toBe(top[0]!.score);
  });

  it('allocates no tensor across 1,000 recommend calls', async () => {
    await rec.recommend(user, { k: 5 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      const u = data.users[i % data.users.length]!.id;
      await rec.recommend(i % 10 === 0 ? { items: [{ movieId: data.movies[i % 80]!.id }] } : u, { k: 5 });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a second fit retrains from scratch without leaking the first model', async () => {
    const before = tf.memory().numTensors;
    const again = await rec.fit(data);
    expect(again.history.map((h) => h.loss)).toEqual(summary.history.map((h) => h.loss));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dispose frees every tensor (back to the count before fit); the pipeline then throws StateError', async () => {
    rec.dispose();
    expect(tf.memory().numTensors).toBe(startTensors);
    await expect(rec.recommend(user)).rejects.toBeInstanceOf(StateError);
    await expect(rec.score([{ items: [] }], [1])).rejects.toBeInstanceOf(StateError);
    await expect(rec.fit(data)).rejects.toBeInstanceOf(StateError);
    expect(() => rec.knownUsers()).toThrow(StateError);
    rec.dispose(); // a second dispose is harmless
  });
});

describe('RecommenderPipeline before fit', () => {
  it('throws StateError from every method that needs a trained model', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu' });
    expect(rec.fitted).toBe(false);
    expect(rec.fitSummary).toBeNull();
    await expect(rec.recommend(1)).rejects.toBeInstanceOf(StateError);
    await expect(rec.recommend({ items: [] })).rejects.toBeInstanceOf(StateError);
    await expect(rec.predictRating(1, 1)).rejects.toBeInstanceOf(StateError);
    await expect(rec.score([{ items: [] }], [1])).rejects.toBeInstanceOf(StateError);
    await expect(
      rec.save({
        save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      }),
    ).rejects.toBeInstanceOf(StateError);
    expect(() => rec.knownUsers()).toThrow(StateError);
    rec.dispose();
  });

  it('fit refuses a data set without ratings', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu' });
    const empty = { ...data, ratings: data.ratings.select([]) };
    await expect(rec.fit(empty)).rejects.toBeInstanceOf(ConfigError);
    rec.dispose();
  });

  it('an abort signal stops fit cleanly; the pipeline is still usable', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu', training: { epochs: 5, batchSize: 32 } });
    const controller = new AbortController();
    const s = await rec.fit(data, { signal: controller.signal, onBatchEnd: () => controller.abort() });
    expect(s.aborted).toBe(true);
    // The epoch cut short after its first batch is not counted; the weights of that batch are kept.
    expect(s.epochs).toBe(0);
    expect(await rec.recommend(data.users[0]!.id, { k: 3 })).toHaveLength(3);
    rec.dispose();
  });
});

describe('model.tasteSamples', () => {
  it('draws that many taste samples of each user per epoch (more taste batches, same next-movie batches)', async () => {
    const batchesPerEpoch = async (tasteSamples: number, tasteWeight = 1): Promise<number> => {
      const rec = await createRecommender({
        ...SMALL,
        backend: 'cpu',
        model: { ...SMALL.model, tasteSamples, tasteWeight },
        training: { epochs: 1, batchSize: 32, validation: 'none' },
      });
      let batches = 0;
      await rec.fit(data, { onBatchEnd: (info) => (batches = info.batches) });
      rec.dispose();
      return batches;
    };
    const windows = await batchesPerEpoch(1, 0);
    // 60 users, 32 per batch: 2 taste batches for one sample each, 6 for three.
    expect(await batchesPerEpoch(1)).toBe(windows + 2);
    expect(await batchesPerEpoch(3)).toBe(windows + 6);
  });
});

describe('model.historySize', () => {
  it('adds the whole-history path to the taste head (saved); without the taste objective none', async () => {
    // No profiles or content: only the bag can tell apart movies older than the last maxLength (20).
    const fitted = async (historySize: number, tasteWeight = 1) => {
      const rec = await createRecommender({
        ...SMALL,
        backend: 'cpu',
        profiler: false,
        features: false,
        model: { ...SMALL.model, historySize, tasteWeight, scoring: 'taste' },
        training: { epochs: 1, batchSize: 32, validation: 'none' },
      });
      await rec.fit(data);
      return rec;
    };
    const encoderShape = async (rec: RecommenderPipeline) => {
      let shape: number[] | undefined;
      await rec.save({
        save: async (artifacts) => {
          shape = artifacts.weightSpecs!.find((w) => w.name === 'history_encoder/kernel')?.shape;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        },
      });
      return shape;
    };
    // Two users with the same last 25 movies and different older ones.
    const ids = data.movies.map((m) => m.id);
    const recent = ids.slice(0, 25).map((movieId) => ({ movieId, rating: 4 }));
    const older = (from: number) => ids.slice(from, from + 10).map((movieId) => ({ movieId, rating: 4 }));
    const users = [{ items: [...older(30), ...recent] }, { items: [...older(50), ...recent] }];
    const scoresOf = async (rec: RecommenderPipeline) =>
      (await rec.score(users, ids)).map((row) => Array.from(row));

    const rec = await fitted(6);
    expect(await encoderShape(rec)).toEqual([data.movies.length, 6]);
    const [a, b] = await scoresOf(rec);
    expect(a).not.toEqual(b);
    rec.dispose();
    // Without the path the recurrence alone reads them: the same last 20 movies, the same scores.
    const recurrent = await fitted(0);
    const [c, d] = await scoresOf(recurrent);
    expect(c).toEqual(d);
    recurrent.dispose();
    const plain = await fitted(6, 0);
    expect(await encoderShape(plain)).toBeUndefined();
    plain.dispose();
  });
});

describe("model.historyLinearInit: 'ease'", () => {
  it('starts the movie-to-movie matrix at EASE × the fitted scale and the taste bias at zero, and says so in the notes', async () => {
    let start: Float32Array | undefined;
    let tasteBias: Float32Array | undefined;
    const rec = await createRecommender({
      ...SMALL,
      backend: 'cpu',
      profiler: false,
      features: false,
      model: { ...SMALL.model, historyLinear: true, historyLinearInit: 'ease', historyLinearLambda: 20 },
      training: { epochs: 1, batchSize: 32, validation: 'none' },
      sequenceModel: (config, init) => {
        start = init.historyItems;
        tasteBias = init.tasteBias;
        return SequenceRNN.create(config, init);
      },
    });
    const summary = await rec.fit(data);
    // The expected weights from the same interactions: every user's distinct movies, catalog positions.
    const catalog = MovieIndex.fromDataset(data);
    const M = catalog.size;
    const byUser = new Map<number, Set<number>>();
    for (const r of data.ratings) {
      const set = byUser.get(r.userId) ?? new Set<number>();
      set.add(catalog.indexOf(r.movieId));
      byUser.set(r.userId, set);
    }
    const users = [...byUser.values()].map((set) => [...set]);
    const offsets = [0];
    for (const u of users) offsets.push(offsets[offsets.length - 1]! + u.length);
    const B = easeWeights({ offsets: Int32Array.from(offsets), items: Int32Array.from(users.flat()) }, M, 20);
    expect(start).toHaveLength(M * M);
    // EASE already carries popularity: the taste head's bias starts at zero (the ranking head keeps log popularity).
    expect(tasteBias).toEqual(new Float32Array(M));
    const at = B.findIndex((v) => Math.abs(v) > 1e-3);
    const alpha = start![at]! / B[at]!;
    expect(Math.log2(alpha) * 2).toBeCloseTo(Math.round(Math.log2(alpha) * 2), 3); // one of 2^(k/2)
    for (let i = 0; i < M * M; i++) expect(start![i]!).toBeCloseTo(alpha * B[i]!, 4);
    expect(
      summary.notes?.some((n) =>
        n.startsWith(`movie-to-movie path started from EASE (λ 20) × ${alpha.toPrecision(3)}`),
      ),
    ).toBe(true);
    rec.dispose();
  });

  it('refuses catalogs above 20,000 movies with a ConfigError before any large allocation', async () => {
    const big = generateSyntheticCatalog({ users: 4, movies: 20_001, ratingsPerUser: 3, seed: 1 });
    const rec = await createRecommender({
      ...SMALL,
      backend: 'cpu',
      profiler: false,
      features: false,
      model: { ...SMALL.model, historyLinear: true, historyLinearInit: 'ease' },
      training: { epochs: 1, batchSize: 32, validation: 'none' },
    });
    await expect(rec.fit(big)).rejects.toThrow(
      /model\.historyLinearInit: expected 'zero' for a catalog above 20000/,
    );
    rec.dispose();
  });
});

describe('RecommenderPipeline ranking losses on cpu', () => {
  const firstLosses = new Map<RankingLoss, number[]>();

  it.each(RANKING_LOSSES)(
    "model.loss '%s' fits and recommends k unseen movies; the same seed twice gives the same lists",
    async (loss) => {
      const run = async () => {
        const rec = await createRecommender({
          ...SMALL,
          backend: 'cpu',
          features: false,
          // 32 negatives a batch (of 80 movies) for the sampled losses; softmax ignores the option.
          model: { ...SMALL.model, loss, negatives: 32 },
          training: { ...SMALL.training, validation: 'none' },
        });
        const before = tf.memory().numTensors;
        const s = await rec.fit(data);
        const users = data.users.slice(0, 3).map((u) => u.id);
        const lists = await rec.recommendMany(users, { k: 6 });
        expect(rec.options.model.loss).toBe(loss);
        rec.dispose();
        expect(tf.memory().numTensors).toBe(before);
        return { losses: s.history.map((h) => h.loss), users, lists };
      };
      const a = await run();
      expect(a.losses).toHaveLength(2);
      for (const l of a.losses) expect(Number.isFinite(l)).toBe(true);
      a.users.forEach((user, i) => {
        const list = a.lists[i]!;
        expect(list).toHaveLength(6);
        expect(new Set(list.map((r) => r.movieId)).size).toBe(6);
        const seen = new Set(ratedBy.get(user));
        for (const r of list) expect(seen.has(r.movieId)).toBe(false);
      });
      // Negatives are drawn from the run's seed: a second run is identical.
      const b = await run();
      expect(b.losses).toEqual(a.losses);
      expect(b.lists).toEqual(a.lists);
      firstLosses.set(loss, a.losses);
    },
  );

  it('the three losses train differently', () => {
    expect(firstLosses.size).toBe(3);
    const firstEpoch = [...firstLosses.values()].map((l) => l[0]);
    expect(new Set(firstEpoch).size).toBe(3);
  });
});

describe('windowsPerBatch: the full softmax stays within 1 GiB a step', () => {
  it('keeps the requested batch for small catalogs and shrinks it for large ones', () => {
    // A window costs 4 copies × 4 bytes × movies × maxLength: 1,682 movies × 50 → 1,345,600 bytes, so 1 GiB holds 797.
    expect(windowsPerBatch(64, 1682, 50, 'softmax')).toBe(64);
    // 62,423 movies × 50 × 16 = 49,938,400 bytes a window: floor(1,073,741,824 / 49,938,400) = 21.
    expect(windowsPerBatch(64, 62_423, 50, 'softmax')).toBe(21);
    // Never below one window.
    expect(windowsPerBatch(64, 50_000_000, 50, 'softmax')).toBe(1);
    // The sampled losses do not materialise the catalog.
    expect(windowsPerBatch(64, 62_423, 50, 'sampled-softmax')).toBe(64);
  });
});

describe('holdOutPart: what a taste sample reads and predicts', () => {
  const n = 12;
  const seq = {
    items: Int32Array.from({ length: n }, (_, i) => 100 + i),
    ratings: Float32Array.from({ length: n }, (_, i) => i / n),
    times: Float64Array.from({ length: n }, (_, i) => 1000 + i),
  };

  it('splits a history into a kept and a held-out part, both in time order, at least one held out', () => {
    const rng = new Rng('holdout');
    let prefixOnly = 0;
    for (let draw = 0; draw < 400; draw++) {
      const { kept, held } = holdOutPart(seq, rng);
      expect(kept.items.length + held.items.length).toBe(n);
      expect(held.items.length).toBeGreaterThanOrEqual(1);
      const all = [...kept.items, ...held.items].sort((a, b) => a - b);
      expect(all).toEqual(Array.from(seq.items));
      for (const part of [kept.items, held.items]) {
        for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
      }
      // Ratings and times travel with their movies.
      kept.items.forEach((m, i) => {
        expect(kept.ratings[i]).toBeCloseTo((m - 100) / n, 6);
        expect(kept.times[i]).toBe(1000 + m - 100);
      });
      // A cold-start-like sample keeps a prefix of at most 5 movies.
      if (kept.items.length <= 5 && Array.from(kept.items).every((m, i) => m === 100 + i)) prefixOnly++;
    }
    // 30% of the draws keep only a prefix (0–5 movies), a random keep of 50–90% of 12 rarely looks like one.
    expect(prefixOnly / 400).toBeGreaterThan(0.2);
    expect(prefixOnly / 400).toBeLessThan(0.45);
  });

  it('is deterministic for a seed', () => {
    const a = holdOutPart(seq, new Rng(7));
    const b = holdOutPart(seq, new Rng(7));
    expect(Array.from(a.held.items)).toEqual(Array.from(b.held.items));
  });
});

describe('holdOutValidation', () => {
  // 200 users with 20 ratings each, timestamps increasing.
  const rows: Array<{ userId: number; movieId: number; rating: number; timestamp: number }> = [];
  for (let u = 1; u <= 200; u++)
    for (let m = 1; m <= 20; m++) rows.push({ userId: u, movieId: m, rating: 3, timestamp: m });
  const table = RatingTable.from(rows);

  it('holds out the last rating of a quarter of the users, at least 100', () => {
    const { train, validation } = holdOutValidation(table, 42, 0);
    // max(100, round(0.25 · 200) = 50) = 100 users, one rating each: movie 20, their last.
    expect(validation.length).toBe(100);
    expect(new Set(validation.userIds).size).toBe(100);
    expect(Array.from(new Set(validation.movieIds))).toEqual([20]);
    expect(train.length).toBe(4000 - 100);
  });

  it('with a random share, also a tenth of their other ratings', () => {
    const { validation } = holdOutValidation(table, 42, 0.1);
    // Each of the 100 users: the last rating plus round(0.1 · 19) = 2 others.
    expect(validation.length).toBe(100 * 3);
    expect(holdOutValidation(table, 42, 0.1).validation.toArray()).toEqual(validation.toArray());
  });

  it("'taste': a random share of every user's ratings, at least one, never all but one", () => {
    const { train, validation } = holdOutValidation(table, 42, 0.05, 'taste');
    // 200 users, round(0.05 · 20) = 1 rating each, anywhere in their history.
    expect(validation.length).toBe(200);
    expect(new Set(validation.userIds).size).toBe(200);
    expect(new Set(validation.movieIds).size).toBeGreaterThan(10);
    expect(train.length).toBe(4000 - 200);
    expect(holdOutValidation(table, 42, 0.2, 'taste').validation.length).toBe(200 * 4);
    // A user with 3 ratings keeps 2 whatever the share.
    const small = RatingTable.from(
      [1, 2, 3].map((m) => ({ userId: 999, movieId: m, rating: 4, timestamp: m })).concat(rows.slice(0, 200)),
    );
    const split = holdOutValidation(small, 1, 0.9, 'taste');
    expect(split.validation.userIds.filter((u) => u === 999).length).toBe(1);
  });
});

describe('content cold start of unrated movies', () => {
  // Two movies in the catalog that nobody rated: copies of a rated movie's content under new ids.
  const source = data.movies[0]!;
  const unrated = [
    { ...source, id: 9001, title: 'New A' },
    { ...source, id: 9002, title: 'New B', genres: [...data.genres.slice(0, 2)] },
  ];
  const withNew = { ...data, movies: [...data.movies, ...unrated] };

  it('gives them parameters regressed from content: reported, finite scores, recommendable', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu' });
    const summary = await rec.fit(withNew);
    // The two, and any synthetic movie whose few ratings all went to validation.
    expect(summary.coldMovies!.inferred).toBeGreaterThanOrEqual(2);
    expect(summary.coldMovies!.fittedOn).toBeGreaterThan(10);
    expect(summary.coldMovies!.columns).toBeGreaterThan(0);
    const [scores] = await rec.score([{ items: [{ movieId: data.movies[1]!.id, rating: 4 }] }], [9001, 9002]);
    expect(Number.isFinite(scores![0]!)).toBe(true);
    expect(scores![0]).not.toBe(scores![1]); // different content, different parameters
    const all = await rec.recommend({ items: [] }, { k: withNew.movies.length });
    expect(all.map((r) => r.movieId)).toEqual(expect.arrayContaining([9001, 9002]));
    rec.dispose();
  });

  it('model.contentColdStart: false leaves them as trained, without a report', async () => {
    const rec = await createRecommender({
      ...SMALL,
      backend: 'cpu',
      model: { ...SMALL.model, contentColdStart: false },
    });
    const summary = await rec.fit(withNew);
    expect(summary.coldMovies).toBeUndefined();
    rec.dispose();
  });

  it('without content features there is nothing to regress from', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu', features: false });
    expect((await rec.fit(withNew)).coldMovies).toBeUndefined();
    rec.dispose();
  });
});

describe('the user-group prior (recommender.groupWeight)', () => {
  const demographics = data.users[0]!;
  const newUser: UserHistory = { items: [], user: demographics };

  it('moves a cold-start list towards the groups, fades with history, and score() agrees with recommend', async () => {
    const rec = await createRecommender({ ...SMALL, backend: 'cpu', recommender: { groupWeight: 1 } });
    await rec.fit(data);
    expect(rec.parts.profiler!.groupCount).toBeGreaterThan(0);
    const k = 10;
    const withPrior = await rec.recommend(newUser, { k });
    const without = await rec.recommend(newUser, { k, groupWeight: 0 });
    expect(withPrior.map((r) => r.score)).not.toEqual(without.map((r) => r.score));
    // The prior's contribution: f(0) · ln(p + ε) with f(0) = 1.
    const ids = Array.from(withPrior, (r) => r.movieId);
    const p = rec.parts.profiler!.groupScores(newUser, ids);
    const epsilon = 1 / rec.knownUsers().length;
    const base = new Map(
      (await rec.recommend(newUser, { k: 80, groupWeight: 0 })).map((r) => [r.movieId, r.score]),
    );
    withPrior.forEach((r, i) => {
      expect(r.score).toBeCloseTo(base.get(r.movieId)! + Math.log(p[i]! + epsilon), 4);
    });
    const [scored] = await rec.score([newUser], ids);
    Array.from(scored!).forEach((v, i) => {
      expect(v).toBeCloseTo(withPrior[i]!.score, 4);
    });
    rec.dispose();
  });

  it('needs a profiler with groups', async () => {
    const rec = await createRecommender({
      ...SMALL,
      backend: 'cpu',
      profiler: false,
      recommender: { groupWeight: 1 },
    });
    await rec.fit(data);
    await expect(rec.recommend(newUser)).rejects.toThrow(ConfigError);
    expect((await rec.recommend(newUser, { groupWeight: 0 })).length).toBe(10);
    rec.dispose();
  });
});

// On wasm with the whole-history path as well (its encoder rows and taste columns grow with the catalog), and
// with the movie-to-movie path (its catalog × catalog matrix grows in both directions).
describe.each([
  ['cpu', 'no history path', {}],
  ['wasm', 'historySize 4', { historySize: 4 }],
  ['cpu', 'historyLinear', { historyLinear: true }],
] as const)('addMovies on %s (%s): new movies after fit, from content', (backend, _label, paths) => {
  const source = data.movies[2]!;
  const added = [
    { ...source, id: 9101, title: 'Arrived A' },
    { ...source, id: 9102, title: 'Arrived B', genres: [...data.genres.slice(1, 3)] },
  ];
  const user = data.users[1]!.id;

  it('grows the catalog, keeps every old score, scores the new movies and saves them', async () => {
    const rec = await createRecommender({ ...SMALL, backend, model: { ...SMALL.model, ...paths } });
    await rec.fit(data);
    const oldIds = data.movies.map((m) => m.id);
    const [before] = await rec.score([{ items: [{ movieId: oldIds[0]!, rating: 5 }] }], oldIds);
    const ratedBefore = await rec.predictRating(user, oldIds[3]!);
    const tensors = tf.memory().numTensors;
    const report = await rec.addMovies([...added, { ...data.movies[0]! }]);
    expect(tf.memory().numTensors).toBe(tensors); // the old network is freed
    expect(report.added).toEqual([9101, 9102]);
    expect(report.alreadyKnown).toEqual([data.movies[0]!.id]);
    expect(report.coldStart!.inferred).toBe(2);
    const [after] = await rec.score(
      [{ items: [{ movieId: oldIds[0]!, rating: 5 }] }],
      [...oldIds, 9101, 9102],
    );
    // Old movies keep their parameters: their scores move together by one constant per user (the blend's
    // log-softmax normalisers now include the new movies), so their order does not change.
    const shift = after![0]! - before![0]!;
    Array.from(before!).forEach((v, i) => {
      expect(after![i]! - shift).toBeCloseTo(v, 4);
    });
    expect(Number.isFinite(after![oldIds.length]!)).toBe(true);
    expect(after![oldIds.length]).not.toBe(after![oldIds.length + 1]);
    expect(await rec.predictRating(user, oldIds[3]!)).toBeCloseTo(ratedBefore, 5);
    // Known users keep their histories (their seen movies are still filtered out).
    const list = await rec.recommend(user, { k: 90 });
    const seen = new Set(ratedBy.get(user));
    expect(list.some((r) => seen.has(r.movieId))).toBe(false);
    expect(list.map((r) => r.movieId)).toEqual(expect.arrayContaining([9101, 9102]));
    expect(list.find((r) => r.movieId === 9101)!.title).toBe('Arrived A');
    // The FeatureExtractor knows them: their rows are their content rows, and "more like this" finds them.
    const features = rec.parts.features!;
    expect(features.has(9101)).toBe(true);
    expect(Array.from(features.transform([9101, 9102]))).toEqual(Array.from(features.transformMovies(added)));
    expect(features.similar(9101, 3)).toHaveLength(3);
    expect(features.similar(source.id, 200).map((m) => m.movieId)).toEqual(
      expect.arrayContaining([9101, 9102]),
    );
    // Saved and loaded with the new movies.
    const saved: { artifacts?: tf.io.ModelArtifacts } = {};
    await rec.save({
      save: async (artifacts) => {
        saved.artifacts = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    const { loadRecommender } = await import('../src/create-recommender');
    const loaded = await loadRecommender(tf.io.fromMemory(saved.artifacts!), { backend });
    const [reloaded] = await loaded.score([{ items: [{ movieId: oldIds[0]!, rating: 5 }] }], [9101, 9102]);
    expect(reloaded![0]).toBeCloseTo(after![oldIds.length]!, 5);
    loaded.dispose();
    rec.dispose();
  });

  it('refuses bad input, and works only with content features', async () => {
    const rec = await createRecommender({ ...SMALL, backend });
    await expect(rec.addMovies(added)).rejects.toThrow(StateError);
    await rec.fit(data);
    await expect(rec.addMovies([added[0]!, added[0]!])).rejects.toThrow(ConfigError);
    await expect(rec.addMovies([{ id: 1.5 } as never])).rejects.toThrow(ConfigError);
    expect(await rec.addMovies([])).toEqual({ added: [], alreadyKnown: [], coldStart: null });
    rec.dispose();
    const plain = await createRecommender({ ...SMALL, backend, features: false });
    await plain.fit(data);
    await expect(plain.addMovies(added)).rejects.toThrow(StateError);
    plain.dispose();
  });
});
