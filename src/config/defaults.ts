/**
 * Options of {@link createRecommender}, their defaults (one per field, documented here) and their resolution.
 *
 * @module
 */
import type { BackendName } from '../backend';
import { ConfigError } from '../errors';
import { registeredCells } from '../model/cells';
import { RANKING_LOSSES, type RankingLoss, type ScoringHead } from '../model/sequence-rnn';
import { DEFAULT_WEIGHT_DECAY, OPTIMIZER_NAMES, type OptimizerName } from '../training/optimizers';
import { checkSchedule, SCHEDULE_DEFAULTS, type ScheduleName } from '../training/schedules';

/** Shape of the recurrent model. */
export interface ModelOptions {
  /** Registered cell: `'lstm'` (default), `'gru'`, `'rnn'` (the sigmoid recurrence) or a custom cell. */
  cell: string;
  /** Hidden units per layer. Default 64. */
  hiddenSize: number;
  /** Size of the learned movie embedding. Default 32. */
  embeddingSize: number;
  /** Stacked recurrent layers. Default 1. */
  layers: number;
  /** Gate activation of LSTM / GRU cells. Default `'sigmoid'` (tfjs-layers' own default is `'hardSigmoid'`). */
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  /** Most recent positions of a history the model reads. Default 50. */
  maxLength: number;
  /** Stride of the training windows over long histories (≤ maxLength). Default 25. */
  windowStride: number;
  /** Weight of the rating loss beside the next-movie ranking loss. Default 1. */
  ratingWeight: number;
  /**
   * Ranking loss: `'softmax'` (default; full softmax over the catalog), `'sampled-softmax'` (log-Q corrected;
   * for large catalogs) or `'bpr'`.
   */
  loss: RankingLoss;
  /**
   * Negatives shared by each batch for `'sampled-softmax'` (drawn ∝ popularity^0.75) and `'bpr'` (uniform).
   * Default 256.
   */
  negatives: number;
  /** Dropout of each cell's input in training (one mask per sequence, seeded). Default 0. */
  dropout: number;
  /** Dropout of each cell's recurrent state in training (one mask per sequence, seeded). Default 0. */
  recurrentDropout: number;
  /**
   * Weight of the taste objective (0: off): each epoch, every user's history is read with part of it held out
   * (at random, or all but its first few movies) and the last state predicts the held-out movies and their
   * ratings — what top-N over a whole history (protocol T), cold start (K) and rating prediction (R, C) ask.
   * Default 1.
   */
  tasteWeight: number;
  /**
   * Taste samples per user and epoch (each with its own random held-out part), with the taste objective on. More
   * samples train the "what else does this user like?" head harder beside the next-movie windows, at about one
   * next-movie batch's cost per batch of users. Default 1.
   */
  tasteSamples: number;
  /**
   * Width of the whole-history encoder beside the recurrence (0: none). With the taste objective on, the taste
   * head also reads the user's whole history as a bag of movies (each weighted 1/√n), through a `tanh` layer of
   * this width, and adds its logits to those of the last recurrent state: the recurrence keeps the order and the
   * recent movies, the bag every movie however far back (the recurrence reads the last `maxLength`). Default 0.
   */
  historySize: number;
  /**
   * Dropout of the whole-history bag's entries in training (`model.historySize` > 0 or `model.historyLinear`,
   * both read the same bag): each movie of the bag is
   * dropped at this rate, the rest scaled up (a denoising input, as in Mult-DAE). Seeded. Default 0.
   */
  historyDropout: number;
  /**
   * A linear movie-to-movie path beside the whole-history encoder (with the taste objective on): the bag of every
   * movie the user has read times a catalog × catalog matrix learned from zero, added to the taste logits: what
   * item-to-item models (SLIM, EASE) compute, learned with the rest of the network. Default false.
   */
  historyLinear: boolean;
  /**
   * How the movie-to-movie path's matrix starts (`model.historyLinear`): `'zero'` (default), or `'ease'`: the
   * closed-form EASE weights of the training interactions (ridge penalty `model.historyLinearLambda`), scaled to
   * softmax logits by the factor that best predicts a held-out fifth of each user's movies (see
   * `fitBagScale`), then trained with the rest of the network; the taste head's bias then starts at zero
   * (EASE carries popularity) instead of log popularity. `'ease'` inverts a catalog × catalog matrix of
   * doubles (8·M² bytes, about M³/2 multiply-adds: seconds at 1,700 movies, minutes at 10,000) and is refused
   * above 20,000 movies.
   */
  historyLinearInit: 'zero' | 'ease';
  /** The ridge penalty λ of `model.historyLinearInit: 'ease'` (added to the diagonal of XᵀX). Default 700. */
  historyLinearLambda: number;
  /**
   * What the movie-to-movie path reads: `'sqrt'` (default: the encoder's bag, each movie weighted 1/√n) or
   * `'binary'` (each movie 1, EASE's own input: weights started from EASE then keep one scale for every
   * history length).
   */
  historyLinearBag: 'sqrt' | 'binary';
  /** Whether training moves the movie-to-movie matrix (false: it stays as started, e.g. from EASE). Default true. */
  historyLinearTrainable: boolean;
  /**
   * Which head scores recommendations (with the taste objective on): `'next'` (the next movie), `'taste'`
   * (anything else the user likes) or `'blend'` (default: both, as a product of the two distributions).
   */
  scoring: ScoringHead;
  /**
   * Content cold start for movies: after training, every catalog movie without a training rating (a movie in
   * `dataset.movies` nobody has rated yet) gets its embedding and head parameters from its content features,
   * through a ridge regression fitted on the rated movies. Needs the FeatureExtractor. Default true.
   */
  contentColdStart: boolean;
}

