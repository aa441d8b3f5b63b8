import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; tfjs-layers registers them on import (as in the library, where
// the model module imports it).
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { maskedMeanSquaredError, softmaxCrossEntropy } from '../../src/model/losses';

const LOGITS = [
  [1, 2, 3],
  [2, 0, -1],
];
const TARGETS = [2, 0];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]!).toBeCloseTo(expected[i]!, digits);
}

describe.each(['cpu', 'wasm'] as const)('losses on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe('softmaxCrossEntropy', () => {
    it('equals logSumExp(row) − row[target], computed by hand', () => {
      // Row 0: lse = 3 + ln(e⁻² + e⁻¹ + 1) = 3 + ln(1.5032147) = 3.4076060; loss = 3.4076060 − 3 = 0.4076060
      // Row 1: lse = 2 + ln(1 + e⁻² + e⁻³) = 2 + ln(1.1851222) = 2.1698460; loss = 2.1698460 − 2 = 0.1698460
      const byHand = LOGITS.map(
        (row, i) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[TARGETS[i]!]!,
      );
      expectClose(byHand, [0.4076059644, 0.1698460196], 9);
      const before = tf.memory().numTensors;
      const got = tf.tidy(() =>
        softmaxCrossEntropy(tf.tensor2d(LOGITS), tf.tensor1d(TARGETS, 'int32')).dataSync().slice(),
      );
      expectClose(got, byHand, 6);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('is stable for large logits', () => {
      const got = tf.tidy(() =>
        softmaxCrossEntropy(
          tf.tensor2d([
            [1000, 0, -1000],
            [1000, 0, -1000],
          ]),
          tf.tensor1d([0, 1], 'int32'),
        ).dataSync(),
      );
      // lse ≈ 1000 (e^(−1000) vanishes): losses 1000 − 1000 = 0 and 1000 − 0 = 1000
      expect(got[0]).toBeCloseTo(0, 5);
      expect(got[1]).toBeCloseTo(1000, 2);
    });

    it('its gradient equals the composite logSumExp − gather, and the analytic softmax − onehot', () => {
      // Per-row weights w make dy non-uniform: L = Σ_i w_i · ce_i.
      const w = [0.3, -1.5];
      const before = tf.memory().numTensors;
      const [fused, composite] = tf.tidy(() => {
        const targets = tf.tensor1d(TARGETS, 'int32');
        const wt = tf.tensor1d(w);
        const gFused = tf.grad((l: tf.Tensor) =>
          tf.sum(tf.mul(softmaxCrossEntropy(l as tf.Tensor2D, targets), wt)),
        )(tf.tensor2d(LOGITS));
        const gComposite = tf.grad((l: tf.Tensor) => {
          const picked = tf.sum(tf.mul(l, tf.oneHot(targets, 3)), 1);
          return tf.sum(tf.mul(tf.sub(tf.logSumExp(l, 1), picked), wt));
        })(tf.tensor2d(LOGITS));
        return [gFused.dataSync().slice(), gComposite.dataSync().slice()];
      });
      // ∂L/∂logits[i, j] = w_i · (softmax(row i)_j − [j = target_i])
      //   softmax(row 0) = [0.0900306, 0.2447285, 0.6652410]; row 0 target 2
      //   softmax(row 1) = [0.8437947, 0.1141952, 0.0420101]; row 1 target 0
      const analytic = [
        0.3 * 0.0900305732,
        0.3 * 0.2447284711,
        0.3 * (0.6652409558 - 1),
        -1.5 * (0.8437947345 - 1),
        -1.5 * 0.1141951994,
        -1.5 * 0.0420100661,
      ];
      expectClose(fused, analytic, 6);
      expectClose(composite, analytic, 6);
      expectClose(fused, composite, 6);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('maskedMeanSquaredError', () => {
    it('averages squared errors over the masked entries only', () => {
      // (0.5 − 1)² = 0.25 and (0.9 − 0.5)² = 0.16 are kept, (0.2 − 0)² is masked: (0.25 + 0.16) / 2 = 0.205
      const v = tf.tidy(() =>
        maskedMeanSquaredError(
          tf.tensor1d([0.5, 0.2, 0.9]),
          tf.tensor1d([1, 0, 0.5]),
          tf.tensor1d([1, 0, 1]),
        ).dataSync(),
      );
      expect(v[0]).toBeCloseTo(0.205, 6);
    });

    it('is 0 for an empty mask (and for no entries at all)', () => {
      const v = tf.tidy(() =>
        maskedMeanSquaredError(tf.tensor1d([0.5, 0.2]), tf.tensor1d([1, 0]), tf.tensor1d([0, 0])).dataSync(),
      );
      expect(v[0]).toBe(0);
      const none = tf.tidy(() =>
        maskedMeanSquaredError(tf.tensor1d([]), tf.tensor1d([]), tf.tensor1d([])).dataSync(),
      );
      expect(none[0]).toBe(0);
    });

    it('leaves no tensors behind', () => {
      const p = tf.tensor1d([0.5]);
      const before = tf.memory().numTensors;
      const v = maskedMeanSquaredError(p, p, p);
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([v, p]);
    });
  });
});
