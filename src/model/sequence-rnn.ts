/**
 * SequenceRNN: a recurrent network over a user's time-ordered movies with two heads.
 *
 * Step input x_t = [item embedding ; content features (fixed) ; scaled rating, rating-known flag, time gap].
 * The recurrence is the chosen cell (for `'rnn'`, exactly `h_t = σ(W_xh x_t + W_hh h_{t−1} + b_h)`), optionally
 * stacked, starting from a state computed from the user's profile.
 *
 * - Rating head: `y_t = σ(W_hy h_t + b_y)`, a vector over the catalog; the predicted rating of movie m is
 *   `min + (max − min) · y_t[m]` on the data set's scale.
 * - Ranking head: logits `W_r h_t + b_r` over the catalog, trained with full softmax cross-entropy on the next
 *   movie; scoring for recommendation is one matrix product per batch.
 *
 * The network is a tfjs-layers functional model, so it saves and loads in the tfjs layers format.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelFormatError, StateError } from '../errors';
import { Rng } from '../util/random';
import {
  type BatchArrays,
  type InferenceBatchArrays,
  STEP_FEATURES,
  type TasteBatchArrays,
  TOKEN_OFFSET,
  type TrainingBatchArrays,
} from './batches';
import { createCell } from './cells';
import { glorotUniform, orthogonal, uniform } from './init';
import {
  bprLoss,
  maskedMeanSquaredError,
  sampledScores,
  sampledSoftmaxLoss,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithWeights,
} from './losses';

/** Everything that defines a SequenceRNN's shape. Saved with the model. */
export interface SequenceRNNConfig {
  /** Movies in the model's catalog. */
  numItems: number;
  /** Registered cell name: `'rnn'` (sigmoid), `'lstm'`, `'gru'` or a custom one. */
  cell: string;
  /** Hidden units per layer. */
  hiddenSize: number;
  /** Size of the learned movie embedding. */
  embeddingSize: number;
  /** Stacked recurrent layers. */
  layers: number;
  /** Gate activation of LSTM / GRU cells. */
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  /** Width of the fixed content-feature rows (0: none). */
  contentSize: number;
  /** Width of the profile vector that sets the initial state (0: start from zeros). */
  profileSize: number;
  /** Weight of the rating loss (mean squared error of y_t on the next movie) beside the ranking loss. */
  ratingWeight: number;
  /** Longest history read, in positions. */
  maxLength: number;
  /** Seed of the initial weights. */
  seed: number;
  /** Ranking loss (absent in models saved before it existed: `'softmax'`). */
  loss?: RankingLoss;
  /** Dropout of each cell's input x_t in training (variational: one mask per sequence). Default 0. */
  dropout?: number;
  /** Dropout of each cell's state h_{t−1} in training (one mask per sequence). Default 0. */
  recurrentDropout?: number;
  /** Weight of the taste objective's batches (see {@link TasteBatchArrays}). Default 1. */
  tasteWeight?: number;
  /**
   * A separate taste head (`W_τ h + b_τ` over the catalog) learns the taste objective, so the ranking head keeps
   * answering "what next?" and the taste head "what else does this user like?". Absent in older models: the
   * taste objective then trains the ranking head.
   */
  tasteHead?: boolean;
  /**
   * Width of the whole-history encoder (0 or absent: none). With a taste head, the taste logits also get
   * `W_ω tanh(W_β b + c_β)`, where b is the multi-hot bag of every movie the row has read (each weighted 1/√n).
   */
  historySize?: number;
  /** Dropout of the whole-history bag's entries in training (seeded; kept entries scaled by 1/(1 − rate)). Default 0. */
  historyDropout?: number;
  /**
   * A linear movie-to-movie path from the whole-history bag to the taste logits (`W_μ b`, catalog × catalog,
   * starting at zero), beside or instead of the encoder. Needs a taste head. Default false.
   */
  historyLinear?: boolean;
  /**
   * What the movie-to-movie path reads: `'sqrt'` (default), the bag the encoder reads (each movie 1/√n), or
   * `'binary'`, each movie 1 (EASE's own input, so weights started from EASE keep their scale for every
   * history length).
   */
  historyLinearBag?: 'sqrt' | 'binary';
  /** Whether training moves the movie-to-movie matrix (false: it stays as started). Default true. */
  historyLinearTrainable?: boolean;
}

/**
 * Which head scores movies: `'next'` (the ranking head: the next movie), `'taste'` (the taste head: anything else
 * the user likes), or `'blend'` (both: the sum of their log-softmax, a product of the two distributions).
 */
export type ScoringHead = 'next' | 'taste' | 'blend';

