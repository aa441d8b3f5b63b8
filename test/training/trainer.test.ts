import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; tfjs-layers registers them on import (as in the library, where
// the model module imports it).
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { ConfigError } from '../../src/errors';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from '../../src/training/optimizers';
import { type BatchSource, TRAINER_DEFAULTS, type TrainableModel, Trainer } from '../../src/training/trainer';
import type { Rng } from '../../src/util/random';

interface ToyBatch {
  x: number[][];
  y: number[];
}

let toyCount = 0;

/** Linear regression y ≈ x·w with one variable w ∈ R², loss = mean squared error of the batch. */
class Toy implements TrainableModel<ToyBatch> {
  readonly w: tf.Variable;
  lossOverride?: (w: tf.Variable) => tf.Scalar;

  constructor(initial: [number, number] = [0, 0]) {
    this.w = tf.tidy(() => tf.variable(tf.tensor1d(initial), true, `toy_w_${toyCount++}`));
  }
  trainableVariables(): tf.Variable[] {
    return [this.w];
  }
  loss(batch: ToyBatch): tf.Scalar {
    if (this.lossOverride) return this.lossOverride(this.w);
    return tf.tidy(() => {
      const pred = tf.squeeze(tf.matMul(tf.tensor2d(batch.x), tf.reshape(this.w, [2, 1])), [1]);
      return tf.mean(tf.square(tf.sub(pred, tf.tensor1d(batch.y)))) as tf.Scalar;
    });
  }
  getWeights(): Float32Array[] {
    return [this.w.dataSync().slice() as Float32Array];
  }
  setWeights(values: readonly Float32Array[]): void {
    tf.tidy(() => this.w.assign(tf.tensor1d(values[0]!)));
  }
  dispose(): void {
    this.w.dispose();
  }
}

/** 6 batches of 4 points of y = 2·x₀ − x₁ + noise, served in a seeded order per epoch. */
function toySource(): BatchSource<ToyBatch> {
  const batches: ToyBatch[] = [];
  let k = 0;
  for (let b = 0; b < 6; b++) {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 4; i++) {
      const x0 = Math.sin(k);
      const x1 = Math.cos(3 * k);
      x.push([x0, x1]);
      y.push(2 * x0 - x1 + 0.1 * Math.sin(7 * k));
      k++;
    }
    batches.push({ x, y });
  }
  return {
    batches: (_epoch: number, rng: Rng) => rng.shuffle([...batches]),
    batchCount: () => batches.length,
    positions: (b) => b.y.length,
  };
}

