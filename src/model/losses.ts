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

/** Scores of each position's target and of the batch's shared negatives, with the accidental-hit mask. */
export interface SampledScores {
  /** `[n]` score of each target. */
  positive: tf.Tensor1D;
  /** `[n, s]` score of each negative at each position. */
  negative: tf.Tensor2D;
  /** `[n, s]` 1 where a negative is the position's own target (an accidental hit), else 0. */
  hits: tf.Tensor2D;
}

/**
 * Scores for the sampled losses: `s(i) = h · w_i + b_i` for each position's target and for every negative, where
 * `w_i` is row i of `rows` (the ranking head's kernel transposed, `[items, hidden]`). Call inside `tf.tidy`.
 *
 * @param hidden `[n, hidden]` states of the positions with a loss.
 * @param rows `[items, hidden]`.
 * @param bias `[items]`.
 * @param targets each position's target item.
 * @param negatives the negatives shared by the batch.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { bprLoss, sampledScores } from 'reelrec';
 * const loss = tf.tidy(() => {
 *   const scores = sampledScores(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0], [0, 1], [2, 0]]), tf.zeros([3]), Int32Array.of(0), Int32Array.of(1, 2));
 *   return bprLoss(scores).dataSync()[0];
 * });
 * ```
 */
export function sampledScores(
  hidden: tf.Tensor2D,
  rows: tf.Tensor2D,
  bias: tf.Tensor1D,
  targets: Int32Array,
  negatives: Int32Array,
): SampledScores {
  const n = targets.length;
  const s = negatives.length;
  const hits = new Float32Array(n * s);
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    for (let j = 0; j < s; j++) if (negatives[j] === t) hits[i * s + j] = 1;
  }
  const targetIds = tf.tensor1d(targets, 'int32');
  const negativeIds = tf.tensor1d(negatives, 'int32');
  return {
    positive: tf.add(
      tf.sum(tf.mul(hidden, tf.gather(rows, targetIds)), 1),
      tf.gather(bias, targetIds),
    ) as tf.Tensor1D,
    negative: tf.add(
      tf.matMul(hidden, tf.gather(rows, negativeIds), false, true),
      tf.gather(bias, negativeIds),
    ) as tf.Tensor2D,
    hits: tf.tensor2d(hits, [n, s]),
  };
}

/**
 * Bayesian personalised ranking: the mean over (position, negative) pairs that are not accidental hits of
 * `−log σ(s_target − s_negative)`, computed as `softplus(s_negative − s_target)` (tfjs's `logSigmoid` gradient
 * reads its input after a `tidy` has freed it).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { bprLoss } from 'reelrec';
 * // one position, target score 2, negatives 0 and 2: (softplus(−2) + softplus(0)) / 2
 * const value = tf.tidy(() => bprLoss({ positive: tf.tensor1d([2]), negative: tf.tensor2d([[0, 2]]), hits: tf.zeros([1, 2]) }).dataSync()[0]);
 * ```
 */
export function bprLoss(scores: SampledScores): tf.Scalar {
  return tf.tidy(() => {
    const valid = tf.sub(1, scores.hits);
    const pairs = tf.mul(tf.softplus(tf.sub(scores.negative, tf.expandDims(scores.positive, 1))), valid);
    return tf.div(tf.sum(pairs), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
  });
}

/**
 * Sampled softmax with the log-Q correction (Jean et al. 2015; Yi et al. 2019): cross-entropy of the target
 * among itself and the batch's negatives, every score minus the log of its expected count under the proposal
 * (`log(s · Q(i))`), accidental hits removed. With every item sampled once and a constant log-Q it equals the full
 * softmax cross-entropy.
 *
 * @param targetLogQ `log(s · Q(target))` for each position.
 * @param negativeLogQ `log(s · Q(negative))` for each negative.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { sampledSoftmaxLoss } from 'reelrec';
 * const value = tf.tidy(() =>
 *   sampledSoftmaxLoss(
 *     { positive: tf.tensor1d([1]), negative: tf.tensor2d([[0, 1]]), hits: tf.zeros([1, 2]) },
 *     Float32Array.of(0),
 *     Float32Array.of(0, 0),
 *   ).dataSync()[0],
 * ); // log(e + 1 + e) − 1
 * ```
 */
export function sampledSoftmaxLoss(
  scores: SampledScores,
  targetLogQ: Float32Array,
  negativeLogQ: Float32Array,
): tf.Scalar {
  return tf.tidy(() => {
    const n = targetLogQ.length;
    const s = negativeLogQ.length;
    const positive = tf.sub(scores.positive, tf.tensor1d(targetLogQ));
    const negative = tf.add(
      tf.sub(scores.negative, tf.tensor2d(negativeLogQ, [1, s])),
      tf.mul(scores.hits, -1e9),
    );
    const logits = tf.concat([tf.expandDims(positive, 1), negative], 1) as tf.Tensor2D;
    return tf.mean(softmaxCrossEntropy(logits, tf.zeros([n], 'int32') as tf.Tensor1D)) as tf.Scalar;
  });
}

/**
 * Cross-entropy against a target distribution, one value per row: `logSumExp(logits_i) − Σ_j w_ij · logits_ij`
 * with each row of `weights` summing to 1 — the multinomial likelihood of a set of movies (Liang et al.'s
 * Mult-VAE objective) when the weights are `1 / |set|` on the set. Fused with its gradient, `softmax − w`.
 *
 * @param logits `[n, classes]`
 * @param weights `[n, classes]`, rows summing to 1 (a row of zeros gets no gradient; leave such rows out of a mean)
 * @returns `[n]` losses
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { softmaxCrossEntropyWithWeights } from 'reelrec';
 * // logits [0, 0]: logSumExp = ln 2; half the weight on each class: ln 2 − 0 = 0.693…
 * const loss = tf.tidy(() => softmaxCrossEntropyWithWeights(tf.tensor2d([[0, 0]]), tf.tensor2d([[0.5, 0.5]])).dataSync()[0]);
 * ```
 */
export function softmaxCrossEntropyWithWeights(logits: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor1D {
  return fusedWeightedCrossEntropy(logits, weights) as tf.Tensor1D;
}

const fusedWeightedCrossEntropy = tf.customGrad(((
  logits: tf.Tensor,
  weights: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  const shifted = tf.sub(logits, tf.max(logits, 1, true));
  const expShifted = tf.exp(shifted);
  const sumExp = tf.sum(expShifted, 1, true);
  const probabilities = tf.div(expShifted, sumExp);
  const value = tf.sub(tf.reshape(tf.log(sumExp), [-1]), tf.sum(tf.mul(shifted, weights), 1));
  save([probabilities, weights]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [p, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      // d/dlogits = (Σ_j w_ij) · softmax − w, and Σ_j w_ij is 1 (or 0 for an empty row).
      const mass = tf.sum(w, 1, true);
      return [tf.mul(tf.sub(tf.mul(p, mass), w), tf.reshape(dy, [-1, 1])), tf.zerosLike(w)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor;
