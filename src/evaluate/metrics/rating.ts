/**
 * Rating-prediction error metrics. Both take two aligned arrays; different lengths throw a {@link ConfigError};
 * empty arrays give `NaN` (an error of nothing is undefined, and `NaN` cannot be mistaken for a good score).
 *
 * @module
 */
import { ConfigError } from '../../errors';

/**
 * Root mean squared error: sqrt(Σ (predicted − actual)² / n).
 *
 * @throws {ConfigError} when the arrays differ in length.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.rmse([3, 4], [4, 4]); // sqrt((1 + 0) / 2) ≈ 0.707
 * ```
 */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkAligned(predicted, actual);
  const n = predicted.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i]! - actual[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}

/**
 * Mean absolute error: Σ |predicted − actual| / n.
 *
 * @throws {ConfigError} when the arrays differ in length.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.mae([3, 4], [4, 4.5]); // (1 + 0.5) / 2 = 0.75
 * ```
 */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkAligned(predicted, actual);
  const n = predicted.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / n;
}

/**
 * Throws a {@link ConfigError} when two arrays that must be aligned differ in length.
 *
 * @internal
 * @example
 * ```ts
 * checkAligned([1, 2], [3, 4]); // ok
 * ```
 */
export function checkAligned(
  first: ArrayLike<unknown>,
  second: ArrayLike<unknown>,
  names: [string, string] = ['predicted', 'actual'],
): void {
  if (first.length !== second.length) {
    throw new ConfigError(
      names[0],
      `an array as long as ${names[1]} (${second.length} entries)`,
      `${first.length} entries`,
    );
  }
}
