import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; tfjs-layers registers them on import (as in the library, where
// the model module imports it).
import '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { installKernelOverrides, KERNEL_OVERRIDES } from '../../src/backend/kernels';
import { Rng } from '../../src/util/random';

/** Seeded values in [-1, 1). */
function randomValues(size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = 2 * rng.next() - 1;
  return out;
}

/** Plain-JS segment sum: out[ids[i], …] += x[i, …], ids outside [0, n) dropped. */
function segmentSumJs(x: Float32Array, ids: ArrayLike<number>, inner: number, n: number): Float64Array {
  const out = new Float64Array(n * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= n) continue;
    for (let j = 0; j < inner; j++) out[s * inner + j]! += x[i * inner + j]!;
  }
  return out;
}

/** Plain-JS batched matmul of row-major [batch, m, k] × [batch, k, n]. */
function matMulJs(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[t * m * k + i * k + p]! * b[t * k * n + p * n + j]!;
        out[t * m * n + i * n + j] = s;
      }
  return out;
}

/** Swaps the last two axes of a row-major [batch, r, c] array. */
function transposeJs(x: Float32Array, batch: number, r: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) out[t * r * c + j * r + i] = x[t * r * c + i * c + j]!;
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]!).toBeCloseTo(expected[i]!, digits);
}

