import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { resolveOptions, TRAINING_DEFAULTS } from '../../src/config/defaults';
import { createRecommender } from '../../src/create-recommender';
import { ConfigError } from '../../src/errors';
import { checkSchedule, learningRateSchedule, SCHEDULE_DEFAULTS } from '../../src/training/schedules';
import { type BatchSource, type TrainableModel, Trainer } from '../../src/training/trainer';

beforeAll(async () => {
  await useBackend('cpu');
});

function rates(rateAt: (s: number) => number, steps: number): number[] {
  return Array.from({ length: steps }, (_, s) => rateAt(s));
}

describe('learningRateSchedule', () => {
  it('constant with a 4-step warm-up: (s + 1)/4 of the base, then the base', () => {
    const rateAt = learningRateSchedule(
      0.1,
      { name: 'constant', warmup: 4 },
      { epochs: 2, stepsPerEpoch: 5 },
    );
    const r = rates(rateAt, 10);
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1].forEach((x, i) => {
      expect(r[i]).toBeCloseTo(x, 12);
    });
  });

  it('constant without warm-up is the base rate at every step', () => {
    const rateAt = learningRateSchedule(0.002, {}, { epochs: 3, stepsPerEpoch: 4 });
    expect(rates(rateAt, 12)).toEqual(new Array(12).fill(0.002));
  });

  it('step: × 0.5 every 2 epochs (3 steps per epoch)', () => {
    // epoch = ⌊s/3⌋ + 1; rate = 0.1 · 0.5^⌊(epoch − 1)/2⌋: epochs 1–2 → 0.1, 3–4 → 0.05, 5 → 0.025.
    const rateAt = learningRateSchedule(
      0.1,
      { name: 'step', stepEvery: 2, stepFactor: 0.5 },
      { epochs: 5, stepsPerEpoch: 3 },
    );
    const r = rates(rateAt, 15);
    const want = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025];
    want.forEach((x, i) => {
      expect(r[i]).toBeCloseTo(x, 12);
    });
  });

  it('cosine to a floor of 0.1 after a 2-step warm-up, over 10 planned steps', () => {
    // T = 2 epochs × 5 = 10, W = 2, p = max(0, s − 2)/8, rate = 0.1 + 0.9 · (1 + cos πp)/2 (base 1).
    //   s = 0: warm-up, (0 + 1)/2 · 1 = 0.5        s = 1: 2/2 · 1 = 1       s = 2: p = 0 → 1
    //   s = 4: p = 1/4 → 0.1 + 0.45 · (1 + 0.7071068) = 0.8681981
    //   s = 6: p = 1/2 → 0.1 + 0.45 = 0.55
    //   s = 9: p = 7/8 → 0.1 + 0.45 · (1 − 0.9238795) = 0.1342542
    const rateAt = learningRateSchedule(
      1,
      { name: 'cosine', warmup: 2, cosineFloor: 0.1 },
      { epochs: 2, stepsPerEpoch: 5 },
    );
    expect(rateAt(0)).toBeCloseTo(0.5, 12);
    expect(rateAt(1)).toBeCloseTo(1, 12);
    expect(rateAt(2)).toBeCloseTo(1, 12);
    expect(rateAt(4)).toBeCloseTo(0.8681981, 6);
    expect(rateAt(6)).toBeCloseTo(0.55, 12);
    expect(rateAt(9)).toBeCloseTo(0.1342542, 6);
    // Past the plan it stays at the floor.
    expect(rateAt(50)).toBeCloseTo(0.1, 12);
    // Monotone after the warm-up.
    const r = rates(rateAt, 10).slice(1);
    for (let i = 1; i < r.length; i++) expect(r[i]!).toBeLessThanOrEqual(r[i - 1]!);
  });

  it('a fractional warm-up is that share of the planned steps (rounded, at least 1)', () => {
    // 0.25 × (4 × 5 = 20 steps) = 5 warm-up steps: s = 0 → 1/5 of 0.1.
    const rateAt = learningRateSchedule(0.1, { warmup: 0.25 }, { epochs: 4, stepsPerEpoch: 5 });
    expect(rates(rateAt, 6).map((x) => Number(x.toFixed(10)))).toEqual([0.02, 0.04, 0.06, 0.08, 0.1, 0.1]);
    // 0.01 × 20 = 0.2 → rounds to 0, raised to 1 step: the first step already has the full rate.
    const tiny = learningRateSchedule(0.1, { warmup: 0.01 }, { epochs: 4, stepsPerEpoch: 5 });
    expect(tiny(0)).toBeCloseTo(0.1, 12);
  });

  it.each([
    [{ name: 'linear' }, 'training.schedule'],
    [{ warmup: -1 }, 'training.warmup'],
    [{ warmup: 2.5 }, 'training.warmup'],
    [{ stepEvery: 0 }, 'training.stepEvery'],
    [{ stepFactor: 0 }, 'training.stepFactor'],
    [{ stepFactor: 1.5 }, 'training.stepFactor'],
    [{ cosineFloor: 2 }, 'training.cosineFloor'],
  ])('checkSchedule refuses %j naming %s', (config, option) => {
    let err: unknown;
    try {
      checkSchedule(config as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });

  it('fills the documented defaults', () => {
    expect(checkSchedule({})).toEqual(SCHEDULE_DEFAULTS);
    expect(SCHEDULE_DEFAULTS).toEqual({
      name: 'constant',
      warmup: 0,
      stepEvery: 5,
      stepFactor: 0.5,
      cosineFloor: 0,
    });
  });
});