/**
 * The ranking head's training loss:
 * - `'softmax'`: full softmax cross-entropy over the whole catalog (exact; memory grows with the catalog);
 * - `'sampled-softmax'`: cross-entropy over the target and negatives shared by the batch, drawn from a proposal
 *   Q, with the log-Q correction (each logit minus log of its expected count under Q) that makes it an unbiased
 *   estimate of the full softmax's gradient direction; for large catalogs;
 * - `'bpr'`: Bayesian personalised ranking, mean of −log σ(s_target − s_negative) over the sampled negatives.
 */
export type RankingLoss = 'softmax' | 'sampled-softmax' | 'bpr';

/**
 * Every {@link RankingLoss}.
 *
 * @example
 * ```ts
 * import { RANKING_LOSSES } from 'reelrec';
 * console.log(RANKING_LOSSES.join(', ')); // softmax, sampled-softmax, bpr
 * ```
 */
export const RANKING_LOSSES: readonly RankingLoss[] = ['softmax', 'sampled-softmax', 'bpr'];

/** Values that shape the initial weights (not saved: the trained weights are). */
export interface SequenceRNNInit {
  /** `[numItems × contentSize]` fixed content features, row-major. */
  content?: Float32Array;
  /** `[numItems]` initial ranking bias, e.g. log popularity. */
  rankingBias?: Float32Array;
  /** `[numItems]` initial rating bias (a logit of the movie's mean scaled rating). */
  ratingBias?: Float32Array;
  /**
   * `[numItems × numItems]` initial matrix of the movie-to-movie path (`historyLinear`), row-major (row: the
   * movie read, column: the movie scored); zeros when absent.
   */
  historyItems?: Float32Array;
  /** `[numItems]` initial taste-head bias; `rankingBias` when absent (zeros when a matrix started from EASE carries popularity). */
  tasteBias?: Float32Array;
}

type Layer = ReturnType<typeof tfl.layers.dense>;

/** The dropout state tfjs-layers keeps on a cell. */
interface DropoutCell {
  dropoutFunc?: (ones: tf.Tensor, rate: number) => tf.Tensor;
  dropoutMask: tf.Tensor | tf.Tensor[] | null;
  recurrentDropoutMask: tf.Tensor | tf.Tensor[] | null;
}

/** Width of the learned projection of content features into the step input. */
const CONTENT_PROJECTION = 32;

/**
 * The recurrent model. Training code calls {@link SequenceRNN.loss} inside an optimizer step; scoring code calls
 * {@link SequenceRNN.infer}. Tensors stay inside: both take and return plain arrays.
 *
 * @example
 * ```ts
 * import { SequenceRNN, inferenceBatch } from 'reelrec';
 * const model = SequenceRNN.create({
 *   numItems: 100, cell: 'lstm', hiddenSize: 16, embeddingSize: 8, layers: 1, recurrentActivation: 'sigmoid',
 *   contentSize: 0, profileSize: 0, ratingWeight: 1, maxLength: 20, seed: 42,
 * });
 * const batch = inferenceBatch([{ items: Int32Array.of(3, 7), ratings: Float32Array.of(1, 0.5), times: Float64Array.of(0, 60) }], 20, 0);
 * const { scores } = await model.infer(batch, { scores: true });
 * model.dispose();
 * ```
 */
export class SequenceRNN {
  /** The shape and settings the model was built with. */
  readonly config: SequenceRNNConfig;
  /** The full network (inputs → [ranking logits, rating y] per position); what is saved. */
  readonly network: tfl.LayersModel;
  private readonly encoder: tfl.LayersModel;
  private readonly rankingHead: Layer;
  private readonly tasteHead: Layer | null;
  private readonly historyEncoder: Layer | null;
  private readonly historyHead: Layer | null;
  private readonly historyLinear: Layer | null;
  private readonly historyRng: Rng;
  private readonly ratingHead: Layer;
  private readonly cells: DropoutCell[];
  private disposed = false;

  private constructor(config: SequenceRNNConfig, network: tfl.LayersModel) {
    this.config = config;
    this.network = network;
    isolateRnnKwargs(network);
    clearRnnCallArgs(network);
    const lastRnn = network.getLayer(`rnn_${config.layers - 1}`);
    this.encoder = tfl.model({
      // The whole-history input (last, when there is one) does not reach the recurrence.
      inputs: network.inputs.slice(0, config.profileSize > 0 ? 3 : 2),
      outputs: lastRnn.output as tfl.SymbolicTensor,
      name: 'reelrec_encoder',
    });
    this.rankingHead = network.getLayer('ranking_head') as Layer;
    this.tasteHead = config.tasteHead ? (network.getLayer('taste_head') as Layer) : null;
    const withHistory = hasHistoryPath(config);
    const encoded = withHistory && (config.historySize ?? 0) > 0;
    this.historyEncoder = encoded ? (network.getLayer('history_encoder') as Layer) : null;
    this.historyHead = encoded ? (network.getLayer('taste_history') as Layer) : null;
    this.historyLinear =
      withHistory && config.historyLinear ? (network.getLayer('history_items') as Layer) : null;
    this.historyRng = new Rng(`history-dropout:${config.seed}`);
    this.ratingHead = network.getLayer('rating_head') as Layer;
    this.cells = network.layers
      .filter((l) => l.name.startsWith('rnn_'))
      .map((l) => (l as unknown as { cell: DropoutCell }).cell);
    // Dropout masks from the run's seed (tfjs-layers would draw them unseeded); also for loaded models, whose
    // cells are rebuilt from their saved config without this function.
    const rng = new Rng(`dropout:${config.seed}`);
    const seeded = (ones: tf.Tensor, rate: number) => tf.dropout(ones, rate, undefined, rng.uint32());
    for (const cell of this.cells) cell.dropoutFunc = seeded;
  }

