/**
 * The pipeline {@link createRecommender} returns: FeatureExtractor → UserProfiler → SequenceRNN (trained by the
 * Trainer) → Recommender, behind one object with plain-value methods.
 *
 * @module
 */
import type { ResolvedOptions } from './config/defaults';
import { MovieIndex } from './data/catalog';
import { userTimelines } from './data/split';
import type { Dataset, Movie, RatingScale, RatingTable, User } from './data/types';
import { ConfigError, StateError } from './errors';
import { rankingMetricsAtK } from './evaluate/metrics/ranking';
import { getMetric } from './evaluate/metrics/registry';
import { checkMovieList, type FeatureExtractor } from './features/feature-extractor';
import {
  type EncodedSequence,
  type HeldOut,
  inferenceBatch,
  type TasteBatchArrays,
  TOKEN_OFFSET,
  type TrainingBatchArrays,
  tasteBatch,
  trainingBatch,
  trainingWindows,
} from './model/batches';
import { type ColdItemsReport, inferColdItems } from './model/content-cold-start';
import { distinctItemRows, easeCost, easeWeights, fitBagScale } from './model/item-item';
import type { ScoringHead, SequenceRNN, SequenceRNNConfig, SequenceRNNInit } from './model/sequence-rnn';
import { type ModelLocation, toArtifacts, writeArtifacts } from './persistence';
import type { UserProfiler } from './profile/user-profiler';
import type { Recommendation, Recommender, RecommendOptions } from './recommend/recommender';
import type { FitOptions, FitSummary, HistoryItem, Scorer, UserHistory } from './recommend/types';
import type { Trainer } from './training/trainer';
import { AliasSampler } from './util/alias';
import { Rng } from './util/random';
import { VERSION } from './version';

/** Options of {@link RecommenderPipeline.recommend}: the Recommender module's, and which head scores. */
export interface PipelineRecommendOptions extends RecommendOptions {
  /** The scoring head for this request. Default: the `model.scoring` option. */
  head?: ScoringHead;
}

/** The modules a pipeline is made of; each can be passed in instead of built. */
export interface PipelineModules {
  /** Content features of movies; `null` for none. */
  features: FeatureExtractor | null;
  /** User profiles that set the RNN's initial state; `null` for none. */
  profiler: UserProfiler | null;
  /** The training loop. */
  trainer: Trainer;
  /**
   * Builds the sequence model at `fit` time (its size depends on the catalog). Default `SequenceRNN.create`; a
   * researcher can return a subclass or a differently initialised model. A loaded pipeline's model is a plain
   * `SequenceRNN` rebuilt from the saved network.
   */
  sequenceModel: (config: SequenceRNNConfig, init: SequenceRNNInit) => SequenceRNN;
  /** Top-N selection. */
  recommender: Recommender;
}

/** A user the pipeline knows, as stored after `fit`. */
export interface StoredUser {
  /** Catalog positions in time order. */
  items: Int32Array;
  /** Ratings on the data set's scale (NaN where unknown). */
  ratings: Float32Array;
  /** Unix seconds. */
  times: Float64Array;
  /** The user's demographics, when the data set has them. */
  demographics?: Omit<User, 'id'>;
}

/** Everything `fit` learns and `save` stores. */
export interface FittedState {
  /** The movies the model knows, and their catalog positions. */
  catalog: MovieIndex;
  /** Titles by catalog position. */
  titles: string[];
  /** Ratings per catalog position in the training data. */
  popularity: Float32Array;
  /** The training users' histories, by user id. */
  users: Map<number, StoredUser>;
  /** The training data's rating scale. */
  ratingScale: RatingScale;
  /** Mean training rating (the fallback rating). */
  globalMean: number;
  /** The trained sequence model. */
  model: SequenceRNN;
  /** What training did. */
  summary: FitSummary;
  /** `dataset.name` of the training data. */
  datasetName: string;
}

/** A held-out rating: the history before it, the movie and its rating. */
/** A validation user: the history before the held-out ratings, and those ratings' movies and values. */
interface ValidationCase {
  history: UserHistory;
  targets: number[];
  ratings: number[];
}

/** How many histories one inference batch scores, at most. */
const INFERENCE_BATCH = 128;
/**
 * Bytes the catalog-wide tensors of one step may take. tfjs's wasm heap is capped at 4 GB and never shrinks, so a
 * step must leave room for the weights, the optimizer's slots and fragmentation; 1 GiB is a quarter of the cap.
 */
const STEP_MEMORY_BUDGET = 2 ** 30;
/** Catalog-wide float32 tensors alive in a full-softmax training step: logits, exp, probabilities, gradient. */
const SOFTMAX_COPIES = 4;

/**
 * Windows per training batch that keep the full softmax's `[positions × movies]` tensors within
 * {@link STEP_MEMORY_BUDGET} (a window contributes at most `maxLength` positions).
 */
export function windowsPerBatch(
  requested: number,
  catalogSize: number,
  maxLength: number,
  loss: string,
): number {
  if (loss !== 'softmax') return requested;
  const bytesPerWindow = SOFTMAX_COPIES * 4 * catalogSize * maxLength;
  return Math.max(1, Math.min(requested, Math.floor(STEP_MEMORY_BUDGET / bytesPerWindow)));
}

/** Histories per inference batch: at most {@link INFERENCE_BATCH}, and scores plus ratings within the budget. */
function inferenceRows(catalogSize: number): number {
  return Math.max(1, Math.min(INFERENCE_BATCH, Math.floor(STEP_MEMORY_BUDGET / (2 * 4 * catalogSize))));
}
/** History length at which the user-group prior counts half (`RecommendOptions.groupWeight`). */
const GROUP_PRIOR_HALF_LIFE = 5;
/** Users whose last rating validates each epoch (`training.validation: 'auto'`): 10%, at most this many. */
const MAX_VALIDATION_USERS = 2000;

/**
 * A trained (or trainable) recommender: the object {@link createRecommender} returns. Implements the
 * {@link Scorer} contract, so the Evaluator runs it like any baseline.
 *
 * @example
 * ```ts
 * import { createRecommender, generateSyntheticCatalog } from 'reelrec';
 * const data = generateSyntheticCatalog({ users: 200, movies: 150 });
 * const rec = await createRecommender({ training: { epochs: 3 } });
 * await rec.fit(data);
 * const top = await rec.recommend(data.users[0]!.id, { k: 5 });
 * rec.dispose();
 * ```
 */
