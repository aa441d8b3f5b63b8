/**
 * Hyperparameter tuning of the recommender: {@link searchHyperparameters} with an objective that builds a
 * recommender from each configuration and evaluates it with a protocol of `PROTOCOL.md` on a validation split —
 * the data with the protocol's test part removed — so the test part is never seen while tuning.
 *
 * @module
 */
import { MODEL_DEFAULTS, TRAINING_DEFAULTS } from './config/defaults';
import { type CreateRecommenderOptions, createRecommender } from './create-recommender';
import { stratifiedRandomSplit, userHoldoutSplit, userTimelines } from './data/split';
import type { Dataset } from './data/types';
import { ConfigError } from './errors';
import { getMetric } from './evaluate/metrics/registry';
import { type FoldSplit, PROTOCOL_NAMES, type ProtocolName, runProtocol } from './evaluate/protocols';
import type { FitOptions } from './recommend/types';
import {
  type HalvingOptions,
  type ParamValue,
  type SearchBudget,
  type SearchOptions,
  type SearchResult,
  type SearchSpace,
  type SearchStateStore,
  type SearchStrategy,
  searchHyperparameters,
  type TrialConfig,
} from './training/search';

/** Options of {@link tuneRecommender}. */
export interface TuneOptions {
  /**
   * The hyperparameters: `'model.<field>'`, `'training.<field>'` (see `ModelOptions`, `TrainingOptions`), a bare
   * field name of either, or `'seed'`. E.g. `{ 'training.learningRate': { min: 3e-4, max: 1e-2, log: true },
   * hiddenSize: [32, 64, 128] }`.
   */
  space: SearchSpace;
  /** The protocol whose validation split scores each configuration. Default `'S'`. */
  protocol?: ProtocolName;
  /** Default `'random'`. */
  strategy?: SearchStrategy;
  /** When to stop launching trials (see {@link SearchBudget}). */
  budget?: SearchBudget;
  /**
   * Seed of the splits and of the search's draws. Default 42 — the default of `runProtocol`: evaluate the tuned
   * options with the same seed, so the validation split lies inside its training part.
   */
  seed?: number;
  /** Options every trial starts from (the configuration's values replace theirs). Default `{}`. */
  base?: CreateRecommenderOptions;
  /**
   * The protocol metric to optimise; its direction comes from the metric registry. Default `'NDCG@K'` for T, S
   * and K (the mean over K's two scenarios), `'RMSE'` for R, `'F1'` for C.
   */
  metric?: string;
  /** Ranking cutoff K. Default 10. */
  k?: number;
  /** The official folds: required for R and C (the fold `u1`, else the first, is split 80/20 for validation). */
  folds?: FoldSplit[];
  /** Evaluate at most this many validation users per trial (seeded sample), for quick trials. */
  users?: number;
  /**
   * Epochs of each grid or random trial, and the last rung's cap for successive halving. Default
   * `base.training.epochs`, else 20.
   */
  epochs?: number;
  /** Successive-halving settings (`maxEpochs` defaults to `epochs`). */
  halving?: HalvingOptions;
  /** Makes the search resumable (see `SearchOptions.statePath`). */
  statePath?: string;
  /** Instead of `statePath`: any store of the state text. */
  stateStore?: SearchStateStore;
  /** Stops the search (the running trial stops too). */
  signal?: AbortSignal;
  /** Called after each trial (see `SearchOptions.onTrial`). */
  onTrial?: SearchOptions['onTrial'];
  /** Passed to every trial's `fit` (progress callbacks). */
  fitOptions?: FitOptions;
}

/** What {@link tuneRecommender} returns. */
export interface TuneResult extends SearchResult {
  /** The protocol that scored the trials. */
  protocol: ProtocolName;
  /** The metric optimised. */
  metric: string;
  /** Its direction in the metric registry. */
  direction: 'higher' | 'lower';
  /** `base` with the best configuration applied (its epochs included), ready for `createRecommender`; `null` when no trial succeeded. */
  bestOptions: CreateRecommenderOptions | null;
}

/** The name of the tuned model in each trial's protocol run. */
const CANDIDATE = 'candidate';