/** How the model is trained. */
export interface TrainingOptions {
  /** Maximum epochs. Default 20. */
  epochs: number;
  /** Training windows per batch. Default 64. */
  batchSize: number;
  /** Default `'adam'`; `'adamw'` adds decoupled weight decay (`weightDecay`). */
  optimizer: OptimizerName;
  /** Default 0.002. The base rate of the schedule. */
  learningRate: number;
  /**
   * Decoupled weight decay of `'adamw'`: each step multiplies every weight except biases by
   * `1 − learningRate_t · weightDecay`. Default 0.01. Setting it above 0 with another optimizer is refused
   * (use `l2` with those).
   */
  weightDecay: number;
  /** L2 penalty `l2 · Σ w²` over every weight except biases, added to the training loss. Default 0. */
  l2: number;
  /**
   * Learning-rate schedule: `'constant'` (default), `'step'` (× `stepFactor` every `stepEvery` epochs) or
   * `'cosine'` (down to `cosineFloor` × `learningRate` over the planned steps).
   */
  schedule: ScheduleName;
  /**
   * Linear warm-up before the schedule: 0 (default) none, an integer ≥ 1 a number of steps, a number in (0, 1) a
   * fraction of the planned steps (epochs × batches per epoch).
   */
  warmup: number;
  /** `schedule: 'step'`: epochs between decays. Default 5. */
  stepEvery: number;
  /** `schedule: 'step'`: factor of each decay, in (0, 1]. Default 0.5. */
  stepFactor: number;
  /** `schedule: 'cosine'`: the final learning rate as a fraction of `learningRate`, in [0, 1]. Default 0. */
  cosineFloor: number;
  /** Global gradient-norm clip (0: off). Default 5. */
  clipNorm: number;
  /** Early-stopping patience in epochs (0: off). Default 3. */
  patience: number;
  /**
   * Validation for early stopping when `fit` is not given one: `'auto'` (default) holds out the last rating of a
   * seeded quarter of the users (at least 100 when there are, at most 2,000) — and, with the taste objective on,
   * a random tenth of their other ratings; with `model.scoring: 'taste'`, a random 5% of every user's ratings
   * instead (the shape of a top-N split, every user counted) — and monitors `monitor` on it; `'none'` trains all
   * epochs. A `validation` table given to `fit` may hold several ratings per user: they are
   * all relevant to that user's case.
   */
  validation: 'auto' | 'none';
  /**
   * The validation metric that drives early stopping: `'NDCG@10'` (default), `'HR@10'` or `'MRR@10'` of the
   * held-out next movie, or `'RMSE'` / `'MAE'` of its predicted rating (for rating prediction).
   */
  monitor: ValidationMetric;
}

/** Metrics the pipeline computes on its validation ratings after each epoch. */
export type ValidationMetric = 'NDCG@10' | 'HR@10' | 'MRR@10' | 'RMSE' | 'MAE';

/**
 * Every {@link ValidationMetric}.
 *
 * @example
 * ```ts
 * import { createRecommender, VALIDATION_METRICS } from 'reelrec';
 * console.log(VALIDATION_METRICS.join(', ')); // NDCG@10, HR@10, MRR@10, RMSE, MAE
 * const rec = await createRecommender({ training: { monitor: 'RMSE' } }); // early stopping on rating error
 * ```
 */
export const VALIDATION_METRICS: readonly ValidationMetric[] = ['NDCG@10', 'HR@10', 'MRR@10', 'RMSE', 'MAE'];

