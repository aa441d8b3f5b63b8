/**
 * Binary-classification metrics of the liked class (protocol C): precision, recall, F1, accuracy, ROC AUC,
 * and the threshold that maximises F1 on a validation slice.
 *
 * Labels are `true`/`false` or `1`/`0`; anything else throws a {@link ConfigError}, as do arrays of different
 * lengths. With no predicted positives precision is `0`; with no actual positives recall is `0` (the
 * "zero division gives 0" convention), so F1 is then `0` too.
 *
 * @module
 */
import { ConfigError } from '../../errors';
import { checkAligned } from './rating';

/** A binary label: `true`/`1` for the positive (liked) class. */
export type BinaryLabel = boolean | 0 | 1;

/** What {@link metrics | metrics.classificationReport} returns. */
export interface ClassificationReport {
  /** tp / (tp + fp); 0 when nothing was predicted positive. */
  precision: number;
  /** tp / (tp + fn); 0 when there is no positive. */
  recall: number;
  /** 2·tp / (2·tp + fp + fn); 0 when tp = 0. */
  f1: number;
  /** (tp + tn) / n; `NaN` for empty input. */
  accuracy: number;
  /** True positives: predicted positive, labelled positive. */
  tp: number;
  /** False positives: predicted positive, labelled negative. */
  fp: number;
  /** True negatives: predicted negative, labelled negative. */
  tn: number;
  /** False negatives: predicted negative, labelled positive. */
  fn: number;
  /** Number of actual positives (tp + fn). */
  support: number;
  /** Number of examples. */
  count: number;
}

/**
 * Precision, recall, F1 and accuracy of binary predictions against binary labels (positive class = `true`/1).
 *
 * @throws {ConfigError} when the arrays differ in length or hold a value that is not a binary label.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * const r = metrics.classificationReport([1, 1, 0, 0], [1, 0, 1, 0]);
 * console.log(r.precision, r.recall, r.f1); // 0.5 0.5 0.5  (tp 1, fp 1, fn 1, tn 1)
 * ```
 */
export function classificationReport(
  predictedLabels: ArrayLike<BinaryLabel>,
  labels: ArrayLike<BinaryLabel>,
): ClassificationReport {
  checkAligned(predictedLabels, labels, ['predictedLabels', 'labels']);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = asBool(predictedLabels[i], 'predictedLabels', i);
    const y = asBool(labels[i], 'labels', i);
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  }
  const n = labels.length;
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    f1: tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
    accuracy: n > 0 ? (tp + tn) / n : Number.NaN,
    tp,
    fp,
    tn,
    fn,
    support: tp + fn,
    count: n,
  };
}

/**
 * Area under the ROC curve of `scores` for `labels`, by the Mann–Whitney U statistic: rank all scores
 * ascending, give tied scores the average of their ranks, then
 * AUC = (Σ ranks of positives − P(P + 1)/2) / (P·N). Ties between a positive and a negative thus count one
 * half. `NaN` when either class is absent (the AUC is undefined).
 *
 * @throws {ConfigError} when the arrays differ in length, a score is `NaN`, or a label is not binary.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * // ranks ascending: 0.1→1, 0.4→2.5, 0.4→2.5, 0.8→4; positives at 0.4 and 0.8: (2.5 + 4 − 3) / (2·2) = 0.875
 * metrics.rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]);
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<BinaryLabel>): number {
  checkAligned(scores, labels, ['scores', 'labels']);
  const n = scores.length;
  const order = new Array<number>(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) throw new ConfigError(`scores[${i}]`, 'a number', Number.NaN);
    if (asBool(labels[i], 'labels', i)) positives++;
    order[i] = i;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    // 1-based ranks i+1 … j+1 share their average.
    const avg = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) if (asBool(labels[order[t]!], 'labels', order[t]!)) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The threshold t that maximises F1 when "score ≥ t" predicts the positive class, searched over every distinct
 * score. Among equal F1 values the highest threshold wins (the first found sweeping from the top). With no
 * positive label (or no score) nothing should be predicted positive: `{ threshold: Infinity, f1: 0 }`.
 *
 * @throws {ConfigError} when the arrays differ in length, a score is `NaN`, or a label is not binary.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * // t = 4.5: tp 1, fp 0, fn 1 → F1 2/3; t = 3.8: tp 2, fp 0 → F1 1; t = 2.1: tp 2, fp 1 → 0.8
 * metrics.bestF1Threshold([4.5, 3.8, 2.1], [1, 1, 0]); // { threshold: 3.8, f1: 1 }
 * ```
 */
export function bestF1Threshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<BinaryLabel>,
): {
  /** The best threshold (`Infinity` when there is no positive label). */
  threshold: number;
  /** The F1 reached with it. */
  f1: number;
} {
  checkAligned(scores, labels, ['scores', 'labels']);
  const n = scores.length;
  let positives = 0;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) throw new ConfigError(`scores[${i}]`, 'a number', Number.NaN);
    if (asBool(labels[i], 'labels', i)) positives++;
    order[i] = i;
  }
  if (positives === 0) return { threshold: Number.POSITIVE_INFINITY, f1: 0 };
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  let best = { threshold: Number.POSITIVE_INFINITY, f1: 0 };
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    const t = scores[order[i]!]!;
    // Take every example scoring exactly t: all are predicted positive at threshold t.
    while (i < n && scores[order[i]!] === t) {
      if (asBool(labels[order[i]!], 'labels', order[i]!)) tp++;
      else fp++;
      i++;
    }
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (f1 > best.f1) best = { threshold: t, f1 };
  }
  return best;
}

function asBool(value: unknown, name: string, index: number): boolean {
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  throw new ConfigError(`${name}[${index}]`, 'a binary label: true, false, 1 or 0', value);
}
