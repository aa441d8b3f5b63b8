import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  type BackendName,
  defaultBackends,
  useBackend,
} from '../../src/backend';
import { BackendError, ConfigError } from '../../src/errors';

/** The start of tfjs-backend-cpu's "install tfjs-node" banner. */
const BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

function bannerCalls(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter((args) => args.some((a) => typeof a === 'string' && a.includes(BANNER)))
    .length;
}

describe('useBackend', () => {
  // Installed before the first backend of this process starts, so the banner of the first cpu tensor is seen.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

  afterAll(() => {
    warn.mockRestore();
  });

  it('starts cpu, prints no tfjs-node banner on a fresh cpu tensor, and returns the name', async () => {
    expect(await useBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // The first tensor written to this cpu instance is where tfjs-backend-cpu prints its banner.
    const t = tf.tensor1d([1, 2, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    t.dispose();
    expect(bannerCalls(warn)).toBe(0);
  });

  it('the banner check above can see the banner (control: a fresh, unpatched cpu backend prints it)', async () => {
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
    const raw = new MathBackendCPU();
    raw.write(new Float32Array(1), [1], 'float32');
    expect(bannerCalls(warn)).toBe(1);
    raw.dispose();
    warn.mockClear();
  });

  it('starts wasm and returns the name', async () => {
    expect(await useBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const t = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([10, 20]));
    expect(Array.from(await t.data())).toEqual([11, 22]);
    tf.dispose(t);
    expect(bannerCalls(warn)).toBe(0);
  });

  it('is idempotent: asking for the backend in use again returns it', async () => {
    expect(await useBackend('cpu')).toBe('cpu');
    expect(await useBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls through a list: webgpu cannot start in Node, cpu does, and nothing is thrown', async () => {
    expect(await useBackend(['webgpu', 'cpu'])).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('webgpu alone fails in Node with a BackendError that records why', async () => {
    const err = await useBackend('webgpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const failures = (err as BackendError).failures;
    expect(failures).toHaveLength(1);
    expect(failures[0]!.backend).toBe('webgpu');
    // Node has no navigator.gpu, so importing the package registers nothing.
    expect(failures[0]!.reason).toMatch(/did not register a backend/);
    // The backend in use is left as it was.
    expect(tf.getBackend()).toBe('cpu');
  });

  it('throws a BackendError listing every backend and its reason when nothing starts', async () => {
    const tried: BackendName[] = ['webgpu', 'webgl', 'tensorflow'];
    const err = await useBackend(tried).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const e = err as BackendError;
    expect(e.code).toBe('BACKEND');
    expect(e.failures.map((f) => f.backend)).toEqual(tried);
    for (const f of e.failures) {
      expect(f.reason.length).toBeGreaterThan(0);
      // The message names each backend with its reason.
      expect(e.message).toContain(`${f.backend}: ${f.reason}`);
    }
    // tfjs-node is not installed here: the reason is the install command.
    const node = e.failures.find((f) => f.backend === 'tensorflow')!;
    expect(node.reason).toContain(`npm install ${BACKEND_PACKAGES.tensorflow}`);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an unknown name throws ConfigError listing the valid names, before trying anything', async () => {
    const err = await useBackend('tpu' as BackendName).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('backend');
    for (const name of BACKEND_NAMES) expect((err as ConfigError).message).toContain(name);
    expect((err as ConfigError).message).toContain('"tpu"');
    // A bad name anywhere in a list is refused even if an earlier one would start.
    await expect(useBackend(['cpu', 'tpu' as BackendName])).rejects.toBeInstanceOf(ConfigError);
  });

  it('an empty list throws ConfigError', async () => {
    await expect(useBackend([])).rejects.toBeInstanceOf(ConfigError);
  });

  it('defaults to wasm then cpu in Node', () => {
    expect(defaultBackends()).toEqual(['wasm', 'cpu']);
  });
});

describe('after useBackend', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('tensors have the chained ops tfjs-layers calls', () => {
    // The Node typings of tfjs-core declare no chained methods either: reach them through a structural type.
    type Chained = {
      flatten(): tf.Tensor;
      add(other: tf.Tensor): tf.Tensor;
      as1D(): tf.Tensor;
      sqrt(): tf.Tensor;
      concat(other: tf.Tensor): tf.Tensor;
    };
    const chain = (t: tf.Tensor) => t as unknown as Chained;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const t = tf.ones([2, 2]);
      const flat = chain(t).flatten();
      expect(flat.shape).toEqual([4]);
      expect(Array.from(flat.dataSync())).toEqual([1, 1, 1, 1]);
      // A few more, each delegating to the op of the same name.
      expect(Array.from(chain(t).add(t).dataSync())).toEqual([2, 2, 2, 2]);
      expect(chain(t).as1D().shape).toEqual([4]);
      expect(
        Array.from(
          chain(tf.tensor1d([1, 4]))
            .sqrt()
            .dataSync(),
        ),
      ).toEqual([1, 2]);
      expect(chain(tf.tensor1d([1, 2])).concat(tf.tensor1d([3])).shape).toEqual([3]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds a tfjs-layers LSTM with its DEFAULT (orthogonal) recurrent initializer', () => {
    // Without the chained ops this throws "rMat.flatten is not a function" in Node.
    const lstm = tfl.layers.lstm({ units: 3, returnSequences: false });
    const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [2, 4] }), lstm] });
    const recurrent = lstm.getWeights()[1]!;
    expect(recurrent.shape).toEqual([3, 12]);
    // Orthogonal: the 3 rows of the [3, 12] recurrent kernel are orthonormal, R Rᵀ = I₃ (up to float error).
    const gram = tf.tidy(() => tf.matMul(recurrent, recurrent, false, true).arraySync() as number[][]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(gram[i]![j]!).toBeCloseTo(i === j ? 1 : 0, 4);
    }
    const y = tf.tidy(() => (model.predict(tf.ones([1, 2, 4])) as tf.Tensor).arraySync() as number[][]);
    expect(y[0]).toHaveLength(3);
    model.dispose();
  });
});