/** A validate() that returns the scripted values in turn, recording the weights it saw. */
function scripted(model: Toy, values: number[]) {
  const seen: Float32Array[] = [];
  let i = 0;
  return {
    seen,
    validate: async () => {
      seen.push(model.getWeights()[0]!);
      return { score: values[i++]!, other: 0 };
    },
  };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('Trainer', () => {
  it('has documented defaults', () => {
    const t = new Trainer();
    expect(t.config).toEqual(TRAINER_DEFAULTS);
    expect(new Trainer({ optimizer: { name: 'sgd', learningRate: 0.1 } }).config.optimizer).toEqual({
      name: 'sgd',
      learningRate: 0.1,
    });
  });

  it('lowers the loss of a toy model and returns a summary per epoch', async () => {
    const model = new Toy();
    const batches: number[] = [];
    const summary = await new Trainer({ epochs: 5, optimizer: { name: 'adam', learningRate: 0.1 } }).fit(
      model,
      toySource(),
      { onBatchEnd: (b) => batches.push(b.batch) },
    );
    expect(summary.epochs).toBe(5);
    expect(summary.bestEpoch).toBe(5);
    expect(summary.aborted).toBe(false);
    expect(summary.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(summary.history[4]!.loss).toBeLessThan(summary.history[0]!.loss);
    expect(batches).toEqual([
      1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6,
    ]);
    model.dispose();
  });

  it('is deterministic: the same seed gives identical loss histories and weights', async () => {
    const run = async (seed: number) => {
      const model = new Toy([0.5, -0.5]);
      const s = await new Trainer({ epochs: 3, seed, optimizer: { name: 'sgd', learningRate: 0.3 } }).fit(
        model,
        toySource(),
      );
      const w = Array.from(model.getWeights()[0]!);
      model.dispose();
      return { losses: s.history.map((h) => h.loss), w };
    };
    const a = await run(9);
    const b = await run(9);
    expect(b).toEqual(a);
    // Another seed shuffles the batches differently, so SGD takes a different path.
    const c = await run(10);
    expect(c.losses).not.toEqual(a.losses);
  });

  it("stops after `patience` epochs without improvement ('higher') and restores the best epoch's weights", async () => {
    const model = new Toy();
    // Epoch:   1    2    3     4     (5 never runs)
    // score: 0.1  0.3  0.2  0.25 → best 0.3 at epoch 2; epochs 3 and 4 do not improve; patience 2 → stop.
    const v = scripted(model, [0.1, 0.3, 0.2, 0.25, 0.9]);
    const summary = await new Trainer({
      epochs: 10,
      patience: 2,
      optimizer: { name: 'sgd', learningRate: 0.2 },
    }).fit(model, toySource(), { validate: v.validate, monitor: { name: 'score', direction: 'higher' } });
    expect(summary.epochs).toBe(4);
    expect(summary.bestEpoch).toBe(2);
    expect(summary.history.map((h) => h.metrics?.score)).toEqual([0.1, 0.3, 0.2, 0.25]);
    expect(v.seen).toHaveLength(4);
    expect(Array.from(model.getWeights()[0]!)).toEqual(Array.from(v.seen[1]!));
    // …and these are not the last epoch's weights.
    expect(Array.from(v.seen[3]!)).not.toEqual(Array.from(v.seen[1]!));
    model.dispose();
  });

  it("'lower' direction: a later improvement resets the patience; the best epoch's weights are restored", async () => {
    const model = new Toy();
    // Epoch:  1    2    3     4     5    6
    // loss: 0.5  0.4  0.45  0.41  0.3  0.35 → best 0.4 (2), then 0.3 (5) before patience 3 runs out; 6 epochs.
    const v = scripted(model, [0.5, 0.4, 0.45, 0.41, 0.3, 0.35]);
    const summary = await new Trainer({
      epochs: 6,
      patience: 3,
      optimizer: { name: 'sgd', learningRate: 0.2 },
    }).fit(model, toySource(), { validate: v.validate, monitor: { name: 'score', direction: 'lower' } });
    expect(summary.epochs).toBe(6);
    expect(summary.bestEpoch).toBe(5);
    expect(Array.from(model.getWeights()[0]!)).toEqual(Array.from(v.seen[4]!));
    model.dispose();
  });

  it('patience 0 never stops early but still keeps the best weights', async () => {
    const model = new Toy();
    const v = scripted(model, [0.9, 0.1, 0.2, 0.3]);
    const summary = await new Trainer({
      epochs: 4,
      patience: 0,
      optimizer: { name: 'sgd', learningRate: 0.2 },
    }).fit(model, toySource(), { validate: v.validate, monitor: { name: 'score', direction: 'higher' } });
    expect(summary.epochs).toBe(4);
    expect(summary.bestEpoch).toBe(1);
    expect(Array.from(model.getWeights()[0]!)).toEqual(Array.from(v.seen[0]!));
    model.dispose();
  });

  it('an AbortSignal aborted mid-epoch stops cleanly: aborted, best weights kept, no tensor leaked', async () => {
    const model = new Toy();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    // Epoch 1 scores 0.5; epoch 2 is cut after its 2nd batch: it is neither validated nor counted, and the
    // weights go back to epoch 1's.
    const v = scripted(model, [0.5, 0.3]);
    const summary = await new Trainer({ epochs: 5, optimizer: { name: 'adam', learningRate: 0.1 } }).fit(
      model,
      toySource(),
      {
        signal: controller.signal,
        onBatchEnd: ({ epoch, batch }) => {
          if (epoch === 2 && batch === 2) controller.abort();
        },
        validate: v.validate,
        monitor: { name: 'score', direction: 'higher' },
      },
    );
    expect(summary.aborted).toBe(true);
    expect(summary.epochs).toBe(1);
    expect(summary.bestEpoch).toBe(1);
    expect(v.seen).toHaveLength(1);
    expect(Array.from(model.getWeights()[0]!)).toEqual(Array.from(v.seen[0]!));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a signal aborted before the start trains nothing', async () => {
    const model = new Toy([1, 1]);
    const controller = new AbortController();
    controller.abort();
    const summary = await new Trainer({ epochs: 3 }).fit(model, toySource(), { signal: controller.signal });
    expect(summary).toMatchObject({ epochs: 0, aborted: true, history: [] });
    expect(Array.from(model.getWeights()[0]!)).toEqual([1, 1]);
    model.dispose();
  });

  it('a NaN loss throws ConfigError naming the learning rate, and leaks nothing', async () => {
    const model = new Toy();
    model.lossOverride = (w) => tf.tidy(() => tf.mul(tf.sum(w), Number.NaN) as tf.Scalar);
    const before = tf.memory().numTensors;
    const err = await new Trainer({ epochs: 2, optimizer: { name: 'adam', learningRate: 0.75 } })
      .fit(model, toySource())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toMatch(/learningRate/);
    expect((err as ConfigError).message).toContain('0.75');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a diverging loss (Infinity) throws the same ConfigError', async () => {
    const model = new Toy([1, 1]);
    // loss = Σ w⁴ with SGD at lr 10 and no clipping: w ← w − 40·w³ explodes to ±Infinity within a few steps.
    model.lossOverride = (w) => tf.tidy(() => tf.sum(tf.pow(w, 4)) as tf.Scalar);
    const err = await new Trainer({ epochs: 3, clipNorm: 0, optimizer: { name: 'sgd', learningRate: 10 } })
      .fit(model, toySource())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toMatch(/learningRate/);
    model.dispose();
  });

  it('clips gradients to the global norm', async () => {
    // loss = 100·w₀ + 0·w₁: gradient [100, 0], norm 100; clipped to norm 5 → [5, 0]; SGD lr 0.1 → w₀ = −0.5.
    const model = new Toy([0, 0]);
    model.lossOverride = (w) => tf.tidy(() => tf.sum(tf.mul(w, tf.tensor1d([100, 0]))) as tf.Scalar);
    const oneBatch: BatchSource<ToyBatch> = {
      batches: () => [{ x: [], y: [] }],
      batchCount: () => 1,
      positions: () => 1,
    };
    await new Trainer({ epochs: 1, clipNorm: 5, optimizer: { name: 'sgd', learningRate: 0.1 } }).fit(
      model,
      oneBatch,
    );
    const [w0, w1] = Array.from(model.getWeights()[0]!);
    expect(w0).toBeCloseTo(-0.5, 6);
    expect(w1).toBe(0);
    model.dispose();
  });

  it.each([
    [{ epochs: 0 }, 'training.epochs'],
    [{ epochs: 1.5 }, 'training.epochs'],
    [{ epochs: Number.NaN }, 'training.epochs'],
    [{ clipNorm: -1 }, 'training.clipNorm'],
    [{ clipNorm: Number.NaN }, 'training.clipNorm'],
    [{ patience: -1 }, 'training.patience'],
    [{ patience: 0.5 }, 'training.patience'],
  ])('refuses %j with a ConfigError naming %s', (config, option) => {
    let err: unknown;
    try {
      new Trainer(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });

  it('validate without a monitor, or a monitor the metrics lack, throws ConfigError', async () => {
    const model = new Toy();
    const trainer = new Trainer({ epochs: 1 });
    await expect(
      trainer.fit(model, toySource(), { validate: async () => ({ a: 1 }) }),
    ).rejects.toBeInstanceOf(ConfigError);
    const err = await trainer
      .fit(model, toySource(), {
        validate: async () => ({ 'NDCG@10': 1, 'HR@10': 1 }),
        monitor: { name: 'MAP@10', direction: 'higher' },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('NDCG@10');
    expect((err as ConfigError).message).toContain('MAP@10');
    model.dispose();
  });
});

describe('createOptimizer', () => {
  // One step from w = 1 with gradient g = 2 and learning rate 0.1, by hand:
  //   sgd:      w − lr·g = 1 − 0.2 = 0.8
  //   momentum: a = g = 2; w − lr·a = 0.8
  //   adam:     m̂ = g, v̂ = g² → w − lr·g/(|g| + ε) = 1 − 0.1 = 0.9
  //   adamw:    decay first (λ 0.01): 1 − 0.1·0.01·1 = 0.999; then Adam's step 0.1 → 0.899
  //   rmsprop:  ms = (1 − 0.9)·g² = 0.4; w − lr·g/√ms = 1 − 0.2/0.6324555 = 0.6837722
  //   adagrad:  acc = 0.1 (initial) + g² = 4.1; w − lr·g/√acc = 1 − 0.2/2.0248457 = 0.9012270
  const expected: Record<OptimizerName, number> = {
    sgd: 0.8,
    momentum: 0.8,
    adam: 0.9,
    adamw: 0.899,
    rmsprop: 0.6837722,
    adagrad: 0.901227,
  };

  it.each(OPTIMIZER_NAMES)('%s takes one step as computed by hand', (name) => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1]), true, `opt_${name}`));
    const optimizer = createOptimizer({ name, learningRate: 0.1 });
    expect(optimizer).toBeInstanceOf(tf.Optimizer);
    tf.tidy(() => optimizer.applyGradients({ [`opt_${name}`]: tf.tensor1d([2]) }));
    expect(w.dataSync()[0]).toBeCloseTo(expected[name], 5);
    optimizer.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an unknown name throws ConfigError listing the names', () => {
    let err: unknown;
    try {
      createOptimizer({ name: 'lbfgs' as OptimizerName, learningRate: 0.1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of OPTIMIZER_NAMES) expect((err as ConfigError).message).toContain(name);
  });

  it.each([0, -0.1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the learning rate %s', (lr) => {
    expect(() => createOptimizer({ name: 'adam', learningRate: lr })).toThrow(ConfigError);
  });
});

describe('Trainer with batches that reach different variables', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  /**
   * Two heads of the same shape and a shared weight: batch 'A' reaches a and c, batch 'B' reaches b and c — as a
   * taste batch skips the ranking head and a next-movie batch the taste head.
   */
  class TwoHeads implements TrainableModel<'A' | 'B'> {
    readonly vars = (['a', 'b', 'c'] as const).map((n) =>
      tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.5]), true, `two_heads_${n}_${toyCount++}`)),
    );
    trainableVariables(): tf.Variable[] {
      return this.vars;
    }
    loss(batch: 'A' | 'B'): tf.Scalar {
      const [a, b, c] = this.vars as [tf.Variable, tf.Variable, tf.Variable];
      return tf.tidy(() =>
        batch === 'A'
          ? (tf.add(tf.sum(tf.square(tf.sub(a, 1))), tf.sum(tf.square(c))) as tf.Scalar)
          : (tf.add(tf.sum(tf.square(tf.add(b, 2))), tf.sum(tf.square(tf.sub(c, 1)))) as tf.Scalar),
      );
    }
    getWeights(): Float32Array[] {
      return this.vars.map((v) => v.dataSync().slice() as Float32Array);
    }
    setWeights(values: readonly Float32Array[]): void {
      tf.tidy(() => {
        this.vars.forEach((v, i) => {
          v.assign(tf.tensor1d(values[i]!));
        });
      });
    }
  }

  it('each variable keeps its own Adam moments (hand-computed Adam over A, B, A, B, …)', async () => {
    const model = new TwoHeads();
    const order: ('A' | 'B')[] = ['A', 'B', 'A', 'B'];
    const source: BatchSource<'A' | 'B'> = {
      batches: () => order,
      batchCount: () => order.length,
      positions: () => 1,
    };
    const lr = 0.1;
    await new Trainer({ epochs: 2, clipNorm: 0, optimizer: { name: 'adam', learningRate: lr } }).fit(
      model,
      source,
    );
    // Adam as tfjs runs it: moments per variable, bias correction by the optimizer's step count t.
    const w = [
      [0.5, -0.5],
      [0.5, -0.5],
      [0.5, -0.5],
    ];
    const m = w.map(() => [0, 0]);
    const v = w.map(() => [0, 0]);
    const eps = tf.backend().epsilon();
    let t = 0;
    for (const batch of [...order, ...order]) {
      t++;
      const reached = batch === 'A' ? [0, 2] : [1, 2];
      for (const k of reached) {
        for (let j = 0; j < 2; j++) {
          const x = w[k]![j]!;
          const g = batch === 'A' ? (k === 0 ? 2 * (x - 1) : 2 * x) : k === 1 ? 2 * (x + 2) : 2 * (x - 1);
          m[k]![j] = 0.9 * m[k]![j]! + 0.1 * g;
          v[k]![j] = 0.999 * v[k]![j]! + 0.001 * g * g;
          const mHat = m[k]![j]! / (1 - 0.9 ** t);
          const vHat = v[k]![j]! / (1 - 0.999 ** t);
          w[k]![j] = x - (lr * mHat) / (Math.sqrt(vHat) + eps);
        }
      }
    }
    model.getWeights().forEach((got, k) => {
      Array.from(got).forEach((x, j) => {
        expect(x).toBeCloseTo(w[k]![j]!, 4);
      });
    });
    tf.dispose(model.vars);
  });
});