export class RecommenderPipeline implements Scorer {
  readonly kind = 'model' as const;
  /** Resolved options (every default filled in). */
  readonly options: ResolvedOptions;
  /** The backend the pipeline runs on. */
  readonly backend: string;
  private readonly modules: PipelineModules;
  private state: FittedState | null = null;
  private disposed = false;

  constructor(options: ResolvedOptions, modules: PipelineModules, backend: string, state?: FittedState) {
    this.options = options;
    this.modules = modules;
    this.backend = backend;
    this.state = state ?? null;
  }

  /** The model's name in reports: the cell, e.g. `'lstm'`. */
  get name(): string {
    return this.options.model.cell;
  }

  /** Whether `fit` has run (or the pipeline was loaded trained). */
  get fitted(): boolean {
    return this.state !== null;
  }

  /** The modules, for inspection (e.g. `features.summary()`). */
  get parts(): Readonly<PipelineModules> {
    return this.modules;
  }

  /** What the last `fit` did; `null` before. */
  get fitSummary(): FitSummary | null {
    return this.state?.summary ?? null;
  }

  /**
   * Trains every module on `data` (from scratch: a second call retrains). The RNN learns each user's sequence in
   * time order (stable: equal timestamps keep file order). With `options.validation` (held-out ratings), or with
   * `training.validation: 'auto'`, training stops early on NDCG@10 of the next movie and keeps the best weights.
   */
  async fit(data: Dataset, options: FitOptions = {}): Promise<FitSummary> {
    this.assertUsable();
    const { model: modelOptions, training, seed } = this.options;
    const catalog = MovieIndex.fromDataset(data);
    if (data.ratings.length === 0) throw new ConfigError('data.ratings', 'at least one rating', 0);
    const scale = data.ratingScale;
    const demographics = new Map(data.users.map((u) => [u.id, withoutId(u)]));

    // Validation: given ratings, or the last rating of a seeded sample of users.
    let trainTable = data.ratings;
    let validationTable = options.validation;
    if (!validationTable && training.validation === 'auto') {
      const tasteScored = modelOptions.tasteWeight > 0 && modelOptions.scoring === 'taste';
      const split = tasteScored
        ? holdOutValidation(data.ratings, seed, TASTE_SCORING_VALIDATION_SHARE, 'taste')
        : holdOutValidation(data.ratings, seed, modelOptions.tasteWeight > 0 ? TASTE_VALIDATION_SHARE : 0);
      trainTable = split.train;
      validationTable = split.validation.length > 0 ? split.validation : undefined;
    }
    const trainData: Dataset = { ...data, ratings: trainTable };
    const asOf = maxTimestamp(trainTable);

    const features = this.modules.features;
    let content: Float32Array | undefined;
    if (features) {
      await features.fit(trainData, { asOf });
      content = features.dim > 0 ? features.transform(Array.from(catalog.ids)) : undefined;
    }
    const profiler = this.modules.profiler;
    if (profiler) profiler.fit(trainData, { features: features ?? undefined });

    const sequences = buildSequences(trainTable, catalog, scale);
    const profileOf = (userId: number, seq: EncodedSequence, prefixEnd: number): Float32Array | undefined =>
      profiler && profiler.dim > 0
        ? profiler.encode(historyPrefix(userId, seq, prefixEnd, scale, catalog, demographics))
        : undefined;

    const encoded = [...sequences.values()];
    const userIds = [...sequences.keys()];
    const windows = trainingWindows(encoded, modelOptions.maxLength, modelOptions.windowStride);
    const windowProfiles = windows.map((w) =>
      profileOf(userIds[w.sequence]!, encoded[w.sequence]!, Math.max(0, w.start - 1)),
    );

    this.state?.model.dispose();
    this.state = null;
    const config: SequenceRNNConfig = {
      numItems: catalog.size,
      cell: modelOptions.cell,
      hiddenSize: modelOptions.hiddenSize,
      embeddingSize: modelOptions.embeddingSize,
      layers: modelOptions.layers,
      recurrentActivation: modelOptions.recurrentActivation,
      contentSize: content ? features!.dim : 0,
      profileSize: profiler ? profiler.dim : 0,
      ratingWeight: modelOptions.ratingWeight,
      maxLength: modelOptions.maxLength,
      seed,
      loss: modelOptions.loss,
      dropout: modelOptions.dropout,
      recurrentDropout: modelOptions.recurrentDropout,
      tasteWeight: modelOptions.tasteWeight,
      tasteHead: modelOptions.tasteWeight > 0,
      // The path feeds the taste head: without the taste objective the model has none (`hasHistoryPath`).
      historySize: modelOptions.historySize,
      historyDropout: modelOptions.historyDropout,
      historyLinear: modelOptions.historyLinear,
      historyLinearBag: modelOptions.historyLinearBag,
      historyLinearTrainable: modelOptions.historyLinearTrainable,
    };
    const popularity = countByMovie(trainTable, catalog);
    const init = initialValues(trainTable, catalog, scale, popularity, content);
    const initNotes: string[] = [];
    if (config.tasteHead && config.historyLinear && modelOptions.historyLinearInit === 'ease') {
      const start = easeStart(
        modelOptions.historyLinearBag,
        sequences.values(),
        catalog.size,
        modelOptions.historyLinearLambda,
        seed,
      );
      init.historyItems = start.matrix;
      init.tasteBias = start.tasteBias;
      initNotes.push(start.note);
    }
    const model = this.modules.sequenceModel(config, init);

    const users = storeUsers(data.ratings, catalog, demographics);
    const state: FittedState = {
      catalog,
      titles: titlesOf(data.movies, catalog),
      popularity: countByMovie(data.ratings, catalog),
      users,
      ratingScale: scale,
      globalMean: meanRating(trainTable),
      model,
      summary: { epochs: 0, bestEpoch: 0, history: [], aborted: false, seconds: 0 },
      datasetName: data.name,
    };

    // Negatives: for the sampled softmax, popularity^0.75 (word2vec's smoothing; the log-Q correction removes the
    // proposal's bias); for BPR, uniform as in Rendle et al. (uncorrected popularity sampling teaches it to rank
    // popular movies down).
    const sampler =
      config.loss === 'softmax'
        ? null
        : new AliasSampler(Array.from(popularity, (c) => (config.loss === 'bpr' ? 1 : (c + 1) ** 0.75)));
    const notes: string[] = [...initNotes];
    const batchSize = windowsPerBatch(
      training.batchSize,
      catalog.size,
      modelOptions.maxLength,
      config.loss ?? 'softmax',
    );
    if (batchSize < training.batchSize) {
      notes.push(
        `training.batchSize lowered from ${training.batchSize} to ${batchSize} windows so the full softmax over ${catalog.size} movies stays within ${STEP_MEMORY_BUDGET / 2 ** 30} GiB a step; model.loss 'sampled-softmax' keeps larger batches`,
      );
    }
    const tasteUsers =
      modelOptions.tasteWeight > 0 ? userIds.filter((u) => sequences.get(u)!.items.length >= 2) : [];
    const tasteBatches = Math.ceil((tasteUsers.length * modelOptions.tasteSamples) / batchSize);
    const windowBatches = Math.ceil(windows.length / batchSize);
    const nextBatch = (chosen: readonly number[], negativeRng: Rng): TrainingBatchArrays => {
      const batch = trainingBatch(
        encoded,
        chosen.map((j) => windows[j]!),
        config.profileSize,
      );
      if (sampler) addNegatives(batch, sampler, modelOptions.negatives, negativeRng);
      if (config.profileSize > 0) {
        const profiles = new Float32Array(chosen.length * config.profileSize);
        chosen.forEach((j, row) => {
          const p = windowProfiles[j];
          if (p) profiles.set(p, row * config.profileSize);
        });
        batch.profiles = profiles;
      }
      return batch;
    };
    const tasteBatchOf = (users: readonly number[], tasteRng: Rng): TasteBatchArrays => {
      const inputs: EncodedSequence[] = [];
      const heldOut: HeldOut[] = [];
      for (const userId of users) {
        const { kept, held } = holdOutPart(sequences.get(userId)!, tasteRng);
        if (config.profileSize > 0) {
          const prefixEnd = Math.max(0, kept.items.length - modelOptions.maxLength);
          kept.profile = profileOf(userId, kept, prefixEnd);
        }
        inputs.push(kept);
        heldOut.push(held);
      }
      return tasteBatch(inputs, heldOut, catalog.size, modelOptions.maxLength, config.profileSize);
    };
    const source = {
      batchCount: () => windowBatches + tasteBatches,
      positions: (b: TrainingBatchArrays | TasteBatchArrays) =>
        'kind' in b && b.kind === 'taste' ? b.rows : (b as TrainingBatchArrays).targets.length,
      *batches(_epoch: number, rng: Rng): Iterable<TrainingBatchArrays | TasteBatchArrays> {
        const order = rng.shuffle(windows.map((_, i) => i));
        const tasteOrder: number[] = [];
        for (let i = 0; i < modelOptions.tasteSamples; i++) tasteOrder.push(...rng.shuffle([...tasteUsers]));
        const negativeRng = rng.fork('negatives');
        const tasteRng = rng.fork('taste');
        // Interleave the two kinds evenly: after each next-movie batch, as many taste batches as are due.
        let taste = 0;
        for (let b = 0; b < windowBatches; b++) {
          yield nextBatch(order.slice(b * batchSize, (b + 1) * batchSize), negativeRng);
          while (taste < tasteBatches && taste * windowBatches < (b + 1) * tasteBatches) {
            yield tasteBatchOf(tasteOrder.slice(taste * batchSize, (taste + 1) * batchSize), tasteRng);
            taste++;
          }
        }
        for (; taste < tasteBatches; taste++) {
          yield tasteBatchOf(tasteOrder.slice(taste * batchSize, (taste + 1) * batchSize), tasteRng);
        }
      },
    };

    const validationUsers = validationTable
      ? this.validationCases(validationTable, sequences, catalog, scale, demographics)
      : [];
    const summary = await this.modules.trainer.fit(model, source, {
      ...options,
      validate:
        validationUsers.length > 0
          ? async () => {
              this.state = state;
              return this.validationMetrics(validationUsers);
            }
          : undefined,
      monitor:
        validationUsers.length > 0
          ? { name: training.monitor, direction: getMetric(training.monitor).direction }
          : undefined,
    });
    if (content && modelOptions.contentColdStart && !model.isDisposed) {
      summary.coldMovies = coldStartMovies(model, content, features!, popularity, seed);
      if (summary.coldMovies.skipped) notes.push(`content cold start skipped: ${summary.coldMovies.skipped}`);
    }
    if (notes.length > 0) summary.notes = [...(summary.notes ?? []), ...notes];
    state.summary = summary;
    this.state = state;
    return summary;
  }