/** Options of {@link createRecommender}; every field is optional. */
export interface RecommenderOptions {
  /** tfjs backend, or a priority list. Default: `['wasm', 'cpu']` in Node, `['webgl', 'wasm', 'cpu']` in browsers. */
  backend?: BackendName | BackendName[];
  /** Seed of every random choice (weights, batch order, validation users). Default 42. */
  seed?: number;
  /** Model shape. */
  model?: Partial<ModelOptions>;
  /** Training settings. */
  training?: Partial<TrainingOptions>;
}

/**
 * Defaults of {@link ModelOptions}.
 *
 * @example
 * ```ts
 * import { MODEL_DEFAULTS } from 'reelrec';
 * console.log(MODEL_DEFAULTS.cell, MODEL_DEFAULTS.hiddenSize); // lstm 64
 * ```
 */
export const MODEL_DEFAULTS: Readonly<ModelOptions> = {
  cell: 'lstm',
  hiddenSize: 64,
  embeddingSize: 32,
  layers: 1,
  recurrentActivation: 'sigmoid',
  maxLength: 50,
  windowStride: 25,
  ratingWeight: 1,
  loss: 'softmax',
  negatives: 256,
  dropout: 0,
  recurrentDropout: 0,
  tasteWeight: 1,
  tasteSamples: 1,
  historySize: 0,
  historyLinear: false,
  historyLinearInit: 'zero',
  historyLinearLambda: 700,
  historyLinearBag: 'sqrt',
  historyLinearTrainable: true,
  historyDropout: 0,
  scoring: 'blend',
  contentColdStart: true,
};

/**
 * Defaults of {@link TrainingOptions}.
 *
 * @example
 * ```ts
 * import { TRAINING_DEFAULTS } from 'reelrec';
 * console.log(TRAINING_DEFAULTS.epochs, TRAINING_DEFAULTS.optimizer); // 20 adam
 * ```
 */
export const TRAINING_DEFAULTS: Readonly<TrainingOptions> = {
  epochs: 20,
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 0.002,
  weightDecay: DEFAULT_WEIGHT_DECAY,
  l2: 0,
  schedule: SCHEDULE_DEFAULTS.name,
  warmup: SCHEDULE_DEFAULTS.warmup,
  stepEvery: SCHEDULE_DEFAULTS.stepEvery,
  stepFactor: SCHEDULE_DEFAULTS.stepFactor,
  cosineFloor: SCHEDULE_DEFAULTS.cosineFloor,
  clipNorm: 5,
  patience: 3,
  validation: 'auto',
  monitor: 'NDCG@10',
};

/** Options with every default filled in. */
export interface ResolvedOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Model shape, every field filled. */
  model: ModelOptions;
  /** Training settings, every field filled. */
  training: TrainingOptions;
}

function positiveInteger(path: string, value: number, min = 1): number {
  if (!(Number.isInteger(value) && value >= min)) throw new ConfigError(path, `an integer ≥ ${min}`, value);
  return value;
}

/**
 * Fills defaults and checks every value; a bad value throws {@link ConfigError} naming the option.
 *
 * @example
 * ```ts
 * import { resolveOptions } from 'reelrec';
 * const resolved = resolveOptions({ model: { cell: 'gru' } });
 * console.log(resolved.model.hiddenSize); // 64
 * ```
 */
