/**
 * Losses of the model heads, written for speed on tfjs's cpu and wasm backends.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy of integer targets, one value per row: `logSumExp(logits_i) − logits_i[target_i]`.
 *
 * Fused with its own gradient, `softmax(logits) − onehot(target)`: the composite (`tf.logSumExp` then a gather)
 * differentiates through `max` with an `Equal` mask over the whole logits matrix, which took 1.2 s of a 0.85 s
 * step on wasm. Targets are gathered from the flattened logits because wasm's `GatherV2` with `batchDims = 1`
 * reads out of bounds in tfjs 4.22.
 *
 * @param logits `[n, classes]`
 * @param targets `[n]` int32 class indices in [0, classes)
 * @returns `[n]` losses
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { softmaxCrossEntropy } from 'reelrec';
 * const logits = tf.tensor2d([[0, 0], [2, 0]]);
 * const loss = tf.tidy(() => softmaxCrossEntropy(logits, tf.tensor1d([0, 1], 'int32')));
 * console.log(loss.dataSync()); // [log 2 ≈ 0.693, log(e² + 1) − 0 ≈ 2.127]
 * tf.dispose([logits, loss]);
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return fusedSoftmaxCrossEntropy(logits, targets) as tf.Tensor1D;
}

const fusedSoftmaxCrossEntropy = tf.customGrad(((
  logits: tf.Tensor,
  targets: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  const [n, classes] = logits.shape as [number, number];
  const shifted = tf.sub(logits, tf.max(logits, 1, true));
  const expShifted = tf.exp(shifted);
  const sumExp = tf.sum(expShifted, 1, true);
  const probabilities = tf.div(expShifted, sumExp);
  const flatIndex = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(classes, 'int32')), targets);
  const targetLogit = tf.gather(tf.reshape(shifted, [-1]), flatIndex);
  const value = tf.sub(tf.reshape(tf.log(sumExp), [-1]), targetLogit);
  save([probabilities, targets]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [p, t] = saved as [tf.Tensor2D, tf.Tensor1D];
      const grad = tf.mul(tf.sub(p, tf.oneHot(t, classes)), tf.reshape(dy, [-1, 1]));
      return [grad, tf.zerosLike(t)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (logits: tf.Tensor, targets: tf.Tensor) => tf.Tensor;

/**
 * Mean of `(predicted − target)²` over the entries where `mask` is 1; 0 when the mask is empty.
 *
 * @param predicted `[n]`
 * @param target `[n]`
 * @param mask `[n]` of 0 / 1
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { maskedMeanSquaredError } from 'reelrec';
 * const mse = tf.tidy(() =>
 *   maskedMeanSquaredError(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 4, 0]), tf.tensor1d([1, 1, 0])),
 * );
 * console.log(mse.dataSync()[0]); // (0² + 2²) / 2 = 2; the third entry is masked out
 * mse.dispose();
 * ```
 */
export function maskedMeanSquaredError(
  predicted: tf.Tensor1D,
  target: tf.Tensor1D,
  mask: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    // wasm's Sum of an empty tensor returns uninitialised memory (tfjs 4.22), not 0.
    if (mask.size === 0) return tf.scalar(0);
    const se = tf.mul(tf.squaredDifference(predicted, target), mask);
    return tf.div(tf.sum(se), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