  /**
   * {@link Scorer.score}: ranking scores of `candidates` for each history (`-Infinity` for unknown movies), with the
   * Recommender module's popularity blending applied as in `recommend`.
   */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const state = this.requireState();
    const positions = candidates.map((id) => state.catalog.indexOf(id));
    const recommender = this.modules.recommender;
    const out: Float32Array[] = [];
    await this.inferChunks(histories, { scores: true }, (row, { scores }, seq) => {
      // The same blending recommend() ranks by: the Recommender module's popularity and group-prior weights.
      const blended = recommender.blend(scores!, {
        popularity: state.popularity,
        groupPrior: this.groupPrior(histories[row]!, seq, recommender.options.groupWeight),
      });
      const s = new Float32Array(candidates.length);
      positions.forEach((p, i) => {
        s[i] = p >= 0 ? blended[p]! : Number.NEGATIVE_INFINITY;
      });
      out[row] = s;
    });
    return out;
  }

  /** {@link Scorer.predictRatings}: predicted ratings on the data set's scale (the mean rating for unknown movies). */
  async predictRatings(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const state = this.requireState();
    if (movieIds.length !== histories.length) {
      throw new ConfigError('movieIds', `one list per history (${histories.length})`, movieIds.length);
    }
    const { min, max } = state.ratingScale;
    const out: number[][] = [];
    await this.inferChunks(histories, { ratings: true }, (row, { ratings }) => {
      out[row] = movieIds[row]!.map((id) => {
        const p = state.catalog.indexOf(id);
        return p >= 0 ? min + (max - min) * ratings![p]! : state.globalMean;
      });
    });
    return out;
  }

  /**
   * Top-N movies for a known user (by id: their stored history is used) or for any history (a new user, or a
   * known user with fresh activity). Seen movies are left out unless `excludeSeen: false`.
   */
  async recommend(
    user: number | UserHistory,
    options: PipelineRecommendOptions = {},
  ): Promise<Recommendation[]> {
    const [list] = await this.recommendMany([user], options);
    return list!;
  }

  /** {@link RecommenderPipeline.recommend} for many users in batched passes. */
  async recommendMany(
    users: ReadonlyArray<number | UserHistory>,
    options: PipelineRecommendOptions = {},
  ): Promise<Recommendation[][]> {
    const state = this.requireState();
    const histories = users.map((u) => this.resolveUser(u));
    const { min, max } = state.ratingScale;
    const out: Recommendation[][] = [];
    const head = options.head ?? this.options.model.scoring;
    const recommender = this.modules.recommender;
    const groupWeight = options.groupWeight ?? recommender.options.groupWeight;
    await this.inferChunks(
      histories,
      { scores: true, ratings: true, head },
      (row, { scores, ratings }, seq) => {
        const groupPrior = this.groupPrior(histories[row]!, seq, groupWeight);
        const picks = recommender.select(
          scores!,
          state.catalog,
          { seen: seq.items, popularity: state.popularity, groupPrior },
          options,
        );
        out[row] = picks.map(({ index, score }, r) => ({
          movieId: state.catalog.ids[index]!,
          score,
          rank: r + 1,
          title: state.titles[index] || undefined,
          predictedRating: min + (max - min) * ratings![index]!,
        }));
      },
    );
    return out;
  }

  /** Predicted rating of `movieId` for a known user id or a history, on the data set's scale. */
  async predictRating(user: number | UserHistory, movieId: number): Promise<number> {
    const [[value]] = (await this.predictRatings([this.resolveUser(user)], [[movieId]])) as [[number]];
    return value;
  }

  /**
   * Adds movies nobody has rated yet to the trained recommender, from their content alone: each gets a content
   * row from the FeatureExtractor (`transformMovies`, with the fitted vocabularies) and its embedding and head
   * parameters from the same ridge regression on content that `model.contentColdStart` uses at `fit`. The
   * catalog grows; every other movie keeps its parameters exactly, so the order of the old movies for any user
   * does not change (with `'blend'` scoring their scores shift by one constant per user: the log-softmax now
   * also sums over the new movies). Ids already in the catalog are left as they are and reported. The additions
   * are saved with the model, and the FeatureExtractor gets rows for them ({@link FeatureExtractor.addMovies}),
   * so `parts.features.similar()` knows them (an id the extractor already has a row for keeps that row).
   *
   * @example
   * ```ts
   * import { createRecommender, generateSyntheticCatalog } from 'reelrec';
   * const data = generateSyntheticCatalog({ users: 100, movies: 80 });
   * const rec = await createRecommender({ training: { epochs: 2 } });
   * await rec.fit(data);
   * const premiere = { ...data.movies[0]!, id: 100_001, title: 'Premiere' };
   * const report = await rec.addMovies([premiere]);
   * const [score] = await rec.score([{ items: [{ movieId: data.movies[3]!.id, rating: 5 }] }], [100_001]);
   * rec.dispose();
   * ```
   *
   * @throws {StateError} before `fit`, or when the pipeline has no content features (a `FeatureExtractor` with
   *   at least one column).
   * @throws {ConfigError} when an entry is not a movie with an integer id, or an id repeats in `movies`.
   */
  async addMovies(movies: readonly Movie[]): Promise<AddMoviesReport> {
    const state = this.requireState();
    const features = this.modules.features;
    const old = state.model;
    if (!features || !features.fitted || features.dim === 0 || old.config.contentSize === 0) {
      throw new StateError('addMovies needs content features: a pipeline fitted with a FeatureExtractor');
    }
    const fresh: Movie[] = [];
    const alreadyKnown: number[] = [];
    for (const m of checkMovieList(movies)) {
      if (state.catalog.has(m.id)) alreadyKnown.push(m.id);
      else fresh.push(m);
    }
    if (fresh.length === 0) return { added: [], alreadyKnown, coldStart: null };

    // The extractor builds the new movies' rows (and refuses bad metadata before anything changes); the grown
    // catalog then reads every row, old and new, from it — and "more like this" knows the new movies too.
    features.addMovies(fresh);
    const catalog = new MovieIndex(
      Int32Array.from([...state.catalog.ids, ...fresh.map((m) => m.id)].sort((a, b) => a - b)),
    );
    const moved = Int32Array.from(state.catalog.ids, (id) => catalog.indexOf(id));
    const freshAt = fresh.map((m) => catalog.indexOf(m.id));
    const dim = features.dim;
    const content = features.transform(Array.from(catalog.ids));

    const model = this.modules.sequenceModel({ ...old.config, numItems: catalog.size }, {});
    try {
      const names = old.network.weights.map((w) => w.originalName);
      const oldValues = old.getWeights();
      model.setWeights(
        model.network.weights.map((w, i) =>
          regrowItemWeight(names[i]!, oldValues[i]!, w.shape as number[], moved, content, dim),
        ),
      );
      const popularity = new Float32Array(catalog.size);
      moved.forEach((p, i) => {
        popularity[p] = state.popularity[i]!;
      });
      const coldStart = coldStartMovies(
        model,
        content,
        features,
        popularity,
        this.options.seed,
        new Set(freshAt),
      );
      const titles = new Array<string>(catalog.size).fill('');
      moved.forEach((p, i) => {
        titles[p] = state.titles[i]!;
      });
      fresh.forEach((m, i) => {
        titles[freshAt[i]!] = typeof m.title === 'string' ? m.title : '';
      });
      const users = new Map<number, StoredUser>();
      for (const [id, u] of state.users) users.set(id, { ...u, items: u.items.map((p) => moved[p]!) });
      this.state = { ...state, catalog, titles, popularity, users, model };
      old.dispose();
      return {
        added: fresh.map((m) => m.id),
        alreadyKnown,
        coldStart,
      };
    } catch (err) {
      if (this.state?.model !== model) model.dispose();
      throw err;
    }
  }

  /** Ids of the users the pipeline was trained with. */
  knownUsers(): number[] {
    return [...this.requireState().users.keys()];
  }

  /**
   * Saves the trained recommender: to a folder in Node (written atomically: a crash mid-save leaves the previous
   * model loadable), or to a tfjs URL / IO handler (`'indexeddb://my-model'`, an in-memory handler, …). Load it
   * with `loadRecommender`.
   */
  async save(target: ModelLocation): Promise<void> {
    const state = this.requireState();
    const artifacts = await toArtifacts(
      state,
      {
        options: this.options,
        recommender: this.modules.recommender.options,
        features: this.modules.features,
        profiler: this.modules.profiler,
      },
      VERSION,
    );
    await writeArtifacts(target, artifacts);
  }

  /** Frees the model's tensors. The pipeline cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state?.model.dispose();
    this.state = null;
  }

  private resolveUser(user: number | UserHistory): UserHistory {
    if (typeof user !== 'number') return user;
    const state = this.requireState();
    const stored = state.users.get(user);
    if (!stored) {
      throw new ConfigError(
        'user',
        `the id of a user seen in training, or a history ({ items: [...] }) for a new user`,
        user,
      );
    }
    const items: HistoryItem[] = Array.from(stored.items, (p, i) => ({
      movieId: state.catalog.ids[p]!,
      rating: Number.isNaN(stored.ratings[i]!) ? undefined : stored.ratings[i]!,
      timestamp: stored.times[i]!,
    }));
    return { userId: user, items, user: stored.demographics };
  }

  /**
   * The user-group prior of a history over the catalog, `f(n) · ln(p + ε)` (see `RecommendOptions.groupWeight`),
   * or `undefined` when its weight is 0.
   *
   * @throws {ConfigError} for a non-zero weight without a profiler that has user groups.
   */
  private groupPrior(history: UserHistory, seq: EncodedSequence, weight: number): Float32Array | undefined {
    if (weight === 0) return undefined;
    const profiler = this.modules.profiler;
    if (!profiler || !profiler.fitted || profiler.groupCount === 0) {
      throw new ConfigError('recommender.groupWeight', '0 without a profiler that has user groups', weight);
    }
    const state = this.requireState();
    const p = profiler.groupScores(history, Array.from(state.catalog.ids));
    const epsilon = 1 / Math.max(1, state.users.size);
    const fade = GROUP_PRIOR_HALF_LIFE / (GROUP_PRIOR_HALF_LIFE + seq.items.length);
    return p.map((v) => fade * Math.log(v + epsilon));
  }

  /** Encodes histories, runs the model in chunks and hands each row's outputs to `use`. */
  private async inferChunks(
    histories: readonly UserHistory[],
    want: { scores?: boolean; ratings?: boolean; head?: ScoringHead },
    use: (row: number, out: { scores?: Float32Array; ratings?: Float32Array }, seq: EncodedSequence) => void,
  ): Promise<void> {
    const state = this.requireState();
    const { maxLength } = this.options.model;
    const profiler = this.modules.profiler;
    const profileSize = state.model.config.profileSize;
    const m = state.catalog.size;
    const rows = inferenceRows(m);
    for (let start = 0; start < histories.length; start += rows) {
      const chunk = histories.slice(start, start + rows);
      const seqs = chunk.map((h) => {
        const seq = encodeHistory(h, state.catalog, state.ratingScale);
        if (profiler && profileSize > 0) {
          const prefixEnd = Math.max(0, seq.items.length + 1 - maxLength - 1);
          seq.profile = profiler.encode(sliceHistory(h, seq, prefixEnd, state));
        }
        return seq;
      });
      const result = await state.model.infer(inferenceBatch(seqs, maxLength, profileSize), {
        head: this.options.model.scoring,
        ...want,
      });
      seqs.forEach((seq, r) => {
        use(
          start + r,
          {
            scores: result.scores?.subarray(r * m, (r + 1) * m),
            ratings: result.ratings?.subarray(r * m, (r + 1) * m),
          },
          seq,
        );
      });
    }
  }

  /** One case per validation user: every held-out rating of the user is relevant, its history is the training one. */
  private validationCases(
    validation: RatingTable,
    sequences: Map<number, EncodedSequence>,
    catalog: MovieIndex,
    scale: RatingScale,
    demographics: Map<number, Omit<User, 'id'>>,
  ): ValidationCase[] {
    const none: EncodedSequence = {
      items: new Int32Array(0),
      ratings: new Float32Array(0),
      times: new Float64Array(0),
    };
    const byUser = new Map<number, ValidationCase>();
    for (let i = 0; i < validation.length; i++) {
      const userId = validation.userIds[i]!;
      const target = validation.movieIds[i]!;
      if (!catalog.has(target)) continue;
      let c = byUser.get(userId);
      if (!c) {
        const seq = sequences.get(userId) ?? none;
        c = {
          history: historyPrefix(userId, seq, seq.items.length, scale, catalog, demographics),
          targets: [],
          ratings: [],
        };
        byUser.set(userId, c);
      }
      c.targets.push(target);
      c.ratings.push(validation.ratings[i]!);
    }
    return [...byUser.values()];
  }

  /** Next-movie ranking metrics and rating errors on the validation cases (see {@link VALIDATION_METRICS}). */
  private async validationMetrics(cases: readonly ValidationCase[]): Promise<Record<string, number>> {
    const k = 10;
    const state = this.requireState();
    const { min, max } = state.ratingScale;
    let ndcg = 0;
    let hit = 0;
    let mrr = 0;
    let squared = 0;
    let absolute = 0;
    let rated = 0;
    await this.inferChunks(
      cases.map((c) => c.history),
      { scores: true, ratings: true },
      (row, { scores, ratings }, seq) => {
        const { targets, ratings: actual } = cases[row]!;
        const picks = this.modules.recommender.select(
          scores!,
          state.catalog,
          { seen: seq.items },
          { k, excludeSeen: true },
        );
        const m = rankingMetricsAtK(
          picks.map((p) => state.catalog.ids[p.index]!),
          targets,
          k,
        );
        ndcg += m.ndcg;
        hit += m.hitRate;
        mrr += m.mrr;
        targets.forEach((movieId, j) => {
          const error = min + (max - min) * ratings![state.catalog.indexOf(movieId)]! - actual[j]!;
          squared += error * error;
          absolute += Math.abs(error);
          rated++;
        });
      },
    );
    const n = cases.length;
    return {
      'NDCG@10': ndcg / n,
      'HR@10': hit / n,
      'MRR@10': mrr / n,
      RMSE: Math.sqrt(squared / rated),
      MAE: absolute / rated,
    };
  }

  private requireState(): FittedState {
    this.assertUsable();
    if (!this.state) throw new StateError('this recommender is not trained yet: call fit(data) first');
    return this.state;
  }

  private assertUsable(): void {
    if (this.disposed) throw new StateError('this recommender was disposed');
  }
}

