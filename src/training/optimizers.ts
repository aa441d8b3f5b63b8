/**
 * Gradient-descent optimizers by name, with one documented default each, AdamW (Adam with decoupled weight
 * decay) and the learning-rate setter the schedules use.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

/** The optimizers reelrec can build. */
export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad';

/** Optimizer settings. */
export interface OptimizerConfig {
  /** Default `'adam'`. */
  name: OptimizerName;
  /** Default 0.002. The starting rate: a schedule (see `ScheduleConfig`) changes it between steps. */
  learningRate: number;
  /** Momentum of `'momentum'` (default 0.9) and `'rmsprop'` (default 0). */
  momentum?: number;
  /** β1 of `'adam'` and `'adamw'` (default 0.9). */
  beta1?: number;
  /** β2 of `'adam'` and `'adamw'` (default 0.999). */
  beta2?: number;
  /**
   * Decoupled weight decay λ of `'adamw'` (default 0.01): each step multiplies every decayed variable (see
   * {@link isDecayedVariable}) by `1 − learningRate_t · λ`. Other optimizers refuse a value above 0: use the
   * trainer's `l2` penalty with them.
   */
  weightDecay?: number;
}

/**
 * Names accepted by {@link createOptimizer}.
 *
 * @example
 * ```ts
 * import { OPTIMIZER_NAMES } from 'reelrec';
 * console.log(OPTIMIZER_NAMES.join(', ')); // adam, adamw, sgd, momentum, rmsprop, adagrad
 * ```
 */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = [
  'adam',
  'adamw',
  'sgd',
  'momentum',
  'rmsprop',
  'adagrad',
];

/**
 * Default decoupled weight decay of `'adamw'` (PyTorch's `AdamW` default).
 *
 * @example
 * ```ts
 * import { DEFAULT_WEIGHT_DECAY } from 'reelrec';
 * console.log(DEFAULT_WEIGHT_DECAY); // 0.01
 * ```
 */
export const DEFAULT_WEIGHT_DECAY = 0.01;

/**
 * Whether weight decay (AdamW) and the `l2` penalty apply to a variable, from its name: every weight except
 * biases. tfjs-layers names a variable `<layer>/<weight>`, with a `_<n>` suffix when the name was taken
 * (`rnn_0/bias_1`); kernels, recurrent kernels and embedding tables (the padding and begin-of-sequence rows
 * included: no prediction reads a padded position) decay, `…/bias` does not — a bias sets an offset, not a
 * slope, and shrinking it toward zero only moves the model's operating point (the ranking head's bias starts at
 * the log-popularity of each movie).
 *
 * @example
 * ```ts
 * import { isDecayedVariable } from 'reelrec';
 * isDecayedVariable('rnn_0/recurrent_kernel'); // true
 * isDecayedVariable('ranking_head/bias_1'); // false
 * ```
 */
