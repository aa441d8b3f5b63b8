import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; tfjs-layers registers them on import (as in the library, where
// the model module imports it).
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import {
  bprLoss,
  maskedMeanSquaredError,
  type SampledScores,
  sampledScores,
  sampledSoftmaxLoss,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithWeights,
} from '../../src/model/losses';

const LOGITS = [
  [1, 2, 3],
  [2, 0, -1],
];
const TARGETS = [2, 0];

// The sampled losses' fixture: 2 positions, 4 items, hidden size 2.
const HIDDEN = [
  [1, 0],
  [0.5, -1],
];
const ROWS = [
  [1, 0],
  [0, 1],
  [-1, 1],
  [2, 0.5],
];
const BIAS = [0, 0.1, -0.2, 0.3];
const S_TARGETS = Int32Array.of(0, 2);
// Item 2 is position 1's own target: an accidental hit there.
const NEGATIVES = Int32Array.of(1, 2, 3);
// log(s·Q(i)) per item, chosen by hand.
const LOG_Q = [0.2, -0.1, 0.3, -0.5];
const TARGET_LOG_Q = Float32Array.from(S_TARGETS, (i) => LOG_Q[i]!);
const NEGATIVE_LOG_Q = Float32Array.from(NEGATIVES, (i) => LOG_Q[i]!);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]!).toBeCloseTo(expected[i]!, digits);
}

