/**
 * tuneRecommender on a tiny synthetic catalog: one-epoch trials, a spy on what each trial trains on (the
 * protocol's test part must never be there), and the refusals that come before any training.
 */
import { describe, expect, it } from 'vitest';
import { stratifiedRandomSplit, userTimelines } from '../../src/data/split';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import type { Dataset, RatingTable } from '../../src/data/types';
import { ConfigError } from '../../src/errors';
import { FeatureExtractor, type FeatureFitOptions } from '../../src/features/feature-extractor';
import { type TuneOptions, tuneRecommender } from '../../src/tune-recommender';

const data = generateSyntheticCatalog({ users: 30, movies: 40, ratingsPerUser: 12, seed: 3, content: false });

/** Records the ratings of every fit (the pipeline fits its FeatureExtractor on exactly its training ratings). */
class SpyFeatures extends FeatureExtractor {
  readonly fits: RatingTable[] = [];
  override async fit(dataset: Dataset, options?: FeatureFitOptions): Promise<this> {
    this.fits.push(dataset.ratings);
    return super.fit(dataset, options);
  }
}

function keys(table: RatingTable): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < table.length; i++) out.add(`${table.userIds[i]}:${table.movieIds[i]}`);
  return out;
}

const tiny = {
  backend: 'cpu' as const,
  model: { hiddenSize: 8, embeddingSize: 4, maxLength: 10, windowStride: 5 },
  training: { batchSize: 32, validation: 'none' as const },
  profiler: false as const,
};

describe('tuneRecommender', () => {
  it('protocol S: scores each configuration on the validation item, never on the test item', async () => {
    const spy = new SpyFeatures({ seed: 1 });
    const result = await tuneRecommender(data, {
      protocol: 'S',
      strategy: 'grid',
      space: { learningRate: [0.01, 0.003] },
      epochs: 1,
      base: { ...tiny, features: spy },
    });
    expect(result.protocol).toBe('S');
    expect(result.metric).toBe('NDCG@10');
    expect(result.direction).toBe('higher');
    expect(result.trials.map((t) => [t.config.learningRate, t.status, t.epochs])).toEqual([
      [0.01, 'ok', 1],
      [0.003, 'ok', 1],
    ]);
    for (const t of result.trials) {
      expect(t.metric).toBeGreaterThanOrEqual(0);
      expect(t.metric).toBeLessThanOrEqual(1);
      expect(t.details?.['NDCG@10']).toBe(t.metric);
    }
    expect(result.bestOptions?.training).toMatchObject({
      learningRate: result.best!.config.learningRate,
      epochs: 1,
      batchSize: 32,
    });
    // Each user has 12 ratings. The full protocol S tests on the last (stable time order) and validates on the
    // second to last; tuning drops the last and runs S again, so it scores the second to last, stops early on
    // the third to last, and trains on the first 9. (Without the validation split a trial would train on 10.)
    const heldOut = new Set<string>();
    for (const rows of userTimelines(data.ratings).values()) {
      expect(rows.length).toBe(12);
      for (const r of rows.subarray(9)) heldOut.add(`${data.ratings.userIds[r]}:${data.ratings.movieIds[r]}`);
    }
    expect(spy.fits).toHaveLength(2);
    for (const fit of spy.fits) {
      expect(fit.length).toBe(30 * 9);
      const seen = keys(fit);
      for (const k of heldOut) expect(seen.has(k)).toBe(false);
    }
  });

  it('protocol T: trains on 75% of the 75% training part; the 25% test part never enters', async () => {
    const spy = new SpyFeatures({ seed: 1 });
    const result = await tuneRecommender(data, {
      protocol: 'T',
      space: { 'model.hiddenSize': [8] },
      budget: { trials: 1 },
      epochs: 1,
      metric: 'HR@10',
      base: { ...tiny, features: spy },
    });
    expect(result.trials).toHaveLength(1);
    expect(result.best).toMatchObject({ status: 'ok', config: { 'model.hiddenSize': 8 } });
    expect(result.best!.details).toHaveProperty('NDCG@10');
    const outer = stratifiedRandomSplit(data.ratings, { trainRatio: 0.75, seed: 42 });
    const inner = stratifiedRandomSplit(outer.train, { trainRatio: 0.75, seed: 42 });
    expect(spy.fits).toHaveLength(1);
    expect(keys(spy.fits[0]!)).toEqual(keys(inner.train));
    const seen = keys(spy.fits[0]!);
    for (const k of keys(outer.test)) expect(seen.has(k)).toBe(false);
  });

  it.each([
    [{ space: { nope: [1] } }, 'space.nope'],
    [{ space: { 'model.learningRate': [0.1] } }, 'space.model.learningRate'],
    [{ metric: 'RMSE' }, 'metric'],
    [{ protocol: 'X' }, 'protocol'],
    [{ protocol: 'R' }, 'folds'],
    [{ strategy: 'successive-halving', space: { epochs: [1, 2] } }, 'space.epochs'],
  ])('refuses %j naming %s before training anything', async (patch, option) => {
    const options = { space: { hiddenSize: [4] }, base: tiny, ...patch } as TuneOptions;
    const err = await tuneRecommender(data, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });
});
