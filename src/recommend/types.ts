/**
 * The contract every scoring model honours — the RNN pipeline and every baseline — so the Evaluator runs them
 * all through one code path.
 *
 * @module
 */
import type { Dataset, User } from '../data/types';

/** One step of a user's history. */
export interface HistoryItem {
  movieId: number;
  /** The user's rating of it, on the data set's scale; absent for implicit feedback. */
  rating?: number;
  /** Unix seconds; absent when unknown. */
  timestamp?: number;
}

/**
 * What is known about a user at scoring time: their history in time order (oldest first) and, optionally,
 * who they are. A known `userId` lets a model use what it learned about the user; a history alone (or
 * demographics alone) is the cold-start path.
 */
export interface UserHistory {
  userId?: number;
  items: readonly HistoryItem[];
  /** Demographics, for cold start. */
  user?: Partial<Omit<User, 'id'>>;
}

/** What one epoch of training reports. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Validation loss, when a validation set was used. */
  valLoss?: number;
  /** Validation metrics by name, e.g. `{ 'NDCG@10': 0.08 }`. */
  metrics?: Record<string, number>;
  /** Training positions (predicted steps) per second during this epoch. */
  positionsPerSecond?: number;
  /** Wall-clock seconds this epoch took. */
  seconds: number;
}

/** Options every `fit` accepts. */
export interface FitOptions {
  /** Called after each epoch. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Called after each batch with the batch's loss and progress through the epoch in [0, 1]. */
  onBatchEnd?: (info: { epoch: number; batch: number; batches: number; loss: number }) => void;
  /** Stops training cleanly; the model keeps the best weights seen so far. */
  signal?: AbortSignal;
}

/** What `fit` returns. */
export interface FitSummary {
  /** Epochs run. */
  epochs: number;
  /** The epoch whose weights were kept (early stopping), 1-based; equals `epochs` without early stopping. */
  bestEpoch: number;
  /** One entry per epoch. */
  history: EpochLog[];
  /** True when training stopped because of the abort signal. */
  aborted: boolean;
  /** Wall-clock seconds. */
  seconds: number;
}

/**
 * A model that can be trained on a data set and can score movies for users. The RNN pipeline and every
 * baseline implement it.
 *
 * @example
 * ```ts
 * import type { Scorer, UserHistory } from 'reelrec';
 * async function topMovie(model: Scorer, history: UserHistory, candidates: number[]): Promise<number> {
 *   const [scores] = await model.score([history], candidates);
 *   let best = 0;
 *   for (let i = 1; i < candidates.length; i++) if (scores![i]! > scores![best]!) best = i;
 *   return candidates[best]!;
 * }
 * ```
 */
export interface Scorer {
  /** Short name used in reports, e.g. `'lstm'`, `'popularity'`. */
  readonly name: string;
  /** `'model'` for reelrec's models, `'baseline'` for reference methods. */
  readonly kind: 'model' | 'baseline';
  /** Trains on `train`. Calling `fit` again retrains from scratch. */
  fit(train: Dataset, options?: FitOptions): Promise<FitSummary>;
  /**
   * Scores `candidates` (movie ids) for each history: higher is better. Returns one array per history, aligned
   * with `candidates`. Movies the model cannot score get `-Infinity`.
   */
  score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]>;
  /**
   * Predicted ratings on the data set's scale: for each history, one prediction per movie id in `movieIds[i]`.
   * Absent on ranking-only models.
   */
  predictRatings?(
    histories: readonly UserHistory[],
    movieIds: readonly (readonly number[])[],
  ): Promise<number[][]>;
  /** Frees any tensors the model holds. */
  dispose(): void;
}