function withoutId(u: User): Omit<User, 'id'> {
  const { id: _id, ...rest } = u;
  return rest;
}

function maxTimestamp(table: RatingTable): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < table.length; i++) if (table.timestamps[i]! > max) max = table.timestamps[i]!;
  return max;
}

function meanRating(table: RatingTable): number {
  let sum = 0;
  for (let i = 0; i < table.length; i++) sum += table.ratings[i]!;
  return table.length > 0 ? sum / table.length : 0;
}

function scaleRating(r: number, scale: RatingScale): number {
  return Number.isFinite(r) ? (r - scale.min) / (scale.max - scale.min) : Number.NaN;
}

function countByMovie(table: RatingTable, catalog: MovieIndex): Float32Array {
  const counts = new Float32Array(catalog.size);
  for (let i = 0; i < table.length; i++) {
    const p = catalog.indexOf(table.movieIds[i]!);
    if (p >= 0) counts[p]!++;
  }
  return counts;
}

function titlesOf(movies: readonly Movie[], catalog: MovieIndex): string[] {
  const titles = new Array<string>(catalog.size).fill('');
  for (const m of movies) {
    const p = catalog.indexOf(m.id);
    if (p >= 0) titles[p] = m.title;
  }
  return titles;
}

/** Each user's ratings in stable time order, as catalog positions and scaled ratings. */
function buildSequences(
  table: RatingTable,
  catalog: MovieIndex,
  scale: RatingScale,
): Map<number, EncodedSequence> {
  const out = new Map<number, EncodedSequence>();
  for (const [userId, rows] of userTimelines(table)) {
    const items = new Int32Array(rows.length);
    const ratings = new Float32Array(rows.length);
    const times = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      items[i] = catalog.indexOf(table.movieIds[row]!);
      ratings[i] = scaleRating(table.ratings[row]!, scale);
      times[i] = table.timestamps[row]!;
    });
    out.set(userId, { items, ratings, times });
  }
  return out;
}

