/**
 * The Optimizer module's training loop: a model writes only its loss; this loop owns batching order, the L2
 * penalty, gradient steps with clipping, the learning-rate schedule, validation, early stopping with restoration
 * of the best weights, progress callbacks and clean stopping on an `AbortSignal`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { Rng } from '../util/random';
import { createOptimizer, isDecayedVariable, type OptimizerConfig, setLearningRate } from './optimizers';
import { checkSchedule, learningRateSchedule, SCHEDULE_DEFAULTS, type ScheduleConfig } from './schedules';
import type { EpochLog, FitOptions, FitSummary } from './types';

/** What the loop needs from a model. */
export interface TrainableModel<Batch> {
  /**
   * The variables the optimizer updates. Their names (tfjs-layers: `<layer>/<weight>`) tell the L2 penalty and
   * AdamW's decay which are biases (see `isDecayedVariable`).
   */
  trainableVariables(): tf.Variable[];
  /** A scalar loss for the batch (the loop disposes it). */
  loss(batch: Batch): tf.Scalar;
  /** A copy of every weight's values (kept for best-weight restoration). */
  getWeights(): Float32Array[];
  /** Sets every weight from the output of `getWeights`. */
  setWeights(values: readonly Float32Array[]): void;
}

/** Where the loop gets its batches. */
export interface BatchSource<Batch> {
  /** The batches of one epoch, in a seeded order. */
  batches(epoch: number, rng: Rng): Iterable<Batch>;
  /** Number of batches per epoch. */
  batchCount(): number;
  /** Training positions in a batch (for throughput). */
  positions(batch: Batch): number;
}

/** A validation metric to monitor: its name and whether higher or lower is better. */
export interface Monitor {
  /** Key of the metric in what `validate` returns, e.g. `'NDCG@10'`. */
  name: string;
  /** Whether higher or lower values are better. */
  direction: 'higher' | 'lower';
}

/** Settings of the training loop. */
export interface TrainerConfig {
  /** Maximum epochs. Default 20. */
  epochs: number;
  /** Optimizer. Default Adam, learning rate 0.002. */
  optimizer: OptimizerConfig;
  /** Clip gradients to this global L2 norm (0: no clipping). Default 5. */
  clipNorm: number;
  /** Epochs without improvement of the monitored metric before stopping (0: never stop early). Default 3. */
  patience: number;
  /** Seed of the batch order. Default 42. */
  seed: number;
  /**
   * L2 penalty: `l2 · Σ w²` over every trainable weight except biases (see `isDecayedVariable`) is added to each
   * batch's loss, and to the reported loss. Default 0. With Adam the penalty's gradient is rescaled per weight
   * like any gradient; AdamW's `weightDecay` is the decoupled alternative.
   */
  l2: number;
  /** Learning-rate schedule over the planned steps (`epochs` × batches per epoch). Default constant. */
  schedule: ScheduleConfig;
}

/**
 * Defaults of {@link TrainerConfig}.
 *
 * @example
 * ```ts
 * import { TRAINER_DEFAULTS } from 'reelrec';
 * console.log(TRAINER_DEFAULTS.epochs); // 20
 * console.log(TRAINER_DEFAULTS.optimizer); // { name: 'adam', learningRate: 0.002 }
 * console.log(TRAINER_DEFAULTS.schedule.name); // 'constant'
 * ```
 */
export const TRAINER_DEFAULTS: Readonly<TrainerConfig> = {
  epochs: 20,
  optimizer: { name: 'adam', learningRate: 0.002 },
  clipNorm: 5,
  patience: 3,
  seed: 42,
  l2: 0,
  schedule: SCHEDULE_DEFAULTS,
};

/** Hooks of one training run. */
export interface TrainHooks extends FitOptions {
  /** Computes validation metrics after each epoch (keys include the monitored metric). */
  validate?: () => Promise<Record<string, number>>;
  /** The metric that drives early stopping and best-weight restoration. Required with `validate`. */
  monitor?: Monitor;
}

/**
 * Runs gradient descent on a model. Deterministic for a seed on one backend.
 *
 * @example
 * ```ts
 * import { Trainer } from 'reelrec';
 * const trainer = new Trainer({ epochs: 10, patience: 2 });
 * console.log(trainer.config.optimizer.name); // 'adam'
 * ```
 */
export class Trainer {
  /** The settings, every default filled in. */
  readonly config: TrainerConfig;

  /** @param config settings to change from {@link TRAINER_DEFAULTS}; `schedule` may be partial too. */
  constructor(
    config: Partial<Omit<TrainerConfig, 'schedule'>> & { schedule?: Partial<ScheduleConfig> } = {},
  ) {
    this.config = {
      ...TRAINER_DEFAULTS,
      ...config,
      optimizer: { ...TRAINER_DEFAULTS.optimizer, ...config.optimizer },
      schedule: checkSchedule({ ...TRAINER_DEFAULTS.schedule, ...config.schedule }),
    };
    const { epochs, clipNorm, patience, l2 } = this.config;
    if (!(Number.isInteger(epochs) && epochs >= 1))
      throw new ConfigError('training.epochs', 'an integer ≥ 1', epochs);
    if (!(clipNorm >= 0)) throw new ConfigError('training.clipNorm', 'a number ≥ 0', clipNorm);
    if (!(Number.isInteger(patience) && patience >= 0)) {
      throw new ConfigError('training.patience', 'an integer ≥ 0', patience);
    }
    if (!(l2 >= 0 && Number.isFinite(l2))) throw new ConfigError('training.l2', 'a number ≥ 0', l2);
  }