/** Two named variables, `<p>/kernel` and `<p>/bias`; the loss is set per test. */
let modelCount = 0;
class Pair implements TrainableModel<number> {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(
    kernel: number[],
    bias: number[],
    readonly lossOf: (k: tf.Variable, b: tf.Variable) => tf.Scalar,
  ) {
    const p = `pair_${modelCount++}`;
    this.kernel = tf.tidy(() => tf.variable(tf.tensor1d(kernel), true, `${p}/kernel`));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(bias), true, `${p}/bias`));
  }
  trainableVariables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }
  loss(): tf.Scalar {
    return tf.tidy(() => this.lossOf(this.kernel, this.bias));
  }
  getWeights(): Float32Array[] {
    return [this.kernel.dataSync().slice() as Float32Array, this.bias.dataSync().slice() as Float32Array];
  }
  setWeights(values: readonly Float32Array[]): void {
    tf.tidy(() => {
      this.kernel.assign(tf.tensor1d(values[0]!));
      this.bias.assign(tf.tensor1d(values[1]!));
    });
  }
  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}

function batches(n: number): BatchSource<number> {
  return {
    batches: () => Array.from({ length: n }, (_, i) => i),
    batchCount: () => n,
    positions: () => 1,
  };
}

describe('Trainer: schedules and L2', () => {
  it('applies the schedule per step and logs each epoch’s learning rate', async () => {
    // loss = Σ k (gradient 1 for every kernel entry), SGD, 1 batch per epoch, step decay × 0.5 every epoch:
    // rates 0.1, 0.05, 0.025 → k = 0 − 0.1 − 0.05 − 0.025 = −0.175.
    const model = new Pair([0], [0], (k) => tf.sum(k) as tf.Scalar);
    const before = tf.memory().numTensors;
    const summary = await new Trainer({
      epochs: 3,
      clipNorm: 0,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      schedule: { name: 'step', stepEvery: 1, stepFactor: 0.5 },
    }).fit(model, batches(1));
    expect(summary.history.map((h) => h.learningRate)).toEqual([0.1, 0.05, 0.025]);
    expect(model.kernel.dataSync()[0]).toBeCloseTo(-0.175, 6);
    // SGD rebuilds its learning-rate scalar on each change; none is left behind.
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('warm-up inside an epoch: the log reports the rate of the epoch’s last step', async () => {
    // 4 batches per epoch, warm-up 6 steps, constant 0.6: rates 0.1, 0.2, 0.3, 0.4 | 0.5, 0.6, 0.6, 0.6.
    // k = −(0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6·3) = −3.3.
    const model = new Pair([0], [0], (k) => tf.sum(k) as tf.Scalar);
    const summary = await new Trainer({
      epochs: 2,
      clipNorm: 0,
      optimizer: { name: 'sgd', learningRate: 0.6 },
      schedule: { name: 'constant', warmup: 6 },
    }).fit(model, batches(4));
    const logged = summary.history.map((h) => h.learningRate!);
    expect(logged[0]).toBeCloseTo(0.4, 12);
    expect(logged[1]).toBeCloseTo(0.6, 12);
    expect(model.kernel.dataSync()[0]).toBeCloseTo(-3.3, 5);
    model.dispose();
  });

  it('L2 adds l2 · Σ w² of the kernels (not the biases) to the loss and its gradient', async () => {
    // Data loss 0 (k·0); l2 0.5; kernel [1, −2], bias [3]. Loss reported = 0.5 · (1 + 4) = 2.5.
    // Gradient 2 · 0.5 · k = k, SGD lr 0.1: k ← 0.9 k = [0.9, −1.8]; the bias has no gradient and stays 3.
    const model = new Pair(
      [1, -2],
      [3],
      (k, b) => tf.add(tf.sum(tf.mul(k, 0)), tf.sum(tf.mul(b, 0))) as tf.Scalar,
    );
    const before = tf.memory().numTensors;
    const summary = await new Trainer({
      epochs: 1,
      clipNorm: 0,
      l2: 0.5,
      optimizer: { name: 'sgd', learningRate: 0.1 },
    }).fit(model, batches(1));
    expect(summary.history[0]!.loss).toBeCloseTo(2.5, 6);
    const [k, b] = model.getWeights();
    expect(k![0]).toBeCloseTo(0.9, 6);
    expect(k![1]).toBeCloseTo(-1.8, 6);
    expect(b![0]).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('AdamW through the Trainer decays the kernel but not the bias', async () => {
    // Zero gradients: Adam's step is 0/(0 + ε) = 0, so only the decay moves: k ← k · (1 − 0.1 · 0.5) = 0.95 k.
    const model = new Pair(
      [2],
      [2],
      (k, b) => tf.add(tf.sum(tf.mul(k, 0)), tf.sum(tf.mul(b, 0))) as tf.Scalar,
    );
    await new Trainer({
      epochs: 1,
      clipNorm: 0,
      optimizer: { name: 'adamw', learningRate: 0.1, weightDecay: 0.5 },
    }).fit(model, batches(2));
    const [k, b] = model.getWeights();
    expect(k![0]).toBeCloseTo(2 * 0.95 * 0.95, 6);
    expect(b![0]).toBe(2);
    model.dispose();
  });

  it.each([
    [{ l2: -1 }, 'training.l2'],
    [{ l2: Number.NaN }, 'training.l2'],
    [{ schedule: { name: 'cosine', warmup: 1.5 } }, 'training.warmup'],
  ])('refuses %j with a ConfigError naming %s', (config, option) => {
    let err: unknown;
    try {
      new Trainer(config as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });
});

describe('resolveOptions: the training options of the optimizer side', () => {
  it('has documented defaults', () => {
    expect(TRAINING_DEFAULTS).toMatchObject({
      weightDecay: 0.01,
      l2: 0,
      schedule: 'constant',
      warmup: 0,
      stepEvery: 5,
      stepFactor: 0.5,
      cosineFloor: 0,
    });
    const r = resolveOptions({
      training: { optimizer: 'adamw', weightDecay: 0.05, schedule: 'cosine', warmup: 0.1 },
    });
    expect(r.training).toMatchObject({
      optimizer: 'adamw',
      weightDecay: 0.05,
      schedule: 'cosine',
      warmup: 0.1,
    });
  });

  it.each([
    [{ weightDecay: -1, optimizer: 'adamw' }, 'training.weightDecay'],
    [{ weightDecay: 0.01 }, 'training.weightDecay'],
    [{ l2: -0.1 }, 'training.l2'],
    [{ schedule: 'exp' }, 'training.schedule'],
    [{ warmup: 3.5 }, 'training.warmup'],
    [{ stepEvery: 0 }, 'training.stepEvery'],
    [{ stepFactor: 0 }, 'training.stepFactor'],
    [{ cosineFloor: -0.5 }, 'training.cosineFloor'],
  ])('refuses %j naming %s', (training, option) => {
    let err: unknown;
    try {
      resolveOptions({ training: training as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });

  it('createRecommender hands them to its Trainer', async () => {
    const rec = await createRecommender({
      backend: 'cpu',
      seed: 9,
      training: {
        optimizer: 'adamw',
        weightDecay: 0.05,
        l2: 0.001,
        schedule: 'step',
        warmup: 10,
        stepEvery: 2,
        stepFactor: 0.1,
        cosineFloor: 0.2,
      },
    });
    expect(rec.parts.trainer.config).toMatchObject({
      seed: 9,
      l2: 0.001,
      optimizer: { name: 'adamw', learningRate: 0.002, weightDecay: 0.05 },
      schedule: { name: 'step', warmup: 10, stepEvery: 2, stepFactor: 0.1, cosineFloor: 0.2 },
    });
    // Other optimizers get no weightDecay (the default 0.01 belongs to 'adamw').
    const plain = await createRecommender({ backend: 'cpu' });
    expect(plain.parts.trainer.config.optimizer).toEqual({ name: 'adam', learningRate: 0.002 });
    rec.dispose();
    plain.dispose();
  });

  it('weightDecay 0 is accepted with any optimizer', () => {
    expect(resolveOptions({ training: { weightDecay: 0 } }).training.weightDecay).toBe(0);
  });
});