describe.each(['cpu', 'wasm'] as const)('kernel overrides on %s', (backend) => {
  let startTensors = 0;

  beforeAll(async () => {
    await useBackend(backend);
    startTensors = tf.memory().numTensors;
  });

  afterAll(() => {
    // No test of this block leaves a tensor behind.
    expect(tf.memory().numTensors).toBe(startTensors);
  });

  it('are registered once: a second install does nothing', () => {
    expect(tf.getBackend()).toBe(backend);
    expect(KERNEL_OVERRIDES[backend]).toContain('UnsortedSegmentSum');
    expect(tf.getKernel('UnsortedSegmentSum', backend)).toBeDefined();
    expect(installKernelOverrides(backend)).toEqual([]);
  });

  describe('UnsortedSegmentSum', () => {
    // [rows, inner shape, numSegments]
    const shapes: Array<[number, number[], number]> = [
      [1, [1], 2],
      [7, [3], 5],
      [40, [16], 9],
      [12, [2, 3], 4],
      [25, [3, 4], 10],
    ];

    it.each(shapes)(
      'matches a JS loop and a one-hot matmul: %i rows of %j into %i segments',
      (rows, inner, n) => {
        const rng = new Rng(`uss:${rows}:${inner.join('x')}:${n}`);
        const width = inner.reduce((a, b) => a * b, 1);
        const xValues = randomValues(rows * width, rng);
        const ids = Int32Array.from({ length: rows }, () => rng.int(n));
        const before = tf.memory().numTensors;
        const [got, viaOneHot] = tf.tidy(() => {
          const x = tf.tensor(xValues, [rows, ...inner]);
          const segmentIds = tf.tensor1d(ids, 'int32');
          const out = tf.unsortedSegmentSum(x, segmentIds, n);
          expect(out.shape).toEqual([n, ...inner]);
          // Reference through other kernels: onehot(ids)ᵀ [n × rows] · x [rows × width].
          const ref = tf.matMul(tf.transpose(tf.oneHot(segmentIds, n)), tf.reshape(x, [rows, width]));
          return [out.dataSync().slice(), ref.dataSync().slice()];
        });
        const expected = segmentSumJs(xValues, ids, width, n);
        expectClose(got, expected);
        expectClose(viaOneHot, expected);
        expect(tf.memory().numTensors).toBe(before);
      },
    );

    it('drops ids out of range and negative ids', () => {
      // x rows 0..4 = [1,10], [2,20], [3,30], [4,40], [5,50]; ids 2, -1, 0, 3 (≥ 3 segments: dropped), 2.
      // segment 0 = row 2 = [3, 30]; segment 1 = nothing = [0, 0]; segment 2 = row 0 + row 4 = [6, 60].
      const x = tf.tensor2d([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
        [5, 50],
      ]);
      const ids = tf.tensor1d([2, -1, 0, 3, 2], 'int32');
      const out = tf.unsortedSegmentSum(x, ids, 3);
      expect(out.arraySync()).toEqual([
        [3, 30],
        [0, 0],
        [6, 60],
      ]);
      tf.dispose([x, ids, out]);
    });

    it('dropping matches the JS loop on seeded ids drawn from [-3, n + 3)', () => {
      const rng = new Rng('uss:out-of-range');
      const rows = 30;
      const n = 6;
      const xValues = randomValues(rows * 4, rng);
      const ids = Int32Array.from({ length: rows }, () => rng.int(n + 6) - 3);
      const got = tf.tidy(() =>
        tf
          .unsortedSegmentSum(tf.tensor2d(xValues, [rows, 4]), tf.tensor1d(ids, 'int32'), n)
          .dataSync()
          .slice(),
      );
      expectClose(got, segmentSumJs(xValues, ids, 4, n));
    });

    it('empty ids give zeros of shape [numSegments, …]', () => {
      const out = tf.tidy(() =>
        tf.unsortedSegmentSum(tf.zeros([0, 3]), tf.tensor1d([], 'int32'), 4).arraySync(),
      ) as number[][];
      expect(out).toEqual([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]);
    });

    it('is the gradient of gather: d/dparams Σ gather(params, idx) ⊙ w is a scatter-add of w', () => {
      const rng = new Rng('uss:gather-grad');
      const vocab = 11;
      const dim = 5;
      const count = 17;
      const params = randomValues(vocab * dim, rng);
      const idx = Int32Array.from({ length: count }, () => rng.int(vocab));
      idx[3] = idx[0]!; // at least one repeated row, whose gradient must add up
      const w = randomValues(count * dim, rng);
      const before = tf.memory().numTensors;
      const grad = tf.tidy(() => {
        const wT = tf.tensor2d(w, [count, dim]);
        const idxT = tf.tensor1d(idx, 'int32');
        const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, idxT), wT)));
        return g(tf.tensor2d(params, [vocab, dim]))
          .dataSync()
          .slice();
      });
      // ∂/∂params[v, j] = Σ_{i : idx[i] = v} w[i, j]
      expectClose(grad, segmentSumJs(w, idx, dim, vocab));
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('BatchMatMul with transposed operands', () => {
    // [batch (0: 2-D), m, k, n]
    const cases: Array<[number, number, number, number]> = [
      [0, 3, 4, 5],
      [0, 7, 1, 6],
      [0, 16, 9, 12],
      [2, 3, 4, 5],
      [4, 6, 8, 3],
    ];

    it.each(cases)(
      'batch %i, [%i×%i]·[%i×…]: transposed operands equal explicitly transposed inputs, and the other backend',
      async (batch, m, k, n) => {
        const rng = new Rng(`bmm:${batch}:${m}:${k}:${n}`);
        const b = Math.max(1, batch);
        const a = randomValues(b * m * k, rng);
        const bb = randomValues(b * k * n, rng);
        // Operands stored transposed: aT is [k, m] per batch, bT is [n, k] per batch.
        const aT = transposeJs(a, b, m, k);
        const bT = transposeJs(bb, b, k, n);
        const lead = batch === 0 ? [] : [batch];
        const perm = batch === 0 ? [1, 0] : [0, 2, 1];
        const expected = matMulJs(a, bb, b, m, k, n);
        /** [A·B, Aᵀᵀ·B, A·Bᵀᵀ, Aᵀᵀ·Bᵀᵀ] with the transposes done by the kernel, and by explicit transposes. */
        const products = () =>
          tf.tidy(() => {
            const A = tf.tensor(a, [...lead, m, k]);
            const B = tf.tensor(bb, [...lead, k, n]);
            const AT = tf.tensor(aT, [...lead, k, m]);
            const BT = tf.tensor(bT, [...lead, n, k]);
            const byKernel = [
              tf.matMul(A, B),
              tf.matMul(AT, B, true, false),
              tf.matMul(A, BT, false, true),
              tf.matMul(AT, BT, true, true),
            ];
            for (const t of byKernel) expect(t.shape).toEqual([...lead, m, n]);
            const explicit = [
              tf.matMul(A, B),
              tf.matMul(tf.transpose(AT, perm), B),
              tf.matMul(A, tf.transpose(BT, perm)),
              tf.matMul(tf.transpose(AT, perm), tf.transpose(BT, perm)),
            ];
            return {
              byKernel: byKernel.map((t) => Array.from(t.dataSync())),
              explicit: explicit.map((t) => Array.from(t.dataSync())),
            };
          });
        const before = tf.memory().numTensors;
        const mine = products();
        expect(tf.memory().numTensors).toBe(before);
        // The same operand values reach the same untransposed kernel: identical numbers.
        expect(mine.byKernel).toEqual(mine.explicit);
        for (const r of mine.byKernel) expectClose(r, expected, 4);
        await useBackend(backend === 'cpu' ? 'wasm' : 'cpu');
        const other = products();
        await useBackend(backend);
        mine.byKernel.forEach((r, i) => {
          expectClose(r, other.byKernel[i]!, 4);
        });
      },
    );

    it('gives the same numbers on wasm as on cpu (gradients of a matmul use transposed operands)', async () => {
      const rng = new Rng('bmm:cpu-vs-wasm');
      const x = randomValues(6 * 4, rng);
      const w = randomValues(4 * 3, rng);
      const run = () =>
        tf.tidy(() => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))));
          const [ga, gb] = g([tf.tensor2d(x, [6, 4]), tf.tensor2d(w, [4, 3])]);
          return [ga!.dataSync().slice(), gb!.dataSync().slice()];
        });
      const mine = run();
      await useBackend(backend === 'cpu' ? 'wasm' : 'cpu');
      const other = run();
      await useBackend(backend);
      expectClose(mine[0]!, other[0]!, 4);
      expectClose(mine[1]!, other[1]!, 4);
    });
  });

  describe('Unpack', () => {
    it.each([0, 1, 2, -1])('unstacks a [4, 3, 5] tensor along axis %i like a JS reference', (axis) => {
      const shape = [4, 3, 5];
      const values = randomValues(60, new Rng(`unpack:${axis}`));
      const a = axis < 0 ? axis + 3 : axis;
      const parts = tf.tidy(() =>
        tf
          .unstack(tf.tensor3d(values, shape as [number, number, number]), axis)
          .map((t) => ({ shape: t.shape, data: t.dataSync().slice() })),
      );
      expect(parts).toHaveLength(shape[a]!);
      parts.forEach((part, j) => {
        expect(part.shape).toEqual(shape.filter((_, i) => i !== a));
        // Element (p, q) of output j is values at the index with j inserted at position a.
        const expected: number[] = [];
        for (let p = 0; p < part.shape[0]!; p++) {
          for (let q = 0; q < part.shape[1]!; q++) {
            const index = a === 0 ? [j, p, q] : a === 1 ? [p, j, q] : [p, q, j];
            expected.push(values[index[0]! * 15 + index[1]! * 5 + index[2]!]!);
          }
        }
        expectClose(part.data, expected, 6);
      });
    });

    it.each<[string, number[], number, number[][]]>([
      // [label, shape, axis, shape of each output] (count = shape[axis])
      ['no elements, along an axis of size 1', [0, 1], 1, [[0]]],
      [
        'no elements, along an axis of size 2',
        [2, 0, 3],
        0,
        [
          [0, 3],
          [0, 3],
        ],
      ],
      ['no elements, along the empty axis (no outputs)', [0, 3], 0, []],
    ])('unstacks a tensor with %s', (_, shape, axis, outShapes) => {
      const parts = tf.tidy(() =>
        tf.unstack(tf.zeros(shape), axis).map((t) => ({ shape: t.shape, size: t.dataSync().length })),
      );
      expect(parts.map((p) => p.shape)).toEqual(outShapes);
      for (const p of parts) expect(p.size).toBe(0);
    });

    it('unstacking along an axis of size 1 gives the tensor without that axis', () => {
      // [3, 1, 2] along axis 1: one [3, 2] output holding the same 6 values in order.
      const values = [1.5, -2, 3, 4.25, -5, 6];
      const [part, ...rest] = tf.tidy(() =>
        tf
          .unstack(tf.tensor3d(values, [3, 1, 2]), 1)
          .map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) })),
      );
      expect(rest).toHaveLength(0);
      expect(part!.shape).toEqual([3, 2]);
      expect(part!.data).toEqual(values);
    });

    it('unstacks int32 and bool tensors with their dtype and exact values', () => {
      // [[1, 2, 3], [4, 5, 6]] along axis 1 → columns [1, 4], [2, 5], [3, 6]; along axis 0 → the rows.
      const ints = tf.tidy(() =>
        tf
          .unstack(tf.tensor2d([1, 2, 3, 4, 5, 2 ** 31 - 1], [2, 3], 'int32'), 1)
          .map((t) => ({ dtype: t.dtype, data: Array.from(t.dataSync()) })),
      );
      expect(ints).toEqual([
        { dtype: 'int32', data: [1, 4] },
        { dtype: 'int32', data: [2, 5] },
        { dtype: 'int32', data: [3, 2 ** 31 - 1] },
      ]);
      const bools = tf.tidy(() =>
        tf
          .unstack(tf.tensor2d([true, false, false, true], [2, 2], 'bool'), 0)
          .map((t) => ({ dtype: t.dtype, data: Array.from(t.dataSync()) })),
      );
      expect(bools).toEqual([
        { dtype: 'bool', data: [1, 0] },
        { dtype: 'bool', data: [0, 1] },
      ]);
    });

    it('differentiates: the gradient of Σ w_t ⊙ unstack(x)_t is w stacked back', () => {
      const rng = new Rng('unpack:grad');
      const x = randomValues(2 * 3 * 4, rng);
      const w = randomValues(2 * 3 * 4, rng);
      const grad = tf.tidy(() => {
        const g = tf.grad((input: tf.Tensor) => {
          const weights = tf.unstack(tf.tensor3d(w, [2, 3, 4]), 1);
          return tf.addN(tf.unstack(input, 1).map((slice, t) => tf.sum(tf.mul(slice, weights[t]!))));
        });
        return g(tf.tensor3d(x, [2, 3, 4]))
          .dataSync()
          .slice();
      });
      expectClose(grad, w, 6);
    });
  });
});

describe('KERNEL_OVERRIDES', () => {
  it('lists every kernel reelrec replaces: wasm gets the segment sum, the transposing matmul and Unpack', () => {
    expect(KERNEL_OVERRIDES.cpu).toEqual(['UnsortedSegmentSum']);
    expect(KERNEL_OVERRIDES.wasm).toEqual(['UnsortedSegmentSum', 'BatchMatMul', 'Unpack']);
    expect(KERNEL_OVERRIDES.wasm).toContain('Unpack');
  });
});
