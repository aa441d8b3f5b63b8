/**
 * Gradient-descent optimizers by name, with one documented default each.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

/** The optimizers reelrec can build. */
export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad';

/** Optimizer settings. */
export interface OptimizerConfig {
  /** Default `'adam'`. */
  name: OptimizerName;
  /** Default 0.002. */
  learningRate: number;
  /** Momentum of `'momentum'` (default 0.9) and `'rmsprop'` (default 0). */
  momentum?: number;
  /** Adam's β1 (default 0.9). */
  beta1?: number;
  /** Adam's β2 (default 0.999). */
  beta2?: number;
}

/**
 * Names accepted by {@link createOptimizer}.
 *
 * @example
 * ```ts
 * import { OPTIMIZER_NAMES } from 'reelrec';
 * console.log(OPTIMIZER_NAMES.join(', ')); // adam, sgd, momentum, rmsprop, adagrad
 * ```
 */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'];

/**
 * Builds a tfjs optimizer. The caller disposes it (`optimizer.dispose()`) when training ends.
 *
 * @example
 * ```ts
 * import { createOptimizer } from 'reelrec';
 * const optimizer = createOptimizer({ name: 'adam', learningRate: 0.001 });
 * optimizer.dispose();
 * ```
 */
export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  const lr = config.learningRate;
  if (!(lr > 0 && Number.isFinite(lr)))
    throw new ConfigError('training.learningRate', 'a positive number', lr);
  switch (config.name) {
    case 'adam':
      return tf.train.adam(lr, config.beta1 ?? 0.9, config.beta2 ?? 0.999);
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
