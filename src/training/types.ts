/**
 * What training reports and accepts: shared by the training loop, every model and every baseline.
 *
 * @module
 */

import type { RatingTable } from '../data/types';
import type { ColdItemsReport } from '../model/content-cold-start';

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
  /** The learning rate of the epoch's last optimizer step (it moves within an epoch under warm-up or cosine). */
  learningRate?: number;
}

/** Options every `fit` accepts. */
export interface FitOptions {
  /** Called after each epoch. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Called after each batch with the batch's loss and progress through the epoch in [0, 1]. */
  onBatchEnd?: (info: { epoch: number; batch: number; batches: number; loss: number }) => void;
  /** Stops training cleanly; the model keeps the best weights seen so far. */
  signal?: AbortSignal;
  /**
   * Held-out ratings (never test data) that a model may use for early stopping or model selection, e.g. the
   * protocol S validation item of each user. Models that do not use it ignore it.
   */
  validation?: RatingTable;
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
  /** What the run adjusted or noticed, in words (e.g. a batch size lowered to fit in memory). */
  notes?: string[];
  /** Content cold start of unrated movies (`model.contentColdStart`), when it ran. */
  coldMovies?: ColdItemsReport;
}