function storeUsers(
  table: RatingTable,
  catalog: MovieIndex,
  demographics: Map<number, Omit<User, 'id'>>,
): Map<number, StoredUser> {
  const users = new Map<number, StoredUser>();
  for (const [userId, rows] of userTimelines(table)) {
    users.set(userId, {
      items: Int32Array.from(rows, (r) => catalog.indexOf(table.movieIds[r]!)),
      ratings: Float32Array.from(rows, (r) => table.ratings[r]!),
      times: Float64Array.from(rows, (r) => table.timestamps[r]!),
      demographics: demographics.get(userId),
    });
  }
  for (const [userId, d] of demographics) {
    if (!users.has(userId)) {
      users.set(userId, {
        items: new Int32Array(0),
        ratings: new Float32Array(0),
        times: new Float64Array(0),
        demographics: d,
      });
    }
  }
  return users;
}

/** A history's known movies in model terms (unknown movies are left out: the model has no embedding for them). */
function encodeHistory(history: UserHistory, catalog: MovieIndex, scale: RatingScale): EncodedSequence {
  const kept = history.items.filter((it) => catalog.has(it.movieId));
  return {
    items: Int32Array.from(kept, (it) => catalog.indexOf(it.movieId)),
    ratings: Float32Array.from(kept, (it) =>
      it.rating === undefined ? Number.NaN : scaleRating(it.rating, scale),
    ),
    times: Float64Array.from(kept, (it) => it.timestamp ?? Number.NaN),
  };
}