/**
 * Tunes a recommender's options on a validation split of a protocol and returns the leaderboard and the best
 * options. The validation split is the data without the protocol's test part, on which the same protocol runs
 * again:
 *
 * - **S**: each user's last rating is dropped; the protocol then tests on the second to last (the validation
 *   item of the full split) and trains on the rest.
 * - **T**: the 75% training part of the seeded split is split 75/25 again.
 * - **K**: the held-out 20% of users is dropped; 20% of the remaining users are held out.
 * - **R**, **C**: the `u1` fold's base file (else the first fold's) is split 80/20 into one validation fold.
 *
 * Trials train with `training.epochs` set to the trial's epochs (the rung's epochs under successive halving);
 * R and C monitor `'RMSE'` for early stopping unless the base or the space sets `training.monitor`.
 *
 * @throws {ConfigError} on an unknown protocol, hyperparameter, metric, or a bad search option.
 *
 * @example
 * ```ts
 * import { createRecommender, loadMovieLens, tuneRecommender } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const tuned = await tuneRecommender(data, {
 *   protocol: 'S',
 *   space: { learningRate: { min: 3e-4, max: 1e-2, log: true }, hiddenSize: [32, 64, 128] },
 *   strategy: 'successive-halving',
 *   budget: { trials: 13 },
 *   epochs: 9,
 *   statePath: './tune-ml-100k.json',
 * });
 * console.log(tuned.best?.config, tuned.best?.metric);
 * const rec = await createRecommender(tuned.bestOptions ?? {});
 * ```
 */
export async function tuneRecommender(dataset: Dataset, options: TuneOptions): Promise<TuneResult> {
  const protocol = options.protocol ?? 'S';
  if (!PROTOCOL_NAMES.includes(protocol)) {
    throw new ConfigError('protocol', `one of ${PROTOCOL_NAMES.map((p) => `'${p}'`).join(', ')}`, protocol);
  }
  const k = options.k ?? 10;
  const seed = options.seed ?? 42;
  const base = options.base ?? {};
  const strategy = options.strategy ?? 'random';
  const paths = Object.fromEntries(Object.keys(options.space ?? {}).map((key) => [key, optionPath(key)]));
  const sets = (section: 'model' | 'training', field: string) =>
    Object.values(paths).some((p) => p.section === section && p.field === field);
  if (base.trainer && Object.values(paths).some((p) => p.section === 'training')) {
    throw new ConfigError(
      'base.trainer',
      'no trainer instance when the space tunes training options (the instance would ignore them)',
      'a Trainer',
    );
  }
  if (strategy === 'successive-halving' && sets('training', 'epochs')) {
    throw new ConfigError(
      'space.epochs',
      'no epochs in the space of a successive-halving search (the rungs set the epochs)',
      options.space.epochs ?? options.space['training.epochs'],
    );
  }
  const metric = options.metric ?? defaultMetric(protocol, k);
  checkMetric(protocol, metric, k);
  const direction = getMetric(metric).direction;
  const epochs = options.epochs ?? base.training?.epochs ?? TRAINING_DEFAULTS.epochs;
  const ratingProtocol = protocol === 'R' || protocol === 'C';
  const monitorRmse = ratingProtocol && !sets('training', 'monitor') && base.training?.monitor === undefined;
  const split = validationSplit(protocol, dataset, seed, options.folds);

  const build = (config: TrialConfig, trialEpochs: number): CreateRecommenderOptions => {
    const out: CreateRecommenderOptions = {
      ...base,
      model: { ...base.model },
      training: { ...base.training, epochs: trialEpochs, ...(monitorRmse ? { monitor: 'RMSE' } : {}) },
    };
    for (const [key, value] of Object.entries(config)) {
      const { section, field } = paths[key]!;
      if (section === 'seed') out.seed = value as number;
      else (out[section] as Record<string, ParamValue>)[field] = value;
    }
    return out;
  };

  const result = await searchHyperparameters({
    space: options.space,
    strategy,
    budget: options.budget,
    seed,
    direction,
    epochs,
    halving: strategy === 'successive-halving' ? { maxEpochs: epochs, ...options.halving } : options.halving,
    statePath: options.statePath,
    stateStore: options.stateStore,
    signal: options.signal,
    onTrial: options.onTrial,
    objective: async (config, context) => {
      const recommenderOptions = build(config, context.epochs);
      const run = await runProtocol(
        protocol,
        split.dataset,
        [{ name: CANDIDATE, kind: 'model', create: () => createRecommender(recommenderOptions) }],
        {
          k,
          seed,
          folds: split.folds,
          users: options.users,
          signal: context.signal,
          fitOptions: options.fitOptions,
        },
      );
      const rows = run.results.filter((r) => r.name === CANDIDATE);
      const values = rows.map((r) => r.metrics[metric]);
      if (rows.length === 0 || values.some((v) => v === undefined)) {
        throw new ConfigError('metric', `one of ${Object.keys(rows[0]?.metrics ?? {}).join(', ')}`, metric);
      }
      const value = values.reduce((a, b) => a! + b!, 0)! / values.length;
      const details =
        rows.length === 1
          ? { ...rows[0]!.metrics }
          : Object.fromEntries(rows.map((r) => [r.scenario ?? r.name, { ...r.metrics }]));
      return { metric: value, details };
    },
  });
  return {
    ...result,
    protocol,
    metric,
    direction,
    bestOptions: result.best ? build(result.best.config, result.best.epochs) : null,
  };
}

