/**
 * The contract every scoring model honours — the RNN pipeline and every baseline — so the Evaluator runs them
 * all through one code path.
 *
 * @module
 */
import type { Dataset, UserHistory } from '../data/types';
import type { FitOptions, FitSummary } from '../training/types';

export type { HistoryItem, UserHistory } from '../data/types';
export type { EpochLog, FitOptions, FitSummary } from '../training/types';

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