/** The first `end` movies of an encoded sequence as a UserHistory (what the profile of a window summarises). */
function historyPrefix(
  userId: number,
  seq: EncodedSequence,
  end: number,
  scale: RatingScale,
  catalog: MovieIndex,
  demographics: Map<number, Omit<User, 'id'>>,
): UserHistory {
  const items: HistoryItem[] = [];
  for (let i = 0; i < end; i++) {
    const r = seq.ratings[i]!;
    items.push({
      movieId: catalog.ids[seq.items[i]!]!,
      rating: Number.isNaN(r) ? undefined : scale.min + r * (scale.max - scale.min),
      timestamp: seq.times[i]!,
    });
  }
  return { userId, items, user: demographics.get(userId) };
}

function sliceHistory(h: UserHistory, seq: EncodedSequence, end: number, state: FittedState): UserHistory {
  const stored = h.userId !== undefined ? state.users.get(h.userId) : undefined;
  const user = h.user ?? stored?.demographics;
  const known = h.items.filter((it) => state.catalog.has(it.movieId));
  return { userId: h.userId, items: known.slice(0, Math.min(end, seq.items.length)), user };
}

/** What {@link RecommenderPipeline.addMovies} did. */
export interface AddMoviesReport {
  /** Ids added to the catalog, in the order given. */
  added: number[];
  /** Ids given that the catalog already had (left as they are). */
  alreadyKnown: number[];
  /** The content regression that gave the added movies their parameters; `null` when nothing was added. */
  coldStart: ColdItemsReport | null;
}

