/**
 * The Node build of `@tensorflow/tfjs-core` 4.x does not register the chained tensor methods (`t.flatten()`,
 * `t.add(u)`, …) that its browser build registers. tfjs-layers calls some of them — creating an LSTM with the
 * default orthogonal initializer throws `rMat.flatten is not a function` — so reelrec installs the missing ones,
 * each delegating to the op of the same tfjs-core instance (never a second engine).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** Methods that are `op(this, ...args)` with the op of the same name. */
const SAME_NAME = [
  'abs',
  'acos',
  'acosh',
  'add',
  'all',
  'any',
  'argMax',
  'argMin',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'avgPool',
  'batchToSpaceND',
  'batchNorm',
  'broadcastTo',
  'cast',
  'ceil',
  'clipByValue',
  'conv1d',
  'conv2d',
  'conv2dTranspose',
  'cos',
  'cosh',
  'cumprod',
  'cumsum',
  'depthToSpace',
  'depthwiseConv2d',
  'dilation2d',
  'div',
  'divNoNan',
  'dot',
  'elu',
  'equal',
  'erf',
  'euclideanNorm',
  'exp',
  'expandDims',
  'expm1',
  'fft',
  'floor',
  'floorDiv',
  'gather',
  'greater',
  'greaterEqual',
  'ifft',
  'irfft',
  'isFinite',
  'isInf',
  'isNaN',
  'leakyRelu',
  'less',
  'lessEqual',
  'localResponseNormalization',
  'log',
  'log1p',
  'logSigmoid',
  'logSoftmax',
  'logSumExp',
  'logicalAnd',
  'logicalNot',
  'logicalOr',
  'logicalXor',
  'matMul',
  'max',
  'maxPool',
  'maximum',
  'mean',
  'min',
  'minimum',
  'mirrorPad',
  'mod',
  'mul',
  'neg',
  'norm',
  'notEqual',
  'oneHot',
  'onesLike',
  'pad',
  'pool',
  'pow',
  'prelu',
  'prod',
  'reciprocal',
  'relu',
  'relu6',
  'reshape',
  'resizeBilinear',
  'resizeNearestNeighbor',
  'reverse',
  'rfft',
  'round',
  'rsqrt',
  'selu',
  'separableConv2d',
  'sigmoid',
  'sign',
  'sin',
  'sinh',
  'slice',
  'softmax',
  'softplus',
  'spaceToBatchND',
  'split',
  'sqrt',
  'square',
  'squaredDifference',
  'squeeze',
  'step',
  'stridedSlice',
  'sub',
  'sum',
  'tan',
  'tanh',
  'tile',
  'topk',
  'transpose',
  'unique',
  'unsortedSegmentSum',
  'unstack',
  'zerosLike',
] as const;

type AnyFn = (...args: unknown[]) => unknown;
type Tensor = tf.Tensor;

/** Methods whose body is not `op(this, ...args)`. */
const SPECIAL: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  as1D(this: Tensor) {
    return tf.reshape(this, [this.size]);
  },
  as2D(this: Tensor, rows: number, columns: number) {
    return tf.reshape(this, [rows, columns]);
  },
  as3D(this: Tensor, a: number, b: number, c: number) {
    return tf.reshape(this, [a, b, c]);
  },
  as4D(this: Tensor, a: number, b: number, c: number, d: number) {
    return tf.reshape(this, [a, b, c, d]);
  },
  as5D(this: Tensor, a: number, b: number, c: number, d: number, e: number) {
    return tf.reshape(this, [a, b, c, d, e]);
  },
  asScalar(this: Tensor) {
    return tf.reshape(this, []);
  },
  asType(this: Tensor, dtype: tf.DataType) {
    return tf.cast(this, dtype);
  },
  toBool(this: Tensor) {
    return tf.cast(this, 'bool');
  },
  toFloat(this: Tensor) {
    return tf.cast(this, 'float32');
  },
  toInt(this: Tensor) {
    return tf.cast(this, 'int32');
  },
  flatten(this: Tensor) {
    return tf.reshape(this, [this.size]);
  },
  reshapeAs(this: Tensor, other: Tensor) {
    return tf.reshape(this, other.shape);
  },
  concat(this: Tensor, x: Tensor | Tensor[], axis?: number) {
    return tf.concat([this, ...(x instanceof tf.Tensor ? [x] : x)], axis);
  },
  stack(this: Tensor, x: Tensor | Tensor[], axis?: number) {
    return tf.stack([this, ...(x instanceof tf.Tensor ? [x] : x)], axis);
  },
  where(this: Tensor, condition: Tensor, x: Tensor) {
    return tf.where(condition, this, x);
  },
};

let installed = false;

/**
 * Installs the chained tensor methods that are missing (only those: methods already present are left alone).
 * Idempotent. Returns how many methods were installed.
 */
export function installChainedOps(): number {
  if (installed) return 0;
  installed = true;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, AnyFn>;
  let count = 0;
  const define = (name: string, fn: AnyFn) => {
    if (typeof proto[name] === 'function') return;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (this: Tensor, ...args: unknown[]) {
        this.throwIfDisposed();
        return fn.apply(this, args);
      },
    });
    count++;
  };
  for (const name of SAME_NAME) {
    const op = ops[name];
    if (typeof op !== 'function') continue;
    define(name, function (this: Tensor, ...args: unknown[]) {
      return op(this, ...args);
    });
  }
  for (const [name, fn] of Object.entries(SPECIAL)) define(name, fn as AnyFn);
  return count;
}