export function resolveOptions(options: RecommenderOptions = {}): ResolvedOptions {
  const model: ModelOptions = { ...MODEL_DEFAULTS, ...options.model };
  const training: TrainingOptions = { ...TRAINING_DEFAULTS, ...options.training };
  const seed = options.seed ?? 42;
  if (!Number.isFinite(seed)) throw new ConfigError('seed', 'a finite number', seed);
  positiveInteger('model.hiddenSize', model.hiddenSize);
  positiveInteger('model.embeddingSize', model.embeddingSize);
  positiveInteger('model.layers', model.layers);
  positiveInteger('model.maxLength', model.maxLength, 2);
  positiveInteger('model.windowStride', model.windowStride);
  if (model.windowStride > model.maxLength) {
    throw new ConfigError(
      'model.windowStride',
      `an integer ≤ model.maxLength (${model.maxLength})`,
      model.windowStride,
    );
  }
  if (!['sigmoid', 'hardSigmoid'].includes(model.recurrentActivation)) {
    throw new ConfigError(
      'model.recurrentActivation',
      "'sigmoid' or 'hardSigmoid'",
      model.recurrentActivation,
    );
  }
  if (!(model.ratingWeight >= 0))
    throw new ConfigError('model.ratingWeight', 'a number ≥ 0', model.ratingWeight);
  if (!RANKING_LOSSES.includes(model.loss)) {
    throw new ConfigError('model.loss', `one of ${RANKING_LOSSES.join(', ')}`, model.loss);
  }
  positiveInteger('model.negatives', model.negatives);
  if (!['next', 'taste', 'blend'].includes(model.scoring)) {
    throw new ConfigError('model.scoring', "one of 'next', 'taste', 'blend'", model.scoring);
  }
  if (!(model.tasteWeight >= 0 && Number.isFinite(model.tasteWeight))) {
    throw new ConfigError('model.tasteWeight', 'a number ≥ 0', model.tasteWeight);
  }
  if (!(Number.isInteger(model.tasteSamples) && model.tasteSamples >= 1)) {
    throw new ConfigError('model.tasteSamples', 'an integer ≥ 1', model.tasteSamples);
  }
  if (!(Number.isInteger(model.historySize) && model.historySize >= 0)) {
    throw new ConfigError('model.historySize', 'an integer ≥ 0', model.historySize);
  }
  if (typeof model.historyLinear !== 'boolean') {
    throw new ConfigError('model.historyLinear', 'true or false', model.historyLinear);
  }
  if (model.historyLinearInit !== 'zero' && model.historyLinearInit !== 'ease') {
    throw new ConfigError('model.historyLinearInit', "'zero' or 'ease'", model.historyLinearInit);
  }
  if (model.historyLinearInit === 'ease' && !model.historyLinear) {
    throw new ConfigError(
      'model.historyLinearInit',
      "'zero' unless model.historyLinear is true (there is no movie-to-movie matrix to start)",
      model.historyLinearInit,
    );
  }
  if (model.historyLinearBag !== 'sqrt' && model.historyLinearBag !== 'binary') {
    throw new ConfigError('model.historyLinearBag', "'sqrt' or 'binary'", model.historyLinearBag);
  }
  if (typeof model.historyLinearTrainable !== 'boolean') {
    throw new ConfigError('model.historyLinearTrainable', 'true or false', model.historyLinearTrainable);
  }
  if (!(model.historyLinearLambda > 0 && Number.isFinite(model.historyLinearLambda))) {
    throw new ConfigError('model.historyLinearLambda', 'a finite number > 0', model.historyLinearLambda);
  }
  if (typeof model.contentColdStart !== 'boolean') {
    throw new ConfigError('model.contentColdStart', 'true or false', model.contentColdStart);
  }
  for (const key of ['dropout', 'recurrentDropout', 'historyDropout'] as const) {
    const rate = model[key];
    if (!(rate >= 0 && rate < 1)) throw new ConfigError(`model.${key}`, 'a number in [0, 1)', rate);
  }
  positiveInteger('training.epochs', training.epochs);
  positiveInteger('training.batchSize', training.batchSize);
  if (!registeredCells().includes(model.cell)) {
    throw new ConfigError('model.cell', `one of ${registeredCells().join(', ')}`, model.cell);
  }
  if (!OPTIMIZER_NAMES.includes(training.optimizer)) {
    throw new ConfigError('training.optimizer', `one of ${OPTIMIZER_NAMES.join(', ')}`, training.optimizer);
  }
  if (!(training.learningRate > 0 && Number.isFinite(training.learningRate))) {
    throw new ConfigError('training.learningRate', 'a positive number', training.learningRate);
  }
  if (!(training.clipNorm >= 0)) {
    throw new ConfigError('training.clipNorm', 'a number ≥ 0', training.clipNorm);
  }
  if (!(training.weightDecay >= 0 && Number.isFinite(training.weightDecay))) {
    throw new ConfigError('training.weightDecay', 'a number ≥ 0', training.weightDecay);
  }
  // The default weight decay belongs to 'adamw'; one set by hand with another optimizer is a mistake (in PyTorch,
  // Adam's weight_decay is an L2 penalty), not something to ignore.
  if (
    options.training?.weightDecay !== undefined &&
    training.weightDecay > 0 &&
    training.optimizer !== 'adamw'
  ) {
    throw new ConfigError(
      'training.weightDecay',
      `0 with optimizer '${training.optimizer}' (decoupled weight decay needs optimizer 'adamw'; training.l2 adds an L2 penalty)`,
      training.weightDecay,
    );
  }
  if (!(training.l2 >= 0 && Number.isFinite(training.l2))) {
    throw new ConfigError('training.l2', 'a number ≥ 0', training.l2);
  }
  checkSchedule({
    name: training.schedule,
    warmup: training.warmup,
    stepEvery: training.stepEvery,
    stepFactor: training.stepFactor,
    cosineFloor: training.cosineFloor,
  });
  positiveInteger('training.patience', training.patience, 0);
  if (!VALIDATION_METRICS.includes(training.monitor)) {
    throw new ConfigError('training.monitor', `one of ${VALIDATION_METRICS.join(', ')}`, training.monitor);
  }
  if (!['auto', 'none'].includes(training.validation)) {
    throw new ConfigError('training.validation', "'auto' or 'none'", training.validation);
  }
  return { seed, model, training };
}
