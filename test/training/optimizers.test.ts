import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { ConfigError } from '../../src/errors';
import {
  AdamW,
  createOptimizer,
  isDecayedVariable,
  OPTIMIZER_NAMES,
  type OptimizerName,
  setLearningRate,
} from '../../src/training/optimizers';

beforeAll(async () => {
  await useBackend('cpu');
});

let counter = 0;
/** A scalar-like variable w = [value] with a unique name ending in `suffix` (e.g. '/kernel', '/bias'). */
function variable(value: number, suffix = '/kernel'): tf.Variable {
  const name = `opt_test_${counter++}${suffix}`;
  return tf.tidy(() => tf.variable(tf.tensor1d([value]), true, name));
}

function apply(optimizer: tf.Optimizer, w: tf.Variable, gradient: number): void {
  tf.tidy(() => optimizer.applyGradients({ [w.name]: tf.tensor1d([gradient]) }));
}

describe('AdamW', () => {
  it('takes two steps as computed by hand: decoupled decay on the weights before the step, then Adam', () => {
    // lr 0.1, λ 0.5, β1 0.9, β2 0.999, ε 1e-7 (the cpu backend's), w₀ = 1, gradient 2 at both steps.
    // Step 1: decay  w ← 1 · (1 − 0.1·0.5) = 0.95
    //         m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 0.2/(1 − 0.9) = 2, v̂ = 0.004/(1 − 0.999) = 4
    //         w ← 0.95 − 0.1 · 2/(√4 + 1e-7) = 0.95 − 0.1 = 0.85
    // Step 2: decay  w ← 0.85 · 0.95 = 0.8075
    //         m = 0.9·0.2 + 0.1·2 = 0.38, v = 0.999·0.004 + 0.001·4 = 0.007996
    //         m̂ = 0.38/(1 − 0.81) = 2, v̂ = 0.007996/(1 − 0.998001) = 4
    //         w ← 0.8075 − 0.1 = 0.7075
    const before = tf.memory().numTensors;
    const w = variable(1);
    const optimizer = new AdamW(0.1, 0.5);
    apply(optimizer, w, 2);
    expect(w.dataSync()[0]).toBeCloseTo(0.85, 5);
    apply(optimizer, w, 2);
    expect(w.dataSync()[0]).toBeCloseTo(0.7075, 5);
    optimizer.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves biases undecayed: a bias takes the plain Adam step', () => {
    // Same first step without the decay: 1 − 0.1 = 0.9.
    const kernel = variable(1, '/kernel');
    const bias = variable(1, '/bias_3');
    const optimizer = createOptimizer({ name: 'adamw', learningRate: 0.1, weightDecay: 0.5 });
    tf.tidy(() =>
      optimizer.applyGradients({ [kernel.name]: tf.tensor1d([2]), [bias.name]: tf.tensor1d([2]) }),
    );
    expect(kernel.dataSync()[0]).toBeCloseTo(0.85, 5);
    expect(bias.dataSync()[0]).toBeCloseTo(0.9, 5);
    optimizer.dispose();
    kernel.dispose();
    bias.dispose();
  });

  it('weightDecay 0 is plain Adam', () => {
    const a = variable(1);
    const b = variable(1);
    const adamw = createOptimizer({ name: 'adamw', learningRate: 0.05, weightDecay: 0 });
    const adam = createOptimizer({ name: 'adam', learningRate: 0.05 });
    for (const g of [2, -1, 0.5]) {
      apply(adamw, a, g);
      apply(adam, b, g);
    }
    expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
    adamw.dispose();
    adam.dispose();
    a.dispose();
    b.dispose();
  });

  it('decays with the learning rate of the step (a schedule anneals the decay too)', () => {
    // lr changed to 0.2 before the step: decay 1·(1 − 0.2·0.5) = 0.9, then Adam's step 0.2 → 0.7.
    const w = variable(1);
    const optimizer = new AdamW(0.1, 0.5);
    setLearningRate(optimizer, 0.2);
    apply(optimizer, w, 2);
    expect(w.dataSync()[0]).toBeCloseTo(0.7, 5);
    expect(optimizer.getConfig()).toMatchObject({ learningRate: 0.2, weightDecay: 0.5 });
    expect(optimizer.getClassName()).toBe('AdamW');
    optimizer.dispose();
    w.dispose();
  });
});