  /** Builds a new model with seeded initial weights. */
  static create(config: SequenceRNNConfig, init: SequenceRNNInit = {}): SequenceRNN {
    const cells = config.numItems * config.numItems;
    if (init.historyItems && init.historyItems.length !== cells) {
      throw new RangeError(`init.historyItems: expected ${cells} values, got ${init.historyItems.length}`);
    }
    const network = buildNetwork(config);
    const model = new SequenceRNN(config, network);
    model.initialiseWeights(init);
    return model;
  }

  /**
   * Restores a model from tfjs layers artifacts (topology + weights) and its config.
   * Throws {@link ModelFormatError} when they do not match.
   */
  static async fromArtifacts(
    config: SequenceRNNConfig,
    artifacts: tf.io.ModelArtifacts,
  ): Promise<SequenceRNN> {
    let network: tfl.LayersModel;
    try {
      network = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (err) {
      throw new ModelFormatError(`the saved network could not be rebuilt: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const expectInputs = (config.profileSize > 0 ? 3 : 2) + (hasHistoryPath(config) ? 1 : 0);
    if (
      network.inputs.length !== expectInputs ||
      !network.layers.some((l) => l.name === `rnn_${config.layers - 1}`)
    ) {
      network.dispose();
      throw new ModelFormatError(
        'the saved network does not match its config (inputs or recurrent layers differ)',
      );
    }
    return new SequenceRNN(config, network);
  }

  /** The variables an optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return this.network.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Current values of every weight (trainable or not), copied out, in `network.weights` order. */
  getWeights(): Float32Array[] {
    return this.network.weights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice());
  }

  /** Sets every weight from {@link SequenceRNN.getWeights} output. */
  setWeights(values: readonly Float32Array[]): void {
    const weights = this.network.weights;
    if (values.length !== weights.length) {
      throw new RangeError(`expected ${weights.length} weight arrays, got ${values.length}`);
    }
    tf.tidy(() => {
      weights.forEach((w, i) => {
        w.write(tf.tensor(values[i]!, w.shape as number[], w.dtype));
      });
    });
  }

  /**
   * Each movie's own parameters as one row: its input embedding, then `[kernel column, bias]` of the ranking head,
   * of the rating head (pre-sigmoid) and, when the model has one, of the taste head; with the whole-history
   * encoder, its input row and its taste-logit column last. Row-major
   * `numItems × itemParameterWidth`, copied out. What content-based cold start regresses on (see
   * {@link SequenceRNN.setItemParameters}).
   */
  itemParameters(): Float32Array {
    this.assertUsable();
    const { numItems } = this.config;
    const width = this.itemParameterWidth;
    const out = new Float32Array(numItems * width);
    let at = 0;
    for (const part of this.itemParts()) {
      const values = part.read();
      for (let i = 0; i < numItems; i++) {
        out.set(values.subarray(i * part.width, (i + 1) * part.width), i * width + at);
      }
      at += part.width;
    }
    return out;
  }

  /** Width of a row of {@link SequenceRNN.itemParameters}. */
  get itemParameterWidth(): number {
    return this.itemParts().reduce((sum, part) => sum + part.width, 0);
  }

  /**
   * Overwrites the parameters of the movies at catalog `positions` with rows laid out as in
   * {@link SequenceRNN.itemParameters} (`positions.length × itemParameterWidth`, row-major). With the
   * movie-to-movie path (`historyLinear`), their row of its matrix is set to zero and their
   * column to the mean of the other movies' columns.
   *
   * @throws {RangeError} for a position outside the catalog or a row array of the wrong length.
   */
  setItemParameters(positions: readonly number[], rows: Float32Array): void {
    this.assertUsable();
    const { numItems } = this.config;
    const width = this.itemParameterWidth;
    if (rows.length !== positions.length * width) {
      throw new RangeError(`expected ${positions.length} × ${width} values, got ${rows.length}`);
    }
    for (const p of positions) {
      if (!Number.isInteger(p) || p < 0 || p >= numItems) {
        throw new RangeError(`movie position ${p} is outside the catalog (0 … ${numItems - 1})`);
      }
    }
    let at = 0;
    for (const part of this.itemParts()) {
      const values = part.read();
      positions.forEach((p, r) => {
        values.set(rows.subarray(r * width + at, r * width + at + part.width), p * part.width);
      });
      part.write(values);
      at += part.width;
    }
    // The movie-to-movie path has no per-movie row of fixed width. A movie given new parameters adds nothing
    // as a bag entry (its row is zero), and as a scored movie it gets the mean column of the other movies: what
    // the path adds to an average movie, which the regressed head rows (biases included) were fitted beside. A
    // zero column instead would lift such movies above every movie the path pushes down.
    if (this.historyLinear) {
      const chosen = [...new Set(positions)];
      const others = numItems - chosen.length;
      const kernel = this.historyLinear.weights[0]!;
      const values = (kernel.read().dataSync() as Float32Array).slice();
      for (const p of chosen) values.fill(0, p * numItems, (p + 1) * numItems);
      for (let row = 0; row < values.length; row += numItems) {
        // The row's sum less its chosen entries, over the other movies.
        let sum = values.subarray(row, row + numItems).reduce((a, b) => a + b, 0);
        for (const p of chosen) sum -= values[row + p]!;
        const mean = others > 0 ? sum / others : 0;
        for (const p of chosen) values[row + p] = mean;
      }
      tf.tidy(() => {
        kernel.write(tf.tensor2d(values, [numItems, numItems]));
      });
    }
  }

  /** The per-movie slices of the item layers, each read and written as `numItems × width` row-major. */
  private itemParts(): ItemPart[] {
    const { numItems } = this.config;
    const embedding = this.network.getLayer('item_embedding').weights[0]!;
    const e = embedding.shape[1] as number;
    const parts: ItemPart[] = [
      {
        width: e,
        read: () => (embedding.read().dataSync() as Float32Array).slice(TOKEN_OFFSET * e),
        write: (v: Float32Array) => {
          const all = (embedding.read().dataSync() as Float32Array).slice();
          all.set(v, TOKEN_OFFSET * e);
          tf.tidy(() => {
            embedding.write(tf.tensor2d(all, [numItems + TOKEN_OFFSET, e]));
          });
        },
      },
    ];
    const heads = [this.rankingHead, this.ratingHead, ...(this.tasteHead ? [this.tasteHead] : [])];
    for (const head of heads) {
      const kernel = head.weights.find((v) => v.originalName.endsWith('/kernel'))!;
      const bias = head.weights.find((v) => v.originalName.endsWith('/bias'))!;
      const d = kernel.shape[0] as number;
      parts.push({
        width: d + 1,
        read: () =>
          tf.tidy(() => {
            const rows = tf.concat([tf.transpose(kernel.read()), tf.reshape(bias.read(), [numItems, 1])], 1);
            return rows.dataSync() as Float32Array;
          }),
        write: (v: Float32Array) => {
          // Fresh tensors from plain arrays: a reshaped slice would share its data id with the slice, and the
          // wasm backend keeps a shape per data id (its fused matmul then sees a rank-2 bias).
          const k = new Float32Array(d * numItems);
          const b = new Float32Array(numItems);
          for (let i = 0; i < numItems; i++) {
            for (let j = 0; j < d; j++) k[j * numItems + i] = v[i * (d + 1) + j]!;
            b[i] = v[i * (d + 1) + d]!;
          }
          tf.tidy(() => {
            kernel.write(tf.tensor2d(k, [d, numItems]));
            bias.write(tf.tensor1d(b));
          });
        },
      });
    }
    if (this.historyEncoder && this.historyHead) {
      const input = this.historyEncoder.weights.find((v) => v.originalName.endsWith('/kernel'))!;
      const output = this.historyHead.weights.find((v) => v.originalName.endsWith('/kernel'))!;
      const h = input.shape[1] as number;
      parts.push({
        width: h,
        read: () => (input.read().dataSync() as Float32Array).slice(),
        write: (v: Float32Array) => {
          tf.tidy(() => {
            input.write(tf.tensor2d(v, [numItems, h]));
          });
        },
      });
      parts.push({
        width: h,
        read: () => tf.tidy(() => tf.transpose(output.read()).dataSync() as Float32Array),
        write: (v: Float32Array) => {
          tf.tidy(() => {
            output.write(tf.transpose(tf.tensor2d(v, [numItems, h])));
          });
        },
      });
    }
    return parts;
  }

  /**
   * The training loss of a batch: mean softmax cross-entropy of the next movie plus `ratingWeight` × the masked
   * mean squared error of the rating head on the next movie's scaled rating. Returns a scalar tensor (the caller,
   * an optimizer step, owns it).
   */
  loss(batch: TrainingBatchArrays | TasteBatchArrays, training = true): tf.Scalar {
    this.assertUsable();
    if ('kind' in batch && batch.kind === 'taste') return this.tasteLoss(batch, training);
    const next = batch as TrainingBatchArrays;
    return tf.tidy(() => {
      const hidden = this.hiddenAt(next, next.lossIndex, training);
      const targets = tf.tensor1d(next.targets, 'int32');
      const ranking = this.rankingLoss(hidden, targets, next);
      if (this.config.ratingWeight <= 0) return ranking;
      const mse = this.ratingError(hidden, targets, next.ratingTargets, next.ratingMask);
      return tf.add(ranking, tf.mul(mse, this.config.ratingWeight)) as tf.Scalar;
    });
  }

  /**
   * The taste objective: from the last state of a history with part of it held out, the multinomial likelihood
   * of the held-out movies under the ranking head's softmax, plus `ratingWeight` × the squared error of their
   * ratings under the rating head; all times `tasteWeight`.
   */
  private tasteLoss(batch: TasteBatchArrays, training: boolean): tf.Scalar {
    return tf.tidy(() => {
      const hidden = this.hiddenAt(batch, batch.lastIndex, training);
      const head = this.tasteHead ?? this.rankingHead;
      let logits = tf.add(
        tf.matMul(hidden, headWeight(head, 'kernel')),
        headWeight(head, 'bias'),
      ) as tf.Tensor2D;
      if (this.tasteHead) logits = this.withHistory(logits, batch, training);
      const weights = tf.tensor2d(batch.targetWeights, [batch.rows, batch.numItems]);
      let loss: tf.Tensor = tf.mean(softmaxCrossEntropyWithWeights(logits, weights));
      if (this.config.ratingWeight > 0 && batch.ratingItems.length > 0) {
        const rowsHidden = tf.gather(hidden, tf.tensor1d(batch.ratingRows, 'int32'));
        const items = tf.tensor1d(batch.ratingItems, 'int32');
        const mse = this.ratingError(
          rowsHidden,
          items,
          batch.ratingTargets,
          new Float32Array(batch.ratingItems.length).fill(1),
        );
        loss = tf.add(loss, tf.mul(mse, this.config.ratingWeight));
      }
      return tf.mul(loss, this.config.tasteWeight ?? 1) as tf.Scalar;
    });
  }

  /** Masked mean squared error of the rating head's y for `items` against scaled `ratings`. */
  private ratingError(
    hidden: tf.Tensor2D,
    items: tf.Tensor1D,
    ratings: Float32Array,
    mask: Float32Array,
  ): tf.Scalar {
    const rows = tf.gather(tf.transpose(this.ratingWeight('kernel')), items);
    const z = tf.add(tf.sum(tf.mul(hidden, rows), 1), tf.gather(this.ratingWeight('bias'), items));
    return maskedMeanSquaredError(tf.sigmoid(z) as tf.Tensor1D, tf.tensor1d(ratings), tf.tensor1d(mask));
  }

  /** The ranking head's loss of the batch (see {@link RankingLoss}). */
  private rankingLoss(hidden: tf.Tensor2D, targets: tf.Tensor1D, batch: TrainingBatchArrays): tf.Scalar {
    const kernel = this.rankingWeight('kernel');
    const bias = this.rankingWeight('bias');
    const kind = this.config.loss ?? 'softmax';
    if (kind === 'softmax') {
      const logits = tf.add(tf.matMul(hidden, kernel), bias) as tf.Tensor2D;
      return tf.mean(softmaxCrossEntropy(logits, targets)) as tf.Scalar;
    }
    const { negatives, negativeLogQ, targetLogQ } = batch;
    if (!negatives || negatives.length === 0) {
      throw new StateError(`the '${kind}' loss needs batches with sampled negatives`);
    }
    const rows = tf.transpose(kernel) as tf.Tensor2D;
    const scores = sampledScores(hidden, rows, bias as tf.Tensor1D, batch.targets, negatives);
    if (kind === 'bpr') return bprLoss(scores);
    if (!negativeLogQ || !targetLogQ)
      throw new StateError("the 'sampled-softmax' loss needs the proposal's log-Q");
    return sampledSoftmaxLoss(scores, targetLogQ, negativeLogQ);
  }

  /**
   * Reads each row to its last position and returns, row-major over the catalog, the ranking scores (logits)
   * and/or the rating head's y in [0, 1].
   */
  async infer(
    batch: InferenceBatchArrays,
    want: { scores?: boolean; ratings?: boolean; head?: ScoringHead },
  ): Promise<{
    /** `[rows × numItems]` ranking logits, when `want.scores`. */
    scores?: Float32Array;
    /** `[rows × numItems]` rating-head outputs in [0, 1], when `want.ratings`. */
    ratings?: Float32Array;
  }> {
    this.assertUsable();
    const { scoresT, ratingsT } = tf.tidy(() => {
      const hidden = this.hiddenAt(batch, batch.lastIndex, false);
      const out: { scoresT?: tf.Tensor2D; ratingsT?: tf.Tensor2D } = {};
      if (want.scores) out.scoresT = this.scoreWith(hidden, batch, want.head ?? 'blend');
      if (want.ratings) out.ratingsT = this.ratingHead.apply(hidden) as tf.Tensor2D;
      return out as Record<string, tf.Tensor2D>;
    }) as { scoresT?: tf.Tensor2D; ratingsT?: tf.Tensor2D };
    try {
      const scores = scoresT ? ((await scoresT.data()) as Float32Array) : undefined;
      const ratings = ratingsT ? ((await ratingsT.data()) as Float32Array) : undefined;
      return { scores, ratings };
    } finally {
      scoresT?.dispose();
      ratingsT?.dispose();
    }
  }

  /** Scores of the catalog from hidden states with the chosen head (the ranking head when there is no taste head). */
  private scoreWith(hidden: tf.Tensor2D, batch: InferenceBatchArrays, head: ScoringHead): tf.Tensor2D {
    const next = this.rankingHead.apply(hidden) as tf.Tensor2D;
    if (!this.tasteHead || head === 'next') return next;
    const taste = this.withHistory(this.tasteHead.apply(hidden) as tf.Tensor2D, batch);
    if (head === 'taste') return taste;
    return tf.add(tf.logSoftmax(next), tf.logSoftmax(taste));
  }

  /**
   * Taste logits plus those of the whole-history paths the model has: the bag of every movie each row has read,
   * each weighted 1/√n, through the `tanh` encoder and its head (`historySize`) and through the movie-to-movie
   * matrix (`historyLinear`); in training with `historyDropout`, entries of the bag dropped at that rate.
   */
  private withHistory(logits: tf.Tensor2D, batch: InferenceBatchArrays, training = false): tf.Tensor2D {
    if (!this.historyLinear && (!this.historyEncoder || !this.historyHead)) return logits;
    const { numItems } = this.config;
    const { rows, historyItems, historyOffsets } = batch;
    const bag = new Float32Array(rows * numItems);
    const rowScale = new Float32Array(rows).fill(1);
    for (let r = 0; r < rows; r++) {
      let distinct = 0;
      for (let j = historyOffsets[r]!; j < historyOffsets[r + 1]!; j++) {
        const at = r * numItems + historyItems[j]!;
        if (bag[at] === 0) distinct++;
        bag[at] = 1;
      }
      if (distinct > 1) {
        rowScale[r] = Math.sqrt(distinct);
        const w = 1 / Math.sqrt(distinct);
        for (let j = historyOffsets[r]!; j < historyOffsets[r + 1]!; j++)
          bag[r * numItems + historyItems[j]!] = w;
      }
    }
    let input: tf.Tensor2D = tf.tensor2d(bag, [rows, numItems]);
    const rate = this.config.historyDropout ?? 0;
    if (training && rate > 0)
      input = tf.dropout(input, rate, undefined, this.historyRng.uint32()) as tf.Tensor2D;
    let out = logits;
    if (this.historyEncoder && this.historyHead) {
      const encoded = this.historyEncoder.apply(input) as tf.Tensor2D;
      out = tf.add(out, this.historyHead.apply(encoded) as tf.Tensor2D);
    }
    if (this.historyLinear) {
      // The binary bag: each row of the 1/√n bag (dropped entries stay dropped) times √n.
      const read =
        this.config.historyLinearBag === 'binary' ? tf.mul(input, tf.tensor2d(rowScale, [rows, 1])) : input;
      out = tf.add(out, this.historyLinear.apply(read) as tf.Tensor2D);
    }
    return out;
  }

  /** The network as tfjs layers artifacts (topology JSON, weight specs and data). */
  async toArtifacts(): Promise<tf.io.ModelArtifacts> {
    this.assertUsable();
    let captured: tf.io.ModelArtifacts | undefined;
    await this.network.save({
      save: async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    if (!captured) throw new Error('tfjs did not hand over the model artifacts');
    return captured;
  }

  /** Frees every tensor of the model. Further calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resetDropoutMasks();
    this.network.dispose();
  }

  /**
   * Drops the cells' dropout masks. A cell draws its masks on the first step of a sequence and keeps them; the
   * generic tfjs-layers RNN layer never clears them, so without this a training mask would leak into the next
   * batch (of another shape) or into inference.
   */
  private resetDropoutMasks(): void {
    for (const cell of this.cells) {
      for (const key of ['dropoutMask', 'recurrentDropoutMask'] as const) {
        const mask = cell[key];
        if (mask) tf.dispose(mask);
        cell[key] = null;
      }
    }
  }

  /** Whether {@link SequenceRNN.dispose} was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private rankingWeight(which: 'kernel' | 'bias'): tf.Tensor {
    return headWeight(this.rankingHead, which);
  }

  private ratingWeight(which: 'kernel' | 'bias'): tf.Tensor {
    return headWeight(this.ratingHead, which);
  }

  /** Hidden states `[n, hiddenSize]` at the given flat positions of the batch. */
  private hiddenAt(batch: BatchArrays, flatIndex: Int32Array, training: boolean): tf.Tensor2D {
    this.resetDropoutMasks();
    const { rows, length } = batch;
    const inputs: tf.Tensor[] = [
      tf.tensor2d(batch.tokens, [rows, length], 'int32'),
      tf.tensor3d(batch.steps, [rows, length, STEP_FEATURES]),
    ];
    if (this.config.profileSize > 0) {
      inputs.push(
        tf.tensor2d(batch.profiles ?? new Float32Array(rows * this.config.profileSize), [
          rows,
          this.config.profileSize,
        ]),
      );
    }
    const h = this.encoder.apply(inputs, { training }) as tf.Tensor3D;
    return tf.gather(tf.reshape(h, [rows * length, this.config.hiddenSize]), tf.tensor1d(flatIndex, 'int32'));
  }

  private assertUsable(): void {
    if (this.disposed) throw new StateError('this SequenceRNN was disposed');
  }

  private initialiseWeights(init: SequenceRNNInit): void {
    const rng = new Rng(`sequence-rnn:${this.config.seed}`);
    const { numItems, contentSize } = this.config;
    tf.tidy(() => {
      for (const layer of this.network.layers) {
        const weights = layer.weights;
        if (weights.length === 0) continue;
        const values = weights.map((w) => {
          const shape = w.shape as number[];
          const size = shape.reduce((a, b) => a * b, 1);
          const leaf = w.originalName.split('/').pop()!;
          if (layer.name === 'item_embedding') return uniform(size, 0.05, rng);
          if (layer.name === 'history_items') {
            return init.historyItems ? init.historyItems.slice() : new Float32Array(size);
          }
          if (layer.name === 'content_features') {
            const out = new Float32Array(size);
            if (init.content)
              out.set(init.content.subarray(0, numItems * contentSize), TOKEN_OFFSET * contentSize);
            return out;
          }
          if (leaf === 'bias') return this.initialBias(layer, shape[0]!, init);
          if (leaf === 'recurrent_kernel') return orthogonal(shape[0]!, shape[1]!, rng);
          if (leaf === 'kernel' && shape.length === 2) {
            const k = glorotUniform(shape[0]!, shape[1]!, rng);
            if (layer.name === 'rating_head') for (let i = 0; i < k.length; i++) k[i]! *= 0.1;
            return k;
          }
          // A weight of a custom cell reelrec does not know: keep the cell's own initialiser.
          return w.read().dataSync() as Float32Array;
        });
        layer.setWeights(values.map((v, i) => tf.tensor(v, weights[i]!.shape as number[])));
      }
    });
  }

  private initialBias(layer: tfl.layers.Layer, size: number, init: SequenceRNNInit): Float32Array {
    const out = new Float32Array(size);
    if ((layer.name === 'ranking_head' || layer.name === 'taste_head') && init.rankingBias) {
      out.set(init.rankingBias.subarray(0, size));
    }
    if (layer.name === 'taste_head' && init.tasteBias) out.set(init.tasteBias.subarray(0, size));
    if (layer.name === 'rating_head' && init.ratingBias) out.set(init.ratingBias.subarray(0, size));
    if (
      layer.name.startsWith('rnn_') &&
      (layer as unknown as { cell: tfl.layers.Layer }).cell.getClassName() === 'LSTMCell'
    ) {
      // Forget-gate bias 1 (Jozefowicz et al.): gates are ordered i, f, c, o.
      const units = size / 4;
      out.fill(1, units, 2 * units);
    }
    return out;
  }
}

/** One item layer's per-movie slice (see `SequenceRNN.itemParts`). */
interface ItemPart {
  width: number;
  read: () => Float32Array;
  write: (values: Float32Array) => void;
}

function headWeight(layer: Layer, which: 'kernel' | 'bias'): tf.Tensor {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${which}`));
  if (!w) throw new ModelFormatError(`layer ${layer.name} has no ${which}`);
  return w.read();
}

// tfjs-layers' RNN.apply writes its initial state into the call's kwargs, one object shared by every layer of a
// model call: with a profile-initialised first layer, the next recurrent layer then receives that state and
// throws ("When inputs is an array, neither initialState or constants should be provided"). Each recurrent layer
// gets its own copy of the kwargs. Runs on created and on loaded networks alike.
function isolateRnnKwargs(network: tfl.LayersModel): void {
  for (const layer of network.layers) {
    if (!layer.name.startsWith('rnn_')) continue;
    const apply = layer.apply.bind(layer);
    layer.apply = ((inputs, kwargs) => apply(inputs, kwargs && { ...kwargs })) as typeof layer.apply;
  }
}

/**
 * The initial states are inputs of the first recurrent layer's node, but its call arguments also hold them as
 * symbolic tensors, which tfjs cannot serialise (it warns on every save, and rebuilds them on every load). The
 * layer reads the states from its inputs either way, so the arguments are cleared.
 */
function clearRnnCallArgs(network: tfl.LayersModel): void {
  for (const layer of network.layers) {
    if (!layer.name.startsWith('rnn_')) continue;
    for (const node of layer.inboundNodes) node.callArgs = {};
  }
}

/** Whether the model reads the whole-history bag (encoder or movie-to-movie path; they feed the taste head). */
function hasHistoryPath(config: SequenceRNNConfig): boolean {
  return ((config.historySize ?? 0) > 0 || config.historyLinear === true) && config.tasteHead === true;
}

function stateCount(cell: { stateSize: number | number[] }): number {
  return Array.isArray(cell.stateSize) ? cell.stateSize.length : 1;
}

function buildNetwork(config: SequenceRNNConfig): tfl.LayersModel {
  const { numItems, embeddingSize, contentSize, profileSize, hiddenSize, layers } = config;
  const tokens = tfl.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const steps = tfl.input({ shape: [null, STEP_FEATURES], name: 'steps' });
  const inputs = [tokens, steps];
  const vocabulary = numItems + TOKEN_OFFSET;
  const parts = [
    tfl.layers
      .embedding({ inputDim: vocabulary, outputDim: embeddingSize, name: 'item_embedding' })
      .apply(tokens),
  ] as tfl.SymbolicTensor[];
  if (contentSize > 0) {
    const content = tfl.layers.embedding({
      inputDim: vocabulary,
      outputDim: contentSize,
      trainable: false,
      name: 'content_features',
    });
    // Content rows can be wide (hundreds of genre, people and text columns): a learned projection keeps the
    // recurrent input small.
    const projected = tfl.layers
      .dense({ units: Math.min(contentSize, CONTENT_PROJECTION), name: 'content_projection' })
      .apply(content.apply(tokens) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    parts.push(projected);
  }
  parts.push(steps);
  let x = tfl.layers.concatenate({ name: 'step_input' }).apply(parts) as tfl.SymbolicTensor;
  let initialState: tfl.SymbolicTensor[] | undefined;
  for (let l = 0; l < layers; l++) {
    const cell = createCell(config.cell, {
      units: hiddenSize,
      recurrentActivation: config.recurrentActivation,
      dropout: config.dropout ?? 0,
      recurrentDropout: config.recurrentDropout ?? 0,
      name: `cell_${l}`,
    });
    if (l === 0 && profileSize > 0) {
      const profile = tfl.input({ shape: [profileSize], name: 'profile' });
      inputs.push(profile);
      initialState = Array.from(
        { length: stateCount(cell as unknown as { stateSize: number | number[] }) },
        (_, i) =>
          tfl.layers
            .dense({ units: hiddenSize, activation: i === 0 ? 'tanh' : 'linear', name: `initial_state_${i}` })
            .apply(profile) as tfl.SymbolicTensor,
      );
    }
    const rnn = tfl.layers.rnn({ cell, returnSequences: true, name: `rnn_${l}` });
    x = rnn.apply(x, l === 0 && initialState ? { initialState } : undefined) as tfl.SymbolicTensor;
  }
  const ranking = tfl.layers.dense({ units: numItems, name: 'ranking_head' }).apply(x) as tfl.SymbolicTensor;
  const rating = tfl.layers
    .dense({ units: numItems, activation: 'sigmoid', name: 'rating_head' })
    .apply(x) as tfl.SymbolicTensor;
  const outputs = [ranking, rating];
  if (config.tasteHead) {
    outputs.push(tfl.layers.dense({ units: numItems, name: 'taste_head' }).apply(x) as tfl.SymbolicTensor);
  }
  if (hasHistoryPath(config)) {
    const history = tfl.input({ shape: [numItems], name: 'history' });
    inputs.push(history);
    if ((config.historySize ?? 0) > 0) {
      const encoded = tfl.layers
        .dense({ units: config.historySize!, activation: 'tanh', name: 'history_encoder' })
        .apply(history) as tfl.SymbolicTensor;
      outputs.push(
        tfl.layers
          .dense({ units: numItems, useBias: false, name: 'taste_history' })
          .apply(encoded) as tfl.SymbolicTensor,
      );
    }
    if (config.historyLinear) {
      outputs.push(
        tfl.layers
          .dense({
            units: numItems,
            useBias: false,
            name: 'history_items',
            trainable: config.historyLinearTrainable !== false,
          })
          .apply(history) as tfl.SymbolicTensor,
      );
    }
  }
  return tfl.model({ inputs, outputs, name: 'reelrec_sequence_rnn' });
}
