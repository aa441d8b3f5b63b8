/**
 * Kernel overrides that make training practical on the `cpu` and `wasm` backends of tfjs 4.22.
 *
 * - `UnsortedSegmentSum` (the gradient of every embedding lookup): the cpu kernel loops over segments and
 *   masks the whole input each time — O(segments × rows × width), 23 s for one 3,200 × 32 gradient into 1,683
 *   movies measured here — and the wasm backend has no kernel at all, so an `Embedding` cannot train there.
 *   reelrec registers a linear O(rows × width) kernel for both.
 *
 * Each override is checked against the reference kernel's output in the test suite.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** Read and write raw tensor data on one backend. */
interface DataAccess {
  /** A typed array holding the tensor's values (a view where the backend allows: do not keep it). */
  read(info: tf.TensorInfo): tf.TypedArray;
  /** Allocates an output and lets `fill` write its values. */
  output(shape: number[], dtype: tf.DataType, fill: (values: tf.TypedArray) => void): tf.TensorInfo;
}

interface CpuLike {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

function cpuAccess(backend: CpuLike): DataAccess {
  return {
    read: (info) => backend.readSync(info.dataId) as tf.TypedArray,
    output(shape, dtype, fill) {
      const values = tf.util.getTypedArrayFromDType(dtype as 'float32', tf.util.sizeFromShape(shape));
      fill(values);
      return backend.makeTensorInfo(shape, dtype, values);
    },
  };
}

function wasmAccess(backend: WasmLike): DataAccess {
  return {
    read: (info) => backend.typedArrayFromHeap(info),
    output(shape, dtype, fill) {
      // Allocate first: growing the wasm heap detaches views taken before.
      const out = backend.makeOutput(shape, dtype);
      const values = backend.typedArrayFromHeap(out);
      values.fill(0);
      fill(values);
      return out;
    },
  };
}

/**
 * Linear-time segment sum: `out[segmentIds[i], …] += x[i, …]`, ids outside [0, numSegments) dropped
 * (TensorFlow's semantics). Segment ids may have any rank r ≤ rank(x); the output shape is
 * `[numSegments, ...x.shape.slice(r)]`.
 */
function unsortedSegmentSum(access: DataAccess, x: tf.TensorInfo, ids: tf.TensorInfo, numSegments: number) {
  const idCount = tf.util.sizeFromShape(ids.shape);
  const inner = idCount === 0 ? 0 : tf.util.sizeFromShape(x.shape) / idCount;
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  return access.output(outShape, x.dtype, (out) => {
    const xv = access.read(x);
    const iv = access.read(ids);
    for (let i = 0; i < idCount; i++) {
      const s = iv[i]!;
      if (s < 0 || s >= numSegments) continue;
      const src = i * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) out[dst + j]! += xv[src + j]!;
    }
  });
}

interface KernelBackendLike {
  disposeData(dataId: unknown): boolean;
}

/**
 * wasm's `BatchMatMul` runs its fast (XNNPACK) path only when neither operand is transposed; with a transposed
 * operand — every matmul in a backward pass — it was ~10× slower. The override transposes explicitly (one pass
 * over the operand) and calls the fast path.
 */
function installWasmBatchMatMul(): string[] {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return [];
  const fast = original.kernelFunc;
  const transposeFn = transpose.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return fast({ inputs, attrs, backend });
      const temporaries: tf.TensorInfo[] = [];
      const materialise = (x: tf.TensorInfo): tf.TensorInfo => {
        const r = x.shape.length;
        const perm = [...Array(r - 2).keys(), r - 1, r - 2];
        const t = transposeFn({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
        temporaries.push(t);
        return t;
      };
      const a = transposeA ? materialise(inputs.a as tf.TensorInfo) : inputs.a;
      const b = transposeB ? materialise(inputs.b as tf.TensorInfo) : inputs.b;
      try {
        return fast({
          inputs: { a, b } as tf.NamedTensorInfoMap,
          attrs: { ...attrs, transposeA: false, transposeB: false },
          backend,
        });
      } finally {
        for (const t of temporaries) (backend as KernelBackendLike).disposeData(t.dataId);
      }
    },
  });
  return ['BatchMatMul'];
}

/**
 * wasm's `Unpack` (`tf.unstack`, which the RNN layer runs over the time axis of every batch) slices each output
 * through `readSync`, which copies the WHOLE input off the heap once per output: O(T × size) for T time steps.
 * The override allocates the outputs, then copies each slice from one view of the input.
 */
function installWasmUnpack(): string[] {
  if (!tf.getKernel('Unpack', 'wasm')) return [];
  tf.unregisterKernel('Unpack', 'wasm');
  tf.registerKernel({
    kernelName: 'Unpack',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as WasmLike;
      const value = inputs.value as tf.TensorInfo;
      const rank = value.shape.length;
      let axis = (attrs as { axis: number }).axis;
      if (axis < 0) axis += rank;
      const count = value.shape[axis]!;
      const outShape = value.shape.filter((_, i) => i !== axis);
      const outer = value.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const inner = value.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      // Allocate every output before taking views: growing the heap detaches earlier views.
      const outs = Array.from({ length: count }, () => wasm.makeOutput(outShape, value.dtype));
      const src = wasm.typedArrayFromHeap(value);
      outs.forEach((out, j) => {
        const dst = wasm.typedArrayFromHeap(out);
        for (let o = 0; o < outer; o++) {
          const from = (o * count + j) * inner;
          dst.set(src.subarray(from, from + inner), o * inner);
        }
      });
      return outs;
    },
  });
  return ['Unpack'];
}

type AccessFactory = (backend: unknown) => DataAccess;

const ACCESS: Record<string, AccessFactory> = {
  cpu: (b) => cpuAccess(b as CpuLike),
  wasm: (b) => wasmAccess(b as WasmLike),
};

const overridden = new Set<string>();

/**
 * The backends reelrec can patch, and the kernels it overrides on each.
 *
 * @example
 * ```ts
 * import { KERNEL_OVERRIDES } from 'reelrec';
 * console.log(KERNEL_OVERRIDES.wasm); // ['UnsortedSegmentSum', 'BatchMatMul', 'Unpack']
 * ```
 */
export const KERNEL_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  cpu: ['UnsortedSegmentSum'],
  wasm: ['UnsortedSegmentSum', 'BatchMatMul', 'Unpack'],
};

/**
 * Registers reelrec's kernels for `backendName` (once; later calls do nothing). The reference kernel, where
 * there was one, is replaced. Called by `useBackend`; exported for tests and for apps that manage tfjs
 * backends themselves.
 *
 * @returns the kernel names installed by this call.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { installKernelOverrides } from 'reelrec';
 * await tf.setBackend('cpu');
 * installKernelOverrides('cpu');
 * ```
 */
export function installKernelOverrides(backendName: string): string[] {
  const makeAccess = ACCESS[backendName];
  if (!makeAccess || overridden.has(backendName)) return [];
  overridden.add(backendName);
  const name = 'UnsortedSegmentSum';
  if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
  tf.registerKernel({
    kernelName: name,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) =>
      unsortedSegmentSum(
        makeAccess(backend),
        inputs.x as tf.TensorInfo,
        inputs.segmentIds as tf.TensorInfo,
        (attrs as { numSegments: number }).numSegments,
      ),
  });
  return backendName === 'wasm' ? [name, ...installWasmBatchMatMul(), ...installWasmUnpack()] : [name];
}