interface OptionPath {
  section: 'model' | 'training' | 'seed';
  field: string;
}

/** Resolves a space key to the option it sets. */
function optionPath(key: string): OptionPath {
  if (key === 'seed') return { section: 'seed', field: 'seed' };
  const dot = key.indexOf('.');
  const section = dot >= 0 ? key.slice(0, dot) : null;
  const field = dot >= 0 ? key.slice(dot + 1) : key;
  const inModel = Object.hasOwn(MODEL_DEFAULTS, field);
  const inTraining = Object.hasOwn(TRAINING_DEFAULTS, field);
  if ((section === 'model' || section === null) && inModel) return { section: 'model', field };
  if ((section === 'training' || section === null) && inTraining) return { section: 'training', field };
  const known = [
    'seed',
    ...Object.keys(MODEL_DEFAULTS).map((f) => `model.${f}`),
    ...Object.keys(TRAINING_DEFAULTS).map((f) => `training.${f}`),
  ];
  throw new ConfigError(`space.${key}`, `a hyperparameter among ${known.join(', ')}`, key);
}

function defaultMetric(protocol: ProtocolName, k: number): string {
  if (protocol === 'R') return 'RMSE';
  if (protocol === 'C') return 'F1';
  return `NDCG@${k}`;
}

/** The metric keys each protocol reports (see `runProtocol`). */
function protocolMetrics(protocol: ProtocolName, k: number): string[] {
  if (protocol === 'R') return ['RMSE', 'MAE'];
  if (protocol === 'C') return ['precision', 'recall', 'F1', 'AUC'];
  return [
    ...['P', 'R', 'F1', 'NDCG', 'MAP', 'MAPrel', 'HR', 'MRR'].map((m) => `${m}@${k}`),
    'coverage',
    'diversity',
    'novelty',
  ];
}

function checkMetric(protocol: ProtocolName, metric: string, k: number): void {
  const keys = protocolMetrics(protocol, k);
  if (!keys.includes(metric)) {
    throw new ConfigError('metric', `a metric protocol ${protocol} reports: ${keys.join(', ')}`, metric);
  }
}

/** The data the protocol runs on while tuning: the full data without the protocol's test part. */
function validationSplit(
  protocol: ProtocolName,
  dataset: Dataset,
  seed: number,
  folds: FoldSplit[] | undefined,
): { dataset: Dataset; folds?: FoldSplit[] } {
  const ratings = dataset.ratings;
  switch (protocol) {
    case 'S': {
      // The rows leaveOneOutSplit tests on: each user's last rating in stable time order (users with 2 or more).
      const test = new Uint8Array(ratings.length);
      for (const rows of userTimelines(ratings).values())
        if (rows.length >= 2) test[rows[rows.length - 1]!] = 1;
      return { dataset: { ...dataset, ratings: ratings.filter((row) => test[row] === 0) } };
    }
    case 'T':
      return {
        dataset: { ...dataset, ratings: stratifiedRandomSplit(ratings, { trainRatio: 0.75, seed }).train },
      };
    case 'K':
      return { dataset: { ...dataset, ratings: userHoldoutSplit(ratings, { fraction: 0.2, seed }).train } };
    default: {
      if (!folds || folds.length === 0) {
        throw new ConfigError('folds', `the official folds for protocol ${protocol}`, folds);
      }
      const fold = folds.find((f) => f.name === 'u1') ?? folds[0]!;
      const inner = stratifiedRandomSplit(fold.train, { trainRatio: 0.8, seed });
      return {
        dataset: { ...dataset, ratings: fold.train },
        folds: [{ name: `${fold.name}-validation`, train: inner.train, test: inner.test }],
      };
    }
  }
}