export function isDecayedVariable(name: string): boolean {
  return !/(^|\/)bias(_\d+)?$/.test(name);
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019):
 * `θ_t = θ_{t−1} − lr_t · (m̂_t / (√v̂_t + ε) + λ · θ_{t−1})`. The decay reads the weights before the Adam step
 * (as in the paper and PyTorch's `AdamW`), scales with the current learning rate (so a schedule also anneals it)
 * and skips the variables {@link isDecayedVariable} rejects (biases).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { AdamW } from 'reelrec';
 * const w = tf.variable(tf.tensor1d([1]), true, 'dense/kernel');
 * const optimizer = new AdamW(0.1, 0.01);
 * optimizer.applyGradients({ 'dense/kernel': tf.tensor1d([2]) });
 * console.log(w.dataSync()[0]); // 1 − 0.1·0.01·1 − 0.1 ≈ 0.899
 * optimizer.dispose();
 * ```
 */
export class AdamW extends tf.AdamOptimizer {
  /** The decoupled weight decay λ. */
  readonly weightDecay: number;

  /**
   * @param learningRate the step size (a schedule may change it between steps with {@link setLearningRate}).
   * @param weightDecay λ ≥ 0.
   */
  constructor(
    learningRate: number,
    weightDecay = DEFAULT_WEIGHT_DECAY,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon?: number,
  ) {
    super(learningRate, beta1, beta2, epsilon);
    this.weightDecay = weightDecay;
  }

  /** tfjs serialization name. */
  static override get className(): string {
    return 'AdamW';
  }

  /** Shrinks the decayed variables by `1 − lr · λ`, then takes Adam's step. */
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const factor = 1 - this.learningRate * this.weightDecay;
    if (this.weightDecay > 0) {
      const names = Array.isArray(variableGradients)
        ? variableGradients.map((g) => g.name)
        : Object.keys(variableGradients).filter((n) => variableGradients[n] != null);
      tf.tidy(() => {
        for (const name of names) {
          if (!isDecayedVariable(name)) continue;
          const variable = tf.engine().registeredVariables[name];
          if (variable) variable.assign(tf.mul(variable, factor));
        }
      });
    }
    super.applyGradients(variableGradients);
  }

  /** The serialisable settings: Adam's, plus `weightDecay`. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

/**
 * Builds a tfjs optimizer. The caller disposes it (`optimizer.dispose()`) when training ends.
 *
 * @example
 * ```ts
 * import { createOptimizer } from 'reelrec';
 * const optimizer = createOptimizer({ name: 'adamw', learningRate: 0.001, weightDecay: 0.05 });
 * optimizer.dispose();
 * ```
 */
export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  const lr = config.learningRate;
  if (!(lr > 0 && Number.isFinite(lr)))
    throw new ConfigError('training.learningRate', 'a positive number', lr);
  const decay = config.weightDecay ?? (config.name === 'adamw' ? DEFAULT_WEIGHT_DECAY : 0);
  if (!(decay >= 0 && Number.isFinite(decay)))
    throw new ConfigError('training.weightDecay', 'a number ≥ 0', decay);
  if (decay > 0 && config.name !== 'adamw' && OPTIMIZER_NAMES.includes(config.name)) {
    throw new ConfigError(
      'training.weightDecay',
      `0 with optimizer '${config.name}' (decoupled weight decay is optimizer 'adamw'; use training.l2 for an L2 penalty)`,
      decay,
    );
  }
  switch (config.name) {
    case 'adam':
      return tf.train.adam(lr, config.beta1 ?? 0.9, config.beta2 ?? 0.999);
    case 'adamw':
      return new AdamW(lr, decay, config.beta1 ?? 0.9, config.beta2 ?? 0.999);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum': {
      // tfjs 4.22's MomentumOptimizer.dispose() leaves its learning-rate scalar `c` (from SGD) allocated.
      const optimizer = tf.train.momentum(lr, config.momentum ?? 0.9);
      const dispose = optimizer.dispose.bind(optimizer);
      optimizer.dispose = () => {
        dispose();
        (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
      };
      return optimizer;
    }
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9, config.momentum ?? 0);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw new ConfigError('training.optimizer', `one of ${OPTIMIZER_NAMES.join(', ')}`, config.name);
  }
}

/**
 * Changes an optimizer's learning rate between steps, keeping its state (Adam's moments, momentum's
 * accumulations, the iteration count). tfjs 4.22's Adam, RMSprop and Adagrad read their `learningRate` field at
 * every step; SGD and Momentum keep it as a scalar tensor, which their `setLearningRate` rebuilds.
 *
 * @example
 * ```ts
 * import { createOptimizer, setLearningRate } from 'reelrec';
 * const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.1 });
 * setLearningRate(optimizer, 0.05); // the next applyGradients steps by 0.05 · gradient
 * optimizer.dispose();
 * ```
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  if (!(rate >= 0 && Number.isFinite(rate))) throw new ConfigError('learningRate', 'a number ≥ 0', rate);
  const o = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else if (typeof o.learningRate === 'number') o.learningRate = rate;
  else throw new ConfigError('optimizer', 'a tfjs optimizer with a learning rate', optimizer.getClassName());
}