describe('isDecayedVariable', () => {
  it.each([
    ['rnn_0/kernel', true],
    ['rnn_0/recurrent_kernel_1', true],
    ['item_embedding/embeddings_2', true],
    ['ranking_head/bias', false],
    ['rnn_1/bias_12', false],
    ['bias', false],
    ['my_bias_layer/kernel', true],
    ['dense/biases', true],
  ])('%s → %s', (name, decayed) => {
    expect(isDecayedVariable(name)).toBe(decayed);
  });
});

describe('setLearningRate', () => {
  // One step from w = 1 with gradient 2 after the rate was changed from 0.1 to 0.05, by hand:
  //   sgd, momentum: 1 − 0.05·2 = 0.9
  //   adam, adamw:   1 − 0.05 = 0.95 (adamw first decays by 0.05·0.01: 0.9995 − 0.05 = 0.9495)
  //   rmsprop:       1 − 0.05·2/√0.4 = 1 − 0.1/0.6324555 = 0.8418861
  //   adagrad:       1 − 0.05·2/√4.1 = 1 − 0.1/2.0248457 = 0.9506135
  const expected: Record<OptimizerName, number> = {
    sgd: 0.9,
    momentum: 0.9,
    adam: 0.95,
    adamw: 0.9495,
    rmsprop: 0.8418861,
    adagrad: 0.9506135,
  };

  it.each(OPTIMIZER_NAMES)('%s steps with the new rate and leaks nothing', (name) => {
    const before = tf.memory().numTensors;
    const w = variable(1);
    const optimizer = createOptimizer({ name, learningRate: 0.1 });
    setLearningRate(optimizer, 0.3);
    setLearningRate(optimizer, 0.05);
    apply(optimizer, w, 2);
    expect(w.dataSync()[0]).toBeCloseTo(expected[name], 5);
    optimizer.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the optimizer state: Adam after a rate change equals Adam run at that rate from the same moments', () => {
    // Two Adam steps at lr 0.1 then one at 0.05, gradient 2 each: m̂ = 2 and v̂ = 4 at every step (constant g),
    // so w = 1 − 0.1 − 0.1 − 0.05 = 0.75. A rebuilt optimizer would also give 0.75 here, so check the
    // iteration count the bias correction depends on as well.
    const w = variable(1);
    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.1 });
    apply(optimizer, w, 2);
    apply(optimizer, w, 2);
    setLearningRate(optimizer, 0.05);
    apply(optimizer, w, 2);
    expect(w.dataSync()[0]).toBeCloseTo(0.75, 5);
    expect(optimizer.iterations).toBe(3);
    optimizer.dispose();
    w.dispose();
  });

  it('refuses a negative or non-finite rate', () => {
    const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.1 });
    expect(() => setLearningRate(optimizer, -1)).toThrow(ConfigError);
    expect(() => setLearningRate(optimizer, Number.NaN)).toThrow(ConfigError);
    optimizer.dispose();
  });
});

describe('createOptimizer: weight decay', () => {
  it("refuses weightDecay > 0 with an optimizer other than 'adamw', naming l2", () => {
    let err: unknown;
    try {
      createOptimizer({ name: 'adam', learningRate: 0.1, weightDecay: 0.01 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('training.weightDecay');
    expect((err as ConfigError).message).toContain('l2');
  });

  it('refuses a negative weight decay, and defaults adamw to 0.01', () => {
    expect(() => createOptimizer({ name: 'adamw', learningRate: 0.1, weightDecay: -0.1 })).toThrow(
      ConfigError,
    );
    const optimizer = createOptimizer({ name: 'adamw', learningRate: 0.1 }) as AdamW;
    expect(optimizer.weightDecay).toBe(0.01);
    optimizer.dispose();
  });
});
