/**
 * The composition root: resolves options, starts the backend and wires the modules into a pipeline.
 *
 * @module
 */
import { type BackendName, type BackendOptions, defaultBackends, useBackend } from './backend';
import {
  type RecommenderOptions,
  type ResolvedOptions,
  resolveOptions,
  TRAINING_DEFAULTS,
} from './config/defaults';
import { FeatureExtractor, type FeatureExtractorOptions } from './features/feature-extractor';
import { SequenceRNN } from './model/sequence-rnn';
import { fromArtifacts, type ModelLocation, readArtifacts } from './persistence';
import { type PipelineModules, RecommenderPipeline } from './pipeline';
import { UserProfiler, type UserProfilerOptions } from './profile/user-profiler';
import { Recommender, type RecommenderModuleOptions } from './recommend/recommender';
import { Trainer } from './training/trainer';

/**
 * Options of {@link createRecommender}: the model and training settings, plus any module to use instead of the
 * default one (an instance), or options for the default (an object), or `false` to leave it out.
 */
export interface CreateRecommenderOptions extends RecommenderOptions {
  /** Movie content features (genres, year, people, plot TF-IDF, popularity). Default: on, with its defaults. */
  features?: FeatureExtractor | FeatureExtractorOptions | false;
  /** User profiles that set the RNN's initial state. Default: on, with its defaults. */
  profiler?: UserProfiler | UserProfilerOptions | false;
  /** The training loop. Default: built from `training`. */
  trainer?: Trainer;
  /** Builds the sequence model at `fit` time. Default: `SequenceRNN.create`. */
  sequenceModel?: PipelineModules['sequenceModel'];
  /** Top-N selection. Default: `k` 10, seen movies left out, no popularity blending. */
  recommender?: Recommender | Partial<RecommenderModuleOptions>;
  /** Backend options (e.g. `wasmPaths` in a browser). */
  backendOptions?: BackendOptions;
}

/** The profiler's options with the run's seed for its user groups, unless the caller set one. */
function profilerOptions(options: UserProfilerOptions | undefined, seed: number): UserProfilerOptions {
  const groups = options?.groups;
  if (groups === false) return { ...options };
  return { ...options, groups: { seed, ...(typeof groups === 'object' ? groups : {}) } };
}

function trainerFor(resolved: ResolvedOptions): Trainer {
  // Models saved before a training option existed lack it: its default applies.
  const t = { ...TRAINING_DEFAULTS, ...resolved.training };
  return new Trainer({
    epochs: t.epochs,
    optimizer: {
      name: t.optimizer,
      learningRate: t.learningRate,
      ...(t.optimizer === 'adamw' ? { weightDecay: t.weightDecay } : {}),
    },
    clipNorm: t.clipNorm,
    patience: t.patience,
    seed: resolved.seed,
    l2: t.l2,
    schedule: {
      name: t.schedule,
      warmup: t.warmup,
      stepEvery: t.stepEvery,
      stepFactor: t.stepFactor,
      cosineFloor: t.cosineFloor,
    },
  });
}

/**
 * Creates an untrained recommender: starts the tfjs backend, resolves every option (bad values throw
 * `ConfigError`) and wires Preprocessor/FeatureExtractor, UserProfiler, SequenceRNN, Trainer and Recommender.
 * Call `fit(data)` next.
 *
 * @example
 * ```ts
 * import { createRecommender, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const rec = await createRecommender({ model: { cell: 'gru' }, training: { epochs: 10 } });
 * await rec.fit(data, { onEpochEnd: (e) => console.log(e.epoch, e.loss) });
 * console.log(await rec.recommend(1, { k: 5 }));
 * rec.dispose();
 * ```
 */
export async function createRecommender(
  options: CreateRecommenderOptions = {},
): Promise<RecommenderPipeline> {
  const resolved = resolveOptions(options);
  const backend = await useBackend(options.backend ?? defaultBackends(), options.backendOptions);
  const modules: PipelineModules = {
    features:
      options.features === false
        ? null
        : options.features instanceof FeatureExtractor
          ? options.features
          : new FeatureExtractor({ seed: resolved.seed, ...options.features }),
    profiler:
      options.profiler === false
        ? null
        : options.profiler instanceof UserProfiler
          ? options.profiler
          : new UserProfiler(profilerOptions(options.profiler, resolved.seed)),
    trainer: options.trainer ?? trainerFor(resolved),
    sequenceModel: options.sequenceModel ?? SequenceRNN.create,
    recommender:
      options.recommender instanceof Recommender ? options.recommender : new Recommender(options.recommender),
  };
  return new RecommenderPipeline(resolved, modules, backend);
}

/**
 * Loads a recommender saved with `save()`: from a folder (Node), a tfjs URL (`indexeddb://name`, `http(s)://…`
 * pointing at `model.json`) or any tfjs IO handler. The saved model is checked before anything is allocated: a
 * newer format version, weight paths outside the folder, weight shapes that do not match the bytes, and cells
 * that are not registered are refused with a `ModelFormatError`.
 *
 * @example
 * ```ts
 * import { loadRecommender } from 'reelrec';
 * const rec = await loadRecommender('./models/ml-100k-lstm');
 * console.log(await rec.recommend(42, { k: 10 }));
 * rec.dispose();
 * ```
 */
export async function loadRecommender(
  source: ModelLocation,
  options: { backend?: BackendName | BackendName[]; backendOptions?: BackendOptions } = {},
): Promise<RecommenderPipeline> {
  const backend = await useBackend(options.backend ?? defaultBackends(), options.backendOptions);
  const artifacts = await readArtifacts(source);
  const parts = await fromArtifacts(artifacts);
  const modules: PipelineModules = {
    features: parts.features,
    profiler: parts.profiler,
    trainer: trainerFor(parts.options),
    sequenceModel: SequenceRNN.create,
    recommender: new Recommender(parts.recommender),
  };
  return new RecommenderPipeline(parts.options, modules, backend, parts.state);
}