/**
 * Layers whose table (embeddings, or the whole-history encoder's kernel) has one row per catalog movie, after
 * this many reserved rows (the pad and begin-of-sequence tokens of the embeddings).
 */
const ITEM_ROWS: Readonly<Record<string, number>> = {
  item_embedding: TOKEN_OFFSET,
  content_features: TOKEN_OFFSET,
  history_encoder: 0,
};
/** Layers with one column (and bias entry) per catalog movie. */
const ITEM_HEADS = ['ranking_head', 'rating_head', 'taste_head', 'taste_history'];

/**
 * A weight of the grown network from the old one: per-movie rows or columns move to their new catalog positions
 * (`moved[old position]`), new movies get zeros (content rows: `content`); every other weight is copied.
 */
function regrowItemWeight(
  name: string,
  old: Float32Array,
  shape: number[],
  moved: Int32Array,
  content: Float32Array,
  dim: number,
): Float32Array {
  const [layer, leaf] = name.split('/') as [string, string];
  const size = shape.reduce((a, b) => a * b, 1);
  const reserved = ITEM_ROWS[layer];
  if (reserved !== undefined && leaf !== 'bias') {
    const width = shape[1]!;
    if (layer === 'content_features' && width !== dim) {
      throw new StateError(`content rows have ${dim} columns, the network ${width}`);
    }
    const out = new Float32Array(size);
    if (layer === 'content_features') out.set(content.subarray(0, size - reserved * width), reserved * width);
    out.set(old.subarray(0, reserved * width));
    moved.forEach((p, i) => {
      out.set(old.subarray((i + reserved) * width, (i + reserved + 1) * width), (p + reserved) * width);
    });
    return out;
  }
  if (layer === 'history_items') {
    // Catalog × catalog: rows and columns both move.
    const n = shape[1]!;
    const oldN = moved.length;
    const out = new Float32Array(size);
    moved.forEach((p, i) => {
      moved.forEach((q, j) => {
        out[p * n + q] = old[i * oldN + j]!;
      });
    });
    return out;
  }
  if (ITEM_HEADS.includes(layer)) {
    const out = new Float32Array(size);
    if (leaf === 'bias') {
      moved.forEach((p, i) => {
        out[p] = old[i]!;
      });
      return out;
    }
    const rows = shape[0]!;
    const cols = shape[1]!;
    const oldCols = moved.length;
    for (let r = 0; r < rows; r++) {
      moved.forEach((p, i) => {
        out[r * cols + p] = old[r * oldCols + i]!;
      });
    }
    return out;
  }
  return old;
}

/**
 * Gives the model's unrated movies (count 0) parameters regressed from their content (`model.contentColdStart`,
 * `addMovies`); with `only`, just the movies at those positions get them. The report counts the movies set.
 */
function coldStartMovies(
  model: SequenceRNN,
  content: Float32Array,
  features: FeatureExtractor,
  counts: Float32Array,
  seed: number | string,
  only?: ReadonlySet<number>,
): ColdItemsReport {
  const width = model.itemParameterWidth;
  const inferred = inferColdItems(
    {
      content,
      dim: features.dim,
      params: model.itemParameters(),
      width,
      counts,
      excludeColumns: features.ratingCountColumns(),
    },
    { seed },
  );
  const keep = inferred.positions.flatMap((p, r) => (!only || only.has(p) ? [r] : []));
  const rows = new Float32Array(keep.length * width);
  keep.forEach((r, j) => {
    rows.set(inferred.rows.subarray(r * width, (r + 1) * width), j * width);
  });
  if (keep.length > 0)
    model.setItemParameters(
      keep.map((r) => inferred.positions[r]!),
      rows,
    );
  return { ...inferred.report, inferred: keep.length };
}

function initialValues(
  table: RatingTable,
  catalog: MovieIndex,
  scale: RatingScale,
  popularity: Float32Array,
  content: Float32Array | undefined,
): SequenceRNNInit {
  const m = catalog.size;
  const total = table.length;
  const rankingBias = new Float32Array(m);
  for (let i = 0; i < m; i++) rankingBias[i] = Math.log((popularity[i]! + 1) / (total + m));
  // Centre so the biases start near zero on average.
  const mean = rankingBias.reduce((a, b) => a + b, 0) / Math.max(1, m);
  for (let i = 0; i < m; i++) rankingBias[i]! -= mean;
  const sums = new Float64Array(m);
  for (let i = 0; i < table.length; i++) {
    const p = catalog.indexOf(table.movieIds[i]!);
    if (p >= 0) sums[p]! += scaleRating(table.ratings[i]!, scale);
  }
  const globalScaled = scaleRating(meanRating(table), scale);
  const ratingBias = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    // Shrunk mean (10 pseudo-ratings at the global mean), as a logit.
    const y = (sums[i]! + 10 * globalScaled) / (popularity[i]! + 10);
    const c = Math.min(0.98, Math.max(0.02, y));
    ratingBias[i] = Math.log(c / (1 - c));
  }
  return { rankingBias, ratingBias, content };
}

/** The largest catalog `model.historyLinearInit: 'ease'` accepts (its dense M×M matrix of doubles). */
const EASE_START_MAX_MOVIES = 20_000;

/**
 * The movie-to-movie path's starting matrix for `model.historyLinearInit: 'ease'`: EASE's weights on every
 * user's distinct training movies, times the scale that best turns them into softmax logits (see
 * {@link fitBagScale}). EASE's regression already carries popularity, so the taste head's bias starts at
 * zero (`tasteBias`; T P@10 0.3949 → 0.4063 against log popularity) and the scale is fitted beside it.
 *
 * @throws {ConfigError} for a catalog above {@link EASE_START_MAX_MOVIES} movies.
 */
