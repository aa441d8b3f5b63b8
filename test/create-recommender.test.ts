import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend';
import {
  MODEL_DEFAULTS,
  type RecommenderOptions,
  resolveOptions,
  TRAINING_DEFAULTS,
  VALIDATION_METRICS,
} from '../src/config/defaults';
import { createRecommender } from '../src/create-recommender';
import { generateSyntheticCatalog } from '../src/data/synthetic';
import { ConfigError } from '../src/errors';
import { RANKING_LOSSES } from '../src/model/sequence-rnn';
import { Recommender } from '../src/recommend/recommender';
import { Trainer } from '../src/training/trainer';

const data = generateSyntheticCatalog({ users: 60, movies: 80, ratingsPerUser: 25, seed: 5 });

const SMALL = {
  model: { hiddenSize: 16, embeddingSize: 8, maxLength: 20, windowStride: 10 },
  training: { epochs: 2, batchSize: 32 },
};

beforeAll(async () => {
  await useBackend('cpu');
});

describe('resolveOptions', () => {
  it('fills every default', () => {
    const r = resolveOptions();
    expect(r.seed).toBe(42);
    expect(r.model).toEqual(MODEL_DEFAULTS);
    expect(r.training).toEqual(TRAINING_DEFAULTS);
    expect(r.model.cell).toBe('lstm');
    expect(r.model.recurrentActivation).toBe('sigmoid');
  });

  it('keeps given values and fills the rest', () => {
    const r = resolveOptions({ seed: 7, model: { cell: 'gru', hiddenSize: 8 }, training: { epochs: 3 } });
    expect(r.seed).toBe(7);
    expect(r.model).toEqual({ ...MODEL_DEFAULTS, cell: 'gru', hiddenSize: 8 });
    expect(r.training).toEqual({ ...TRAINING_DEFAULTS, epochs: 3 });
  });

  it.each<[RecommenderOptions, string]>([
    [{ seed: Number.NaN }, 'seed'],
    [{ seed: Number.POSITIVE_INFINITY }, 'seed'],
    [{ model: { hiddenSize: 0 } }, 'model.hiddenSize'],
    [{ model: { hiddenSize: 1.5 } }, 'model.hiddenSize'],
    [{ model: { embeddingSize: -1 } }, 'model.embeddingSize'],
    [{ model: { layers: 0 } }, 'model.layers'],
    [{ model: { maxLength: 1 } }, 'model.maxLength'],
    [{ model: { windowStride: 0 } }, 'model.windowStride'],
    [{ model: { maxLength: 10, windowStride: 11 } }, 'model.windowStride'],
    [{ model: { recurrentActivation: 'relu' as 'sigmoid' } }, 'model.recurrentActivation'],
    [{ model: { ratingWeight: -0.5 } }, 'model.ratingWeight'],
    [{ model: { ratingWeight: Number.NaN } }, 'model.ratingWeight'],
    [{ training: { epochs: 0 } }, 'training.epochs'],
    [{ training: { batchSize: 2.5 } }, 'training.batchSize'],
    [{ training: { validation: 'sometimes' as 'auto' } }, 'training.validation'],
    [{ training: { learningRate: 0 } }, 'training.learningRate'],
    [{ training: { learningRate: Number.NaN } }, 'training.learningRate'],
    [{ training: { optimizer: 'lbfgs' as 'adam' } }, 'training.optimizer'],
    [{ training: { clipNorm: -1 } }, 'training.clipNorm'],
    [{ training: { patience: 1.5 } }, 'training.patience'],
    [{ model: { cell: 'tcn' } }, 'model.cell'],
    [{ model: { loss: 'hinge' as 'bpr' } }, 'model.loss'],
    [{ model: { loss: 'Softmax' as 'softmax' } }, 'model.loss'],
    [{ model: { negatives: 0 } }, 'model.negatives'],
    [{ model: { negatives: -5 } }, 'model.negatives'],
    [{ model: { negatives: 2.5 } }, 'model.negatives'],
    [{ model: { negatives: Number.NaN } }, 'model.negatives'],
    [{ model: { dropout: 1 } }, 'model.dropout'],
    [{ model: { dropout: -0.1 } }, 'model.dropout'],
    [{ model: { dropout: Number.NaN } }, 'model.dropout'],
    [{ model: { recurrentDropout: 1 } }, 'model.recurrentDropout'],
    [{ model: { recurrentDropout: 1.5 } }, 'model.recurrentDropout'],
    [{ model: { recurrentDropout: -0.5 } }, 'model.recurrentDropout'],
    [{ model: { tasteSamples: 0 } }, 'model.tasteSamples'],
    [{ model: { tasteSamples: 1.5 } }, 'model.tasteSamples'],
    [{ model: { historySize: -1 } }, 'model.historySize'],
    [{ model: { historySize: 2.5 } }, 'model.historySize'],
    [{ model: { historyLinear: 'yes' as unknown as boolean } }, 'model.historyLinear'],
    [{ model: { historyDropout: 1 } }, 'model.historyDropout'],
    [{ model: { historyLinearInit: 'ones' as 'ease' } }, 'model.historyLinearInit'],
    [{ model: { historyLinearInit: 'ease' } }, 'model.historyLinearInit'],
    [{ model: { historyLinearLambda: 0 } }, 'model.historyLinearLambda'],
    [{ model: { historyLinearBag: 'log' as 'binary' } }, 'model.historyLinearBag'],
    [{ model: { historyLinearTrainable: 0 as unknown as boolean } }, 'model.historyLinearTrainable'],
    [{ model: { historyLinearLambda: Number.POSITIVE_INFINITY } }, 'model.historyLinearLambda'],
    [{ training: { monitor: 'AUC' as 'HR@10' } }, 'training.monitor'],
    [{ training: { monitor: 'ndcg@10' as 'HR@10' } }, 'training.monitor'],
  ])('rejects %j with a ConfigError naming %s', (options, option) => {
    let err: unknown;
    try {
      resolveOptions(options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
    expect((err as ConfigError).message.startsWith(`${option}: expected`)).toBe(true);
  });
});

describe('resolveOptions: the ranking-loss, dropout and monitor options', () => {
  it('accepts every loss, monitor, an integer number of negatives ≥ 1 and dropout rates in [0, 1)', () => {
    for (const loss of RANKING_LOSSES) expect(resolveOptions({ model: { loss } }).model.loss).toBe(loss);
    for (const monitor of VALIDATION_METRICS) {
      expect(resolveOptions({ training: { monitor } }).training.monitor).toBe(monitor);
    }
    const r = resolveOptions({ model: { negatives: 1, dropout: 0, recurrentDropout: 0.99 } });
    expect(r.model).toMatchObject({ negatives: 1, dropout: 0, recurrentDropout: 0.99 });
    expect(resolveOptions({ model: { dropout: 0.5 } }).model.dropout).toBe(0.5);
  });

  it('the messages list the accepted values', () => {
    expect(() => resolveOptions({ model: { loss: 'hinge' as 'bpr' } })).toThrow(
      /^model\.loss: expected .*softmax.*sampled-softmax.*bpr.*found "hinge"/,
    );
    expect(() => resolveOptions({ training: { monitor: 'AUC' as 'HR@10' } })).toThrow(
      /^training\.monitor: expected .*NDCG@10.*HR@10.*MRR@10.*RMSE.*MAE.*found "AUC"/,
    );
    expect(() => resolveOptions({ model: { dropout: 1 } })).toThrow(/^model\.dropout: expected .*\[0, 1\)/);
  });
});

describe('createRecommender', () => {
  it('throws ConfigError for a bad option before building anything', async () => {
    const before = tf.memory().numTensors;
    await expect(createRecommender({ backend: 'cpu', model: { hiddenSize: -3 } })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(createRecommender({ backend: 'cpu', training: { patience: -1 } })).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('wires the default modules, or none when given false', async () => {
    const full = await createRecommender({ backend: 'cpu' });
    expect(full.parts.features).not.toBeNull();
    expect(full.parts.profiler).not.toBeNull();
    expect(full.parts.trainer.config.epochs).toBe(TRAINING_DEFAULTS.epochs);
    expect(full.parts.recommender.options.k).toBe(10);
    full.dispose();
    const bare = await createRecommender({ backend: 'cpu', features: false, profiler: false });
    expect(bare.parts.features).toBeNull();
    expect(bare.parts.profiler).toBeNull();
    bare.dispose();
  });

  it('uses the modules it is given instead of building them', async () => {
    const trainer = new Trainer({ epochs: 1 });
    const recommender = new Recommender({ k: 3 });
    const rec = await createRecommender({
      ...SMALL,
      backend: 'cpu',
      features: false,
      profiler: false,
      trainer,
      recommender,
      training: { ...SMALL.training, validation: 'none' },
    });
    expect(rec.parts.trainer).toBe(trainer);
    expect(rec.parts.recommender).toBe(recommender);
    const summary = await rec.fit(data);
    expect(summary.epochs).toBe(1); // the given trainer's epochs, not training.epochs
    expect(summary.history[0]!.metrics).toBeUndefined(); // validation: 'none'
    expect(await rec.recommend(data.users[0]!.id)).toHaveLength(3); // the given recommender's k
    rec.dispose();
  });

  it('recommender options as an object set the default k', async () => {
    const rec = await createRecommender({ backend: 'cpu', recommender: { k: 4 } });
    expect(rec.parts.recommender.options.k).toBe(4);
    rec.dispose();
  });

  it('trains stacked layers with the profile-initialised first layer (every cell)', async () => {
    for (const cell of ['rnn', 'gru'] as const) {
      const rec = await createRecommender({
        ...SMALL,
        backend: 'cpu',
        features: false,
        model: { ...SMALL.model, cell, layers: 2 },
        training: { epochs: 1, batchSize: 32 },
      });
      const summary = await rec.fit(data);
      expect(Number.isFinite(summary.history[0]!.loss)).toBe(true);
      expect(rec.name).toBe(cell);
      expect(await rec.recommend(data.users[2]!.id, { k: 2 })).toHaveLength(2);
      rec.dispose();
    }
  });

  describe.each(['cpu', 'wasm'] as const)('on %s, the same seed twice', (backend) => {
    it('gives identical fit histories and recommendations; another seed does not', async () => {
      const run = async (seed: number) => {
        const rec = await createRecommender({ ...SMALL, seed, backend });
        const s = await rec.fit(data);
        const users = data.users.slice(0, 5).map((u) => u.id);
        const lists = await rec.recommendMany(users, { k: 5 });
        rec.dispose();
        return {
          history: s.history.map((h) => ({ epoch: h.epoch, loss: h.loss, metrics: h.metrics })),
          lists,
        };
      };
      const a = await run(11);
      const b = await run(11);
      expect(b.history).toEqual(a.history);
      expect(b.lists).toEqual(a.lists);
      const c = await run(12);
      expect(c.history.map((h) => h.loss)).not.toEqual(a.history.map((h) => h.loss));
    });
  });
});