  /**
   * Trains `model` on `source`. Returns when the epochs are done, early stopping triggers, or the signal aborts.
   * Each epoch's log carries the learning rate of its last step.
   */
  async fit<Batch>(
    model: TrainableModel<Batch>,
    source: BatchSource<Batch>,
    hooks: TrainHooks = {},
  ): Promise<FitSummary> {
    const { epochs, clipNorm, patience, seed } = this.config;
    if (hooks.validate && !hooks.monitor)
      throw new ConfigError('monitor', 'a metric to monitor with validate', undefined);
    const optimizer = createOptimizer(this.config.optimizer);
    const variables = model.trainableVariables();
    const penalised = this.config.l2 > 0 ? variables.filter((v) => isDecayedVariable(v.name)) : [];
    const batches = source.batchCount();
    const rateAt = learningRateSchedule(this.config.optimizer.learningRate, this.config.schedule, {
      epochs,
      stepsPerEpoch: batches,
    });
    let rate = this.config.optimizer.learningRate;
    let steps = 0;
    const history: EpochLog[] = [];
    const started = now();
    let best: { value: number; epoch: number; weights: Float32Array[] } | null = null;
    let sinceBest = 0;
    let aborted = false;
    try {
      for (let epoch = 1; epoch <= epochs && !aborted; epoch++) {
        const epochStart = now();
        const rng = new Rng(`${seed}:epoch:${epoch}`);
        let lossSum = 0;
        let lossCount = 0;
        let positions = 0;
        let batch = 0;
        for (const b of source.batches(epoch, rng)) {
          if (hooks.signal?.aborted) {
            aborted = true;
            break;
          }
          const next = rateAt(steps);
          if (next !== rate) {
            setLearningRate(optimizer, next);
            rate = next;
          }
          const loss = step(model, b, variables, optimizer, clipNorm, penalised, this.config.l2);
          steps++;
          const value = (await loss.data())[0]!;
          loss.dispose();
          if (!Number.isFinite(value)) {
            throw new ConfigError(
              'training.learningRate',
              'a value that keeps the loss finite (lower it, or lower training.clipNorm)',
              this.config.optimizer.learningRate,
            );
          }
          lossSum += value;
          lossCount++;
          positions += source.positions(b);
          batch++;
          hooks.onBatchEnd?.({ epoch, batch, batches, loss: value });
          await yieldToEventLoop();
        }
        // An epoch cut short by the signal is neither validated nor a candidate for the best weights.
        if (lossCount === 0 || aborted) break;
        const seconds = (now() - epochStart) / 1000;
        const log: EpochLog = {
          epoch,
          loss: lossSum / lossCount,
          seconds,
          positionsPerSecond: positions / seconds,
          learningRate: rate,
        };
        if (hooks.validate && hooks.monitor) {
          const metrics = await hooks.validate();
          log.metrics = metrics;
          const value = metrics[hooks.monitor.name];
          if (value === undefined) {
            throw new ConfigError(
              'monitor',
              `one of the validation metrics ${Object.keys(metrics).join(', ')}`,
              hooks.monitor.name,
            );
          }
          const better =
            best === null || (hooks.monitor.direction === 'higher' ? value > best.value : value < best.value);
          if (better) {
            best = { value, epoch, weights: model.getWeights() };
            sinceBest = 0;
          } else {
            sinceBest++;
          }
        }
        history.push(log);
        hooks.onEpochEnd?.(log);
        if (hooks.signal?.aborted) aborted = true;
        if (best && patience > 0 && sinceBest >= patience) break;
      }
    } finally {
      optimizer.dispose();
    }
    // Restore the best epoch unless the weights are already its own (it was the last completed epoch and no
    // batch ran after it).
    if (best && (aborted || best.epoch !== history.length)) model.setWeights(best.weights);
    return {
      epochs: history.length,
      bestEpoch: best?.epoch ?? history.length,
      history,
      aborted,
      seconds: (now() - started) / 1000,
    };
  }
}

function step<Batch>(
  model: TrainableModel<Batch>,
  batch: Batch,
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
  clipNorm: number,
  penalised: readonly tf.Variable[],
  l2: number,
): tf.Scalar {
  const objective =
    penalised.length === 0
      ? () => model.loss(batch)
      : () =>
          tf.tidy(() => {
            const penalty = tf.mul(l2, tf.addN(penalised.map((v) => tf.sum(tf.square(v)))));
            return tf.add(model.loss(batch), penalty) as tf.Scalar;
          });
  const { value, grads } = tf.variableGrads(objective, variables);
  tf.tidy(() => {
    let named = grads;
    if (clipNorm > 0) {
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(tf.addN(squares));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(clipNorm), tf.maximum(norm, 1e-12)));
      named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
    }
    optimizer.applyGradients(everyVariable(named, variables));
  });
  for (const g of Object.values(grads)) g.dispose();
  return value;
}

/**
 * The gradients keyed by every variable, in one fixed order, `null` where the batch gave none. tfjs optimizers
 * keep their slots (Adam's moments, momentum, RMSprop's squares) by position among the names they are handed, and
 * `variableGrads` leaves out variables the loss did not reach: a batch that skips one head (a taste batch does
 * not reach the ranking head, a next-movie batch not the taste head) would shift every later variable into
 * another's slots. With every name present, a variable keeps its slot and a `null` gradient leaves it as it is.
 */
function everyVariable(grads: tf.NamedTensorMap, variables: readonly tf.Variable[]): tf.NamedTensorMap {
  return Object.fromEntries(variables.map((v) => [v.name, grads[v.name] ?? null])) as tf.NamedTensorMap;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Lets timers, I/O and abort signals run between batches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