function easeStart(
  bag: 'sqrt' | 'binary',
  sequences: Iterable<EncodedSequence>,
  numItems: number,
  lambda: number,
  seed: number,
): { matrix: Float32Array; tasteBias: Float32Array; note: string } {
  if (numItems > EASE_START_MAX_MOVIES) {
    throw new ConfigError(
      'model.historyLinearInit',
      `'zero' for a catalog above ${EASE_START_MAX_MOVIES} movies (the EASE start's ${easeCost(numItems)})`,
      'ease',
    );
  }
  const all = [...sequences];
  const offsets = new Int32Array(all.length + 1);
  all.forEach((seq, u) => {
    offsets[u + 1] = offsets[u]! + seq.items.length;
  });
  const items = new Int32Array(offsets[all.length]!);
  all.forEach((seq, u) => {
    items.set(seq.items, offsets[u]!);
  });
  const rows = distinctItemRows({ offsets, items }, numItems);
  const matrix = easeWeights(rows, numItems, lambda);
  const tasteBias = new Float32Array(numItems);
  const alpha = fitBagScale(rows, matrix, numItems, tasteBias, seed, bag);
  for (let i = 0; i < matrix.length; i++) matrix[i]! *= alpha;
  return {
    matrix,
    tasteBias,
    note: `movie-to-movie path started from EASE (λ ${lambda}) × ${alpha.toPrecision(3)}, the scale that best predicted a held-out fifth of each user's movies`,
  };
}

/** Share of taste samples that keep only a prefix of up to {@link COLD_PREFIX} movies (cold-start-like). */
const PREFIX_SHARE = 0.3;
/** Longest kept prefix of a cold-start-like taste sample. */
const COLD_PREFIX = 5;

/**
 * Splits a history for the taste objective. 30% of the time it keeps only a prefix as a new user would have:
 * nothing but the demographics (half of those), or the first 1–5 movies; otherwise each movie stays with a
 * probability drawn from [0.5, 0.9]. The rest is held out (at least one movie). Both parts keep time order.
 */
export function holdOutPart(seq: EncodedSequence, rng: Rng): { kept: EncodedSequence; held: HeldOut } {
  const n = seq.items.length;
  const keep = new Uint8Array(n);
  if (rng.next() < PREFIX_SHARE) {
    const k = rng.next() < 0.5 ? 0 : 1 + rng.int(Math.min(COLD_PREFIX, n - 1));
    keep.fill(1, 0, k);
  } else {
    const rate = 0.5 + 0.4 * rng.next();
    let kept = 0;
    for (let i = 0; i < n; i++) {
      keep[i] = rng.next() < rate ? 1 : 0;
      kept += keep[i]!;
    }
    if (kept === n) keep[rng.int(n)] = 0;
  }
  const keptRows: number[] = [];
  const heldRows: number[] = [];
  for (let i = 0; i < n; i++) (keep[i] ? keptRows : heldRows).push(i);
  return {
    kept: {
      items: Int32Array.from(keptRows, (i) => seq.items[i]!),
      ratings: Float32Array.from(keptRows, (i) => seq.ratings[i]!),
      times: Float64Array.from(keptRows, (i) => seq.times[i]!),
    },
    held: {
      items: Int32Array.from(heldRows, (i) => seq.items[i]!),
      ratings: Float32Array.from(heldRows, (i) => seq.ratings[i]!),
    },
  };
}

/** Draws the batch's shared negatives and their log expected counts (log-Q) under the proposal. */
function addNegatives(batch: TrainingBatchArrays, sampler: AliasSampler, count: number, rng: Rng): void {
  const negatives = sampler.sampleMany(rng, count);
  batch.negatives = negatives;
  batch.negativeLogQ = Float32Array.from(negatives, (i) => Math.log(count * sampler.probability(i)));
  batch.targetLogQ = Float32Array.from(batch.targets, (i) => Math.log(count * sampler.probability(i)));
}

/** Share of a validation user's other ratings held out as well when the taste objective is on. */
const TASTE_VALIDATION_SHARE = 0.1;

/** Share of every user's ratings the `'taste'` validation holds out (see {@link holdOutValidation}). */
const TASTE_SCORING_VALIDATION_SHARE = 0.05;

/**
 * The automatic validation split. With `mode` `'next'` (the default): for a seeded quarter of the users with at
 * least 3 ratings (at least 100 of them when there are, at most {@link MAX_VALIDATION_USERS}), the last rating in
 * stable time order and — when `randomShare` > 0 — a seeded random share of their other ratings. Each such user
 * becomes one validation case whose held-out movies are all relevant, so NDCG@10 rewards the next movie and the
 * rest of their taste alike. With `'taste'` (a model that scores with its taste head): a seeded random share
 * `randomShare` (at least one) of the ratings of every user with at least 3 — at most
 * {@link MAX_VALIDATION_USERS} of them — the shape of a random top-N split, with many more users than the last
 * ratings of a quarter would give (a steadier signal for early stopping). Both keep two ratings of each user.
 */
export function holdOutValidation(
  table: RatingTable,
  seed: number,
  randomShare: number,
  mode: 'next' | 'taste' = 'next',
): { train: RatingTable; validation: RatingTable } {
  const timelines = userTimelines(table);
  const eligible = [...timelines.entries()].filter(([, rows]) => rows.length >= 3).map(([u]) => u);
  eligible.sort((a, b) => a - b);
  const count = Math.min(
    MAX_VALIDATION_USERS,
    eligible.length,
    mode === 'taste' ? eligible.length : Math.max(100, Math.round(eligible.length * 0.25)),
  );
  const rng = new Rng(`${seed}:validation`);
  const chosen = rng.shuffle(eligible).slice(0, eligible.length >= 10 ? count : 0);
  const held = new Uint8Array(table.length);
  for (const u of chosen) {
    const rows = timelines.get(u)!;
    if (mode === 'taste') {
      const order = rng.shuffle(Array.from(rows));
      const take = Math.min(rows.length - 2, Math.max(1, Math.round(randomShare * rows.length)));
      for (let j = 0; j < take; j++) held[order[j]!] = 1;
      continue;
    }
    held[rows[rows.length - 1]!] = 1;
    // Keep at least two ratings of the user in training.
    const others = rng.shuffle(Array.from(rows.subarray(0, rows.length - 1)));
    const extra = Math.min(others.length - 2, Math.round(randomShare * others.length));
    for (let j = 0; j < extra; j++) held[others[j]!] = 1;
  }
  const trainRows: number[] = [];
  const valRows: number[] = [];
  for (let i = 0; i < table.length; i++) (held[i] ? valRows : trainRows).push(i);
  return { train: table.select(trainRows), validation: table.select(valRows) };
}
