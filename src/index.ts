/**
 * reelrec: movie recommendation with recurrent neural networks on TensorFlow.js.
 *
 * Start with {@link createRecommender}: it returns a pipeline (content features → user profiles → a sigmoid-RNN,
 * LSTM or GRU sequence model → top-N recommender) that `fit`s on a {@link Dataset} — e.g. from
 * {@link loadMovieLens} or {@link generateSyntheticCatalog} — and then `recommend`s, `predictRating`s and `save`s.
 * Every module is exported on its own as well, and the {@link Evaluator} runs the protocols of `PROTOCOL.md`
 * with baselines beside the model.
 *
 * @example
 * ```ts
 * import { createRecommender, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const rec = await createRecommender({ model: { cell: 'lstm' } });
 * await rec.fit(data);
 * console.log(await rec.recommend(1, { k: 10 }));
 * await rec.save('./models/ml-100k');
 * rec.dispose();
 * ```
 *
 * @packageDocumentation
 */

// Backends
export {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  type BackendName,
  type BackendOptions,
  defaultBackends,
  useBackend,
} from './backend';
export { installKernelOverrides, KERNEL_OVERRIDES } from './backend/kernels';
export {
  MODEL_DEFAULTS,
  type ModelOptions,
  type RecommenderOptions,
  type ResolvedOptions,
  resolveOptions,
  TRAINING_DEFAULTS,
  type TrainingOptions,
  VALIDATION_METRICS,
  type ValidationMetric,
} from './config/defaults';
// Composition root and options
export { type CreateRecommenderOptions, createRecommender, loadRecommender } from './create-recommender';
export { MovieIndex } from './data/catalog';
export { createDataset, type DatasetInput } from './data/dataset';
export * from './data/format';
export * from './data/movielens';
export * from './data/split';
export * from './data/synthetic';
// Data
export * from './data/types';
export * from './errors';
// Evaluator
export * from './evaluate';
export {
  FeatureExtractor,
  type FeatureExtractorJSON,
  type FeatureExtractorOptions,
  type FeatureFitOptions,
  type FeatureGroupName,
  type FeatureGroupSummary,
  type FeatureSummary,
  type FeatureTextParts,
  type FeatureVocabularies,
  type SavedFeatureOptions,
  type SimilarMovie,
  type TextField,
} from './features/feature-extractor';
export {
  type BatchArrays,
  BOS_TOKEN,
  type EncodedSequence,
  type HeldOut,
  type InferenceBatchArrays,
  inferenceBatch,
  PAD_TOKEN,
  STEP_FEATURES,
  type TasteBatchArrays,
  TOKEN_OFFSET,
  type TrainingBatchArrays,
  tasteBatch,
  trainingBatch,
  trainingWindows,
  type Window,
} from './model/batches';
// SequenceRNN
export {
  type Cell,
  type CellClass,
  type CellFactory,
  type CellOptions,
  createCell,
  registerCell,
  registeredCells,
} from './model/cells';
export {
  type ColdItems,
  type ColdItemsInput,
  type ColdItemsOptions,
  type ColdItemsReport,
  inferColdItems,
} from './model/content-cold-start';
export {
  bprLoss,
  maskedMeanSquaredError,
  type SampledScores,
  sampledScores,
  sampledSoftmaxLoss,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithWeights,
} from './model/losses';
export {
  RANKING_LOSSES,
  type RankingLoss,
  type ScoringHead,
  SequenceRNN,
  type SequenceRNNConfig,
  type SequenceRNNInit,
} from './model/sequence-rnn';
export { FORMAT_VERSION, type ModelLocation } from './persistence';
export {
  type AddMoviesReport,
  type FittedState,
  type PipelineModules,
  type PipelineRecommendOptions,
  RecommenderPipeline,
  type StoredUser,
} from './pipeline';
export {
  CategoricalEncoder,
  type CategoricalEncoderJSON,
  type CategoricalFitOptions,
  type EncoderOptions,
  MultiHotEncoder,
  OneHotEncoder,
  type UnknownPolicy,
  type Value as CategoryValue,
} from './preprocess/encoders';
export { loadNaturalStemmer, loadNaturalStopWords, loadNaturalTokenizer } from './preprocess/natural';
export {
  Preprocessor,
  type PreprocessorCreateOptions,
  type PreprocessorJSON,
  type PreprocessorOptions,
  type SparseVector,
} from './preprocess/preprocessor';
// Preprocessor, FeatureExtractor, UserProfiler
export {
  ENGLISH_STOP_WORDS,
  type Stemmer,
  type Tokenizer,
  UnicodeTokenizer,
  type UnicodeTokenizerOptions,
} from './preprocess/tokenizer';
export { Vocabulary, type VocabularyJSON, type VocabularyOptions } from './preprocess/vocabulary';
export {
  type ChooseKOptions,
  type ChooseKResult,
  chooseK,
  type KCriterion,
  type KMeansOptions,
  type KMeansResult,
  kMeans,
  kMeansBIC,
  silhouetteScore,
} from './profile/clustering';
export {
  AGE_BANDS,
  type AgeBand,
  ageBand,
  ZIP_REGIONS,
  type ZipRegion,
  zipRegion,
} from './profile/demographics';
export type {
  CharacteristicMovie,
  ClusterPart,
  GroupMovie,
  SavedUserGroupOptions,
  UserGroupingSummary,
  UserGroupOptions,
  UserGroupSummary,
  UserGroupsJSON,
} from './profile/user-groups';
export {
  type ProfileGroupSummary,
  type SavedProfilerOptions,
  type UserProfile,
  UserProfiler,
  type UserProfilerJSON,
  type UserProfilerOptions,
} from './profile/user-profiler';
export {
  type Recommendation,
  Recommender,
  type RecommenderModuleOptions,
  type RecommendOptions,
} from './recommend/recommender';
export { type TopKOptions, type TopKResult, topK } from './recommend/topk';
// Recommender
export type { Scorer } from './recommend/types';
// Optimizer (training)
export {
  AdamW,
  createOptimizer,
  DEFAULT_WEIGHT_DECAY,
  isDecayedVariable,
  OPTIMIZER_NAMES,
  type OptimizerConfig,
  type OptimizerName,
  setLearningRate,
} from './training/optimizers';
export {
  checkSchedule,
  learningRateSchedule,
  SCHEDULE_DEFAULTS,
  SCHEDULE_NAMES,
  type ScheduleConfig,
  type ScheduleName,
  type SchedulePlan,
} from './training/schedules';
export {
  HALVING_DEFAULTS,
  type HalvingOptions,
  type ParamDomain,
  type ParamRange,
  type ParamValue,
  SEARCH_STRATEGIES,
  type SearchBudget,
  type SearchObjective,
  type SearchOptions,
  type SearchResult,
  type SearchSpace,
  type SearchStateStore,
  type SearchStop,
  type SearchStrategy,
  searchHyperparameters,
  type TrialConfig,
  type TrialContext,
  type TrialOutcome,
  type TrialRecord,
  type TrialStatus,
} from './training/search';
export {
  type BatchSource,
  type Monitor,
  TRAINER_DEFAULTS,
  type TrainableModel,
  Trainer,
  type TrainerConfig,
  type TrainHooks,
} from './training/trainer';
export type { EpochLog, FitOptions, FitSummary } from './training/types';
export { type TuneOptions, type TuneResult, tuneRecommender } from './tune-recommender';
export { AliasSampler } from './util/alias';
export { Rng } from './util/random';
export { VERSION } from './version';