describe.each(['cpu', 'wasm'] as const)('losses on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe('softmaxCrossEntropyWithWeights (the taste objective)', () => {
    // logits [[1, 2, 3], [0, 0, 0]]; weights [[0.5, 0, 0.5], [0, 1, 0]].
    // Row 0: lse = 3 + ln(e⁻² + e⁻¹ + 1) = 3.4076060; Σ w·z = 0.5·1 + 0.5·3 = 2; loss = 1.4076060
    // Row 1: lse = ln 3 = 1.0986123; Σ w·z = 0; loss = 1.0986123 (the one-hot case: plain cross-entropy)
    const logits = [
      [1, 2, 3],
      [0, 0, 0],
    ];
    const weights = [
      [0.5, 0, 0.5],
      [0, 1, 0],
    ];

    it('equals logSumExp(row) − Σ w·row, computed by hand', () => {
      const before = tf.memory().numTensors;
      const values = tf.tidy(() =>
        softmaxCrossEntropyWithWeights(tf.tensor2d(logits), tf.tensor2d(weights)).dataSync().slice(),
      );
      expectClose(values, [1.407606, 1.0986123], 5);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('has the gradient softmax − w (rows whose weights sum to 1)', () => {
      const grads = tf.tidy(() => {
        const w = tf.tensor2d(weights);
        const g = tf.grad((z: tf.Tensor) => tf.sum(softmaxCrossEntropyWithWeights(z as tf.Tensor2D, w)));
        return g(tf.tensor2d(logits)).dataSync().slice();
      });
      const softmax = logits.map((row) => {
        const e = row.map((v) => Math.exp(v));
        const total = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / total);
      });
      const expected = softmax.flatMap((row, i) => row.map((p, j) => p - weights[i]![j]!));
      expectClose(grads, expected, 5);
    });

    it('equals softmaxCrossEntropy for one-hot weights', () => {
      const [a, b] = tf.tidy(() => [
        softmaxCrossEntropyWithWeights(tf.tensor2d([[0.3, -1, 2]]), tf.tensor2d([[0, 0, 1]])).dataSync()[0]!,
        softmaxCrossEntropy(tf.tensor2d([[0.3, -1, 2]]), tf.tensor1d([2], 'int32')).dataSync()[0]!,
      ]);
      expect(a).toBeCloseTo(b, 5);
    });
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

  describe('sampledScores', () => {
    it('scores targets and negatives as h · w_i + b_i and marks accidental hits', () => {
      // Position 0, h = [1, 0]:    s = [1·1 + 0, 0 + 0.1, −1 − 0.2, 2 + 0.3]          = [1, 0.1, −1.2, 2.3]
      // Position 1, h = [0.5, −1]: s = [0.5 + 0, −1 + 0.1, −0.5 − 1 − 0.2, 1 − 0.5 + 0.3] = [0.5, −0.9, −1.7, 0.8]
      // Targets 0 and 2 → positive = [1, −1.7]; negatives 1, 2, 3 → rows [0.1, −1.2, 2.3] and [−0.9, −1.7, 0.8].
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => {
        const s = sampledScores(
          tf.tensor2d(HIDDEN),
          tf.tensor2d(ROWS),
          tf.tensor1d(BIAS),
          S_TARGETS,
          NEGATIVES,
        );
        expect(s.positive.shape).toEqual([2]);
        expect(s.negative.shape).toEqual([2, 3]);
        expect(s.hits.shape).toEqual([2, 3]);
        return {
          positive: s.positive.dataSync().slice(),
          negative: s.negative.dataSync().slice(),
          hits: Array.from(s.hits.dataSync()),
        };
      });
      expectClose(got.positive, [1, -1.7], 6);
      expectClose(got.negative, [0.1, -1.2, 2.3, -0.9, -1.7, 0.8], 6);
      expect(got.hits).toEqual([0, 0, 0, 0, 1, 0]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('bprLoss and sampledSoftmaxLoss', () => {
    /** The fixture's scores (call inside tf.tidy). */
    const fixtureScores = (hits?: number[][]): SampledScores => {
      const s = sampledScores(
        tf.tensor2d(HIDDEN),
        tf.tensor2d(ROWS),
        tf.tensor1d(BIAS),
        S_TARGETS,
        NEGATIVES,
      );
      return hits ? { ...s, hits: tf.tensor2d(hits) } : s;
    };

    it('BPR is the mean of softplus(s_neg − s_pos) over the pairs that are not hits', () => {
      // Pairs (s_neg − s_pos): position 0 (s_pos = 1): 0.1 − 1 = −0.9, −1.2 − 1 = −2.2, 2.3 − 1 = 1.3;
      //   position 1 (s_pos = −1.7): −0.9 + 1.7 = 0.8, (item 2 is the target: a hit, left out), 0.8 + 1.7 = 2.5.
      // softplus = ln(1 + eˣ): 0.3411538747, 0.1050833198, 1.5410084538, 1.1711006659, 2.5788897343
      // mean over 5 pairs = 5.7372360485 / 5 = 1.1474472097
      const before = tf.memory().numTensors;
      const value = tf.tidy(() => bprLoss(fixtureScores()).dataSync()[0]!);
      expect(value).toBeCloseTo(1.1474472097, 5);
      // Counting the hit as a pair would add softplus(0) = ln 2 and divide by 6: 6.4303832291 / 6 = 1.0717305382.
      const withHit = tf.tidy(
        () =>
          bprLoss(
            fixtureScores([
              [0, 0, 0],
              [0, 0, 0],
            ]),
          ).dataSync()[0]!,
      );
      expect(withHit).toBeCloseTo(1.0717305382, 5);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('sampled softmax is the log-Q-corrected cross-entropy of the target among the non-hit negatives', () => {
      // Corrected logits s − log(s·Q): position 0: target 1 − 0.2 = 0.8; negatives 0.1 + 0.1 = 0.2,
      //   −1.2 − 0.3 = −1.5, 2.3 + 0.5 = 2.8 → Z₀ = e^0.8 + e^0.2 + e^−1.5 + e^2.8 = 20.1147206179;
      //   loss₀ = ln Z₀ − 0.8 = 2.2014519161.
      // Position 1: target −1.7 − 0.3 = −2; negatives −0.9 + 0.1 = −0.8, (hit: out), 0.8 + 0.5 = 1.3
      //   → Z₁ = e^−2 + e^−0.8 + e^1.3 = 4.2539609150; loss₁ = ln Z₁ + 2 = 3.4478505289.
      // mean = (2.2014519161 + 3.4478505289) / 2 = 2.8246512225
      const before = tf.memory().numTensors;
      const value = tf.tidy(
        () => sampledSoftmaxLoss(fixtureScores(), TARGET_LOG_Q, NEGATIVE_LOG_Q).dataSync()[0]!,
      );
      expect(value).toBeCloseTo(2.8246512225, 5);
      // Counting the hit would add e^(−1.7 − 0.3) to Z₁: ln(4.2539609150 + 0.1353352832) + 2 = 3.4791688949,
      //   mean (2.2014519161 + 3.4791688949) / 2 = 2.8403104055.
      const withHit = tf.tidy(
        () =>
          sampledSoftmaxLoss(
            fixtureScores([
              [0, 0, 0],
              [0, 0, 0],
            ]),
            TARGET_LOG_Q,
            NEGATIVE_LOG_Q,
          ).dataSync()[0]!,
      );
      expect(withHit).toBeCloseTo(2.8403104055, 5);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('are 0 when every negative is a hit (nothing to rank against)', () => {
      // One position, target 1, the only negative is item 1: BPR has no pair (0 / max(0, 1) = 0); the sampled
      // softmax has the target alone: ln e^s − s = 0.
      const [bpr, softmax] = tf.tidy(() => {
        const s = sampledScores(
          tf.tensor2d([[1, 2]]),
          tf.tensor2d(ROWS),
          tf.tensor1d(BIAS),
          Int32Array.of(1),
          Int32Array.of(1),
        );
        return [
          bprLoss(s).dataSync()[0]!,
          sampledSoftmaxLoss(s, Float32Array.of(0.3), Float32Array.of(0.3)).dataSync()[0]!,
        ];
      });
      expect(bpr).toBe(0);
      expect(softmax).toBeCloseTo(0, 6);
    });

    /** The one-hot rows of `ids`: `[ids.length, items]`. */
    const oneHot = (ids: Int32Array) => tf.oneHot(tf.tensor1d(ids, 'int32'), ROWS.length);
    /** Straightforward scores: all item scores, then picked by one-hot products. */
    const compositeScores = (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => {
      const all = tf.add(tf.matMul(h, r, false, true), b); // [2, 4]
      return {
        positive: tf.sum(tf.mul(all, oneHot(S_TARGETS)), 1), // [2]
        negative: tf.matMul(all, oneHot(NEGATIVES), false, true), // [2, 3]
        valid: tf.tensor2d([
          [1, 1, 1],
          [1, 0, 1],
        ]),
      };
    };
    const compositeBpr = (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => {
      const { positive, negative, valid } = compositeScores(h, r, b);
      const softplus = tf.log(tf.add(1, tf.exp(tf.sub(negative, tf.expandDims(positive, 1)))));
      return tf.div(tf.sum(tf.mul(softplus, valid)), tf.sum(valid)) as tf.Scalar;
    };
    const compositeSampledSoftmax = (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => {
      const { positive, negative, valid } = compositeScores(h, r, b);
      const target = tf.sub(positive, tf.tensor1d(TARGET_LOG_Q)); // [2]
      const others = tf.sub(negative, tf.tensor2d(NEGATIVE_LOG_Q, [1, 3])); // [2, 3]
      const z = tf.add(tf.exp(target), tf.sum(tf.mul(tf.exp(others), valid), 1));
      return tf.mean(tf.sub(tf.log(z), target)) as tf.Scalar;
    };

    it.each([
      [
        'bprLoss',
        (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          bprLoss(sampledScores(h as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D, S_TARGETS, NEGATIVES)),
        compositeBpr,
        // ∂L/∂b = (1/5) Σ_pairs σ(s_neg − s_pos)·(e_neg − e_pos), with σ(−0.9) = 0.2890504974,
        //   σ(−2.2) = 0.0997504891, σ(1.3) = 0.7858349830, σ(0.8) = 0.6899744811, σ(2.5) = 0.9241418200:
        //   b₀ = −(0.2890505 + 0.0997505 + 0.7858350) / 5, b₁ = (0.2890505 + 0.6899745) / 5,
        //   b₂ = (0.0997505 − 0.6899745 − 0.9241418) / 5, b₃ = (0.7858350 + 0.9241418) / 5
        [-0.2349271939, 0.1958049957, -0.3028731624, 0.3419953606],
      ],
      [
        'sampledSoftmaxLoss',
        (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          sampledSoftmaxLoss(
            sampledScores(h as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D, S_TARGETS, NEGATIVES),
            TARGET_LOG_Q,
            NEGATIVE_LOG_Q,
          ),
        compositeSampledSoftmax,
        // ∂L/∂b = (1/2) Σ_rows (p − onehot(target)), p the softmax of the corrected logits:
        //   row 0 over [t 0, 1, 2, 3] = [0.1106423982, 0.0607218356, 0.0110928789, 0.8175428873],
        //   row 1 over [t 2, 1, 3] = [0.0318139461, 0.1056260208, 0.8625600331]:
        //   b₀ = (0.1106424 − 1) / 2, b₁ = (0.0607218 + 0.1056260) / 2, b₂ = (0.0110929 + 0.0318139 − 1) / 2,
        //   b₃ = (0.8175429 + 0.8625600) / 2
        [-0.4446788009, 0.0831739282, -0.4785465875, 0.8400514602],
      ],
    ] as const)(
      '%s: gradients equal those of a straightforward composite, and the bias gradient by hand',
      (_, loss, composite, biasGradient) => {
        const before = tf.memory().numTensors;
        const [mine, reference] = tf.tidy(() => {
          const inputs = [tf.tensor2d(HIDDEN), tf.tensor2d(ROWS), tf.tensor1d(BIAS)];
          const f = (fn: (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => tf.Scalar) =>
            tf
              .grads((h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => fn(h, r, b))(inputs)
              .map((g) => Array.from(g.dataSync()));
          return [f(loss), f(composite)];
        });
        expect(mine.map((g) => g.length)).toEqual([4, 8, 4]);
        mine.forEach((g, i) => {
          expectClose(g, reference[i]!, 5);
        });
        expectClose(mine[2]!, biasGradient, 5);
        expect(tf.memory().numTensors).toBe(before);
      },
    );

    it.each([0, -1.3])(
      'with every item sampled once and log(s·Q) = %d for all (uniform Q), the sampled softmax IS the full softmax',
      (logQ) => {
        // Negatives = all 4 items, so each position's target is among them once as a hit and is removed: the
        // logits are [s_t, s_j for j ≠ t] − logQ, a permutation of the full logits shifted by one constant, and
        // cross-entropy is shift-invariant. (logQ = 0 is exactly uniform Q with s = 4 draws: log(4 · ¼) = 0.)
        // Full logits (see sampledScores above): row 0 [1, 0.1, −1.2, 2.3], target 0:
        //   ln(e¹ + e^0.1 + e^−1.2 + e^2.3) − 1 = ln 14.0988294133 − 1 = 1.6460917736;
        //   row 1 [0.5, −0.9, −1.7, 0.8], target 2: ln 4.4635153830 + 1.7 = 3.1959366580;
        //   mean = 2.4210142158
        const all = Int32Array.of(0, 1, 2, 3);
        const before = tf.memory().numTensors;
        const { sampled, full, sampledGrads, fullGrads } = tf.tidy(() => {
          const inputs = [tf.tensor2d(HIDDEN), tf.tensor2d(ROWS), tf.tensor1d(BIAS)];
          const sampledFn = (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
            sampledSoftmaxLoss(
              sampledScores(h as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D, S_TARGETS, all),
              Float32Array.of(logQ, logQ),
              new Float32Array(4).fill(logQ),
            );
          const fullFn = (h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
            tf.mean(
              softmaxCrossEntropy(
                tf.add(tf.matMul(h, r, false, true), b) as tf.Tensor2D,
                tf.tensor1d(S_TARGETS, 'int32'),
              ),
            ) as tf.Scalar;
          const grads = (fn: typeof fullFn) =>
            tf
              .grads((h: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => fn(h, r, b))(inputs)
              .map((g) => Array.from(g.dataSync()));
          return {
            sampled: sampledFn(inputs[0]!, inputs[1]!, inputs[2]!).dataSync()[0]!,
            full: fullFn(inputs[0]!, inputs[1]!, inputs[2]!).dataSync()[0]!,
            sampledGrads: grads(sampledFn),
            fullGrads: grads(fullFn),
          };
        });
        expect(full).toBeCloseTo(2.4210142158, 5);
        expect(sampled).toBeCloseTo(full, 5);
        sampledGrads.forEach((g, i) => {
          expectClose(g, fullGrads[i]!, 5);
        });
        expect(tf.memory().numTensors).toBe(before);
      },
    );
  });
});
