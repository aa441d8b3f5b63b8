import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { MinimalGatedCell } from '../../examples/cells/minimal-gated-cell';
import { useBackend } from '../../src/backend';
import { createRecommender, loadRecommender } from '../../src/create-recommender';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import { ConfigError } from '../../src/errors';
import {
  type CellClass,
  type CellFactory,
  type CellOptions,
  createCell,
  registerCell,
  registeredCells,
} from '../../src/model/cells';
import { Rng } from '../../src/util/random';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** Keras / tfjs-layers hard sigmoid: clip(0.2·z + 0.5, 0, 1). */
const hardSigmoid = (z: number) => Math.min(1, Math.max(0, 0.2 * z + 0.5));

/** Row vector × row-major [rows × cols] matrix. */
function vecMat(v: readonly number[], m: Float32Array | readonly number[], cols: number): number[] {
  const out = new Array<number>(cols).fill(0);
  for (let i = 0; i < v.length; i++) for (let j = 0; j < cols; j++) out[j]! += v[i]! * m[i * cols + j]!;
  return out;
}

function seeded(size: number, rng: Rng, scale = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * scale;
  return out;
}

/** Runs `cell` over `x` ([time][inputDim], one sequence) with the given weights; returns h_t for every step. */
function runCell(cell: ReturnType<typeof createCell>, weights: tf.Tensor[], x: number[][]): number[][] {
  const layer = tfl.layers.rnn({ cell, returnSequences: true });
  const input = tf.tensor3d([x]);
  layer.apply(input); // builds the weights
  layer.setWeights(weights);
  const out = tf.tidy(() => (layer.apply(input) as tf.Tensor).arraySync() as number[][][]);
  tf.dispose([input, ...weights]);
  layer.dispose();
  return out[0]!;
}

function expectRowsClose(actual: number[][], expected: number[][], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, t) => {
    expect(row).toHaveLength(expected[t]!.length);
    row.forEach((v, j) => {
      expect(v).toBeCloseTo(expected[t]![j]!, digits);
    });
  });
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('cells on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe("the 'rnn' cell: h_t = σ(W_xh x_t + W_hh h_{t−1} + b_h)", () => {
    // tfjs-layers multiplies row vectors: pre_t = x_t·K + h_{t−1}·R + b, so W_xh = Kᵀ and W_hh = Rᵀ.
    const K = [0.5, -1]; // [1 input × 2 units]
    const R = [0.1, 0.2, -0.3, 0.4]; // [2 × 2] row-major: R[0] = [0.1, 0.2], R[1] = [-0.3, 0.4]
    const b = [0, 0.5];
    const xs = [1, 0.5, -1];

    /** The recurrence by hand. */
    function byHand(): number[][] {
      const hs: number[][] = [];
      let h = [0, 0];
      for (const x of xs) {
        const r = vecMat(h, R, 2);
        h = [sigmoid(x * K[0]! + r[0]! + b[0]!), sigmoid(x * K[1]! + r[1]! + b[1]!)];
        hs.push(h);
      }
      return hs;
    }

    it('uses the logistic sigmoid as its activation', () => {
      const cell = createCell('rnn', { units: 2 });
      expect(cell.getConfig().activation).toBe('sigmoid');
    });

    it('matches the recurrence computed by hand over 3 steps', () => {
      const expected = byHand();
      // Step 1, h_0 = 0: pre = [0.5·1 + 0, −1·1 + 0.5] = [0.5, −0.5]
      //   h_1 = [σ(0.5), σ(−0.5)] = [0.6224593312, 0.3775406688]
      expect(expected[0]![0]).toBeCloseTo(0.6224593312, 9);
      expect(expected[0]![1]).toBeCloseTo(0.3775406688, 9);
      // Step 2, x = 0.5: pre = [0.25 + 0.62246·0.1 + 0.37754·(−0.3), −0.5 + 0.62246·0.2 + 0.37754·0.4 + 0.5]
      //   = [0.1989837, 0.2755081] → h_2 = [0.5495824, 0.5684446]
      expect(expected[1]![0]).toBeCloseTo(0.5495824415, 8);
      expect(expected[1]![1]).toBeCloseTo(0.5684446408, 8);
      // Step 3, x = −1: pre = [−0.6155751, 1.8372943] → h_3 = [0.3507885, 0.8626284]
      expect(expected[2]![0]).toBeCloseTo(0.3507884826, 8);
      expect(expected[2]![1]).toBeCloseTo(0.8626284, 6);

      const cell = createCell('rnn', { units: 2 });
      const got = runCell(
        cell,
        [tf.tensor2d(K, [1, 2]), tf.tensor2d(R, [2, 2]), tf.tensor1d(b)],
        xs.map((x) => [x]),
      );
      expectRowsClose(got, expected, 6);
    });

    it('rating head y_t = σ(W_hy h_t + b_y) on those h_t matches hand values', () => {
      const hs = byHand();
      const Why = [0.8, -0.6]; // [2 units × 1 output]
      const by = 0.1;
      // y_1 = σ(0.8·0.6224593 − 0.6·0.3775407 + 0.1) = σ(0.3714431) = 0.5918076
      // y_2 = σ(0.8·0.5495824 − 0.6·0.5684446 + 0.1) = σ(0.1985992) = 0.5494872
      // y_3 = σ(0.8·0.3507885 − 0.6·0.8626284 + 0.1) = σ(−0.1369463) = 0.4658168
      const expected = [0.5918076274, 0.5494872442, 0.4658168432];
      hs.forEach((h, t) => {
        expect(sigmoid(h[0]! * Why[0]! + h[1]! * Why[1]! + by)).toBeCloseTo(expected[t]!, 9);
      });

      const head = tfl.layers.dense({ units: 1, activation: 'sigmoid' });
      const h = tf.tensor2d(hs);
      head.apply(h);
      head.setWeights([tf.tensor2d(Why, [2, 1]), tf.tensor1d([by])]);
      const y = tf.tidy(() => (head.apply(h) as tf.Tensor).arraySync() as number[][]);
      y.forEach((row, t) => {
        expect(row[0]!).toBeCloseTo(expected[t]!, 6);
      });
      h.dispose();
      head.dispose();
    });
  });

  describe("the 'lstm' cell (gates i, f, c, o; sigmoid gates)", () => {
    const units = 2;
    const inputDim = 3;
    const rng = new Rng('cells:lstm');
    const kernel = seeded(inputDim * 4 * units, rng); // [3 × 8]: columns i | f | c | o
    const recurrent = seeded(units * 4 * units, rng); // [2 × 8]
    const bias = seeded(4 * units, rng, 0.5);
    const xs = [
      [0.5, -1, 2],
      [-0.3, 0.8, 0.1],
    ];

    /**
     * Textbook LSTM: z = x·W + h·U + b split into i, f, g, o; c_t = f ⊙ c_{t−1} + i ⊙ tanh(g);
     * h_t = o ⊙ tanh(c_t), with gate activation `gate`.
     */
    function lstmJs(gate: (z: number) => number): number[][] {
      let h = [0, 0];
      let c = [0, 0];
      const hs: number[][] = [];
      for (const x of xs) {
        const zx = vecMat(x, kernel, 4 * units);
        const zh = vecMat(h, recurrent, 4 * units);
        const z = zx.map((v, j) => v + zh[j]! + bias[j]!);
        const part = (k: number) => z.slice(k * units, (k + 1) * units);
        const i = part(0).map(gate);
        const f = part(1).map(gate);
        const g = part(2).map(Math.tanh);
        const o = part(3).map(gate);
        c = c.map((cj, j) => f[j]! * cj + i[j]! * g[j]!);
        h = c.map((cj, j) => o[j]! * Math.tanh(cj));
        hs.push(h);
      }
      return hs;
    }

    const weights = () => [
      tf.tensor2d(kernel, [inputDim, 4 * units]),
      tf.tensor2d(recurrent, [units, 4 * units]),
      tf.tensor1d(bias),
    ];

    it('defaults its gates to the logistic sigmoid (tfjs-layers would use hardSigmoid)', () => {
      expect(createCell('lstm', { units }).getConfig().recurrentActivation).toBe('sigmoid');
    });

    it('matches the textbook equations with sigmoid gates (two steps, so U matters)', () => {
      const got = runCell(createCell('lstm', { units }), weights(), xs);
      expectRowsClose(got, lstmJs(sigmoid), 5);
    });

    it("recurrentActivation 'hardSigmoid' changes the output, and matches the equations with hard sigmoid", () => {
      const soft = runCell(createCell('lstm', { units }), weights(), xs);
      const hard = runCell(createCell('lstm', { units, recurrentActivation: 'hardSigmoid' }), weights(), xs);
      expectRowsClose(hard, lstmJs(hardSigmoid), 5);
      const diff = Math.max(...hard.flat().map((v, i) => Math.abs(v - soft.flat()[i]!)));
      expect(diff).toBeGreaterThan(1e-3);
    });
  });

  describe("the 'gru' cell (tfjs-layers' variant: gates z, r, h; reset before the recurrent matmul)", () => {
    const units = 2;
    const inputDim = 3;
    const rng = new Rng('cells:gru');
    const kernel = seeded(inputDim * 3 * units, rng); // [3 × 6]: columns z | r | h
    const recurrent = seeded(units * 3 * units, rng); // [2 × 6]
    const bias = seeded(3 * units, rng, 0.5); // input bias only (reset_after = false has no recurrent bias)
    const xs = [
      [1, 0.25, -0.5],
      [-0.7, 0.4, 1.2],
      [0.3, -0.9, 0.6],
    ];

    /**
     * tfjs-layers GRUCell (Keras `reset_after=False`, Cho et al. 2014):
     *   z = σ(x·W_z + b_z + h·U_z),  r = σ(x·W_r + b_r + h·U_r),
     *   ĥ = tanh(x·W_h + b_h + (r ⊙ h)·U_h)   ← reset applied to h BEFORE the matmul,
     *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ        ← Keras' convention (z keeps the old state).
     */
    function gruJs(gate: (z: number) => number): number[][] {
      let h = [0, 0];
      const hs: number[][] = [];
      const U = (from: number) => {
        // columns [from, from + units) of the [units × 3·units] recurrent kernel, as a [units × units] matrix
        const m = new Array<number>(units * units);
        for (let i = 0; i < units; i++)
          for (let j = 0; j < units; j++) m[i * units + j] = recurrent[i * 3 * units + from + j]!;
        return m;
      };
      for (const x of xs) {
        const xw = vecMat(x, kernel, 3 * units).map((v, j) => v + bias[j]!);
        const hz = vecMat(h, U(0), units);
        const hr = vecMat(h, U(units), units);
        const z = hz.map((v, j) => gate(xw[j]! + v));
        const r = hr.map((v, j) => gate(xw[units + j]! + v));
        const rh = vecMat(
          h.map((hj, j) => r[j]! * hj),
          U(2 * units),
          units,
        );
        const hh = rh.map((v, j) => Math.tanh(xw[2 * units + j]! + v));
        h = h.map((hj, j) => z[j]! * hj + (1 - z[j]!) * hh[j]!);
        hs.push(h);
      }
      return hs;
    }

    const weights = () => [
      tf.tensor2d(kernel, [inputDim, 3 * units]),
      tf.tensor2d(recurrent, [units, 3 * units]),
      tf.tensor1d(bias),
    ];

    it('matches the equations with sigmoid gates over 3 steps', () => {
      expect(createCell('gru', { units }).getConfig().recurrentActivation).toBe('sigmoid');
      const got = runCell(createCell('gru', { units }), weights(), xs);
      expectRowsClose(got, gruJs(sigmoid), 5);
    });

    it("recurrentActivation 'hardSigmoid' changes the output, and matches the equations with hard sigmoid", () => {
      const soft = runCell(createCell('gru', { units }), weights(), xs);
      const hard = runCell(createCell('gru', { units, recurrentActivation: 'hardSigmoid' }), weights(), xs);
      expectRowsClose(hard, gruJs(hardSigmoid), 5);
      const diff = Math.max(...hard.flat().map((v, i) => Math.abs(v - soft.flat()[i]!)));
      expect(diff).toBeGreaterThan(1e-3);
    });
  });
});

describe('the cell registry', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const tanhRnn: CellFactory = ({ units, name }) =>
    tfl.layers.simpleRNNCell({ units, activation: 'tanh', name });

  it('lists the built-in cells first', () => {
    expect(registeredCells().slice(0, 3)).toEqual(['rnn', 'lstm', 'gru']);
  });

  it('registering the same factory twice is a no-op; the cell can then be created', () => {
    registerCell('test-tanh-rnn', tanhRnn);
    expect(() => registerCell('test-tanh-rnn', tanhRnn)).not.toThrow();
    expect(registeredCells().filter((n) => n === 'test-tanh-rnn')).toHaveLength(1);
    const cell = createCell('test-tanh-rnn', { units: 3 });
    expect(cell.getConfig().activation).toBe('tanh');
    expect(cell.getConfig().units).toBe(3);
  });

  it('a different factory under a taken name throws ConfigError (custom and built-in names alike)', () => {
    registerCell('test-taken', tanhRnn);
    const other: CellFactory = (o) => tfl.layers.simpleRNNCell({ units: o.units });
    expect(() => registerCell('test-taken', other)).toThrow(ConfigError);
    expect(() => registerCell('lstm', other)).toThrow(ConfigError);
    // The first registration stands.
    expect(createCell('test-taken', { units: 2 }).getConfig().activation).toBe('tanh');
  });

  it('createCell with an unknown name lists every registered name', () => {
    registerCell('test-listed', tanhRnn);
    let err: unknown;
    try {
      createCell('nope', { units: 2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('model.cell');
    for (const name of registeredCells()) expect((err as ConfigError).message).toContain(name);
    expect((err as ConfigError).message).toContain('test-listed');
    expect((err as ConfigError).message).toContain('"nope"');
  });

  it.each(['', '1cell', 'my cell', 'a/b', '-x', 'é'])('refuses the invalid name %j', (name) => {
    expect(() => registerCell(name, tanhRnn)).toThrow(ConfigError);
    expect(registeredCells()).not.toContain(name);
  });

  it('refuses a name that is not a string', () => {
    expect(() => registerCell(42 as unknown as string, tanhRnn)).toThrow(ConfigError);
  });
});

/** The same cell without a static className: it could not be saved. */
class UnnamedCell extends tfl.layers.RNNCell {
  readonly units: number;
  constructor(args: CellOptions) {
    super({ name: args.name });
    this.units = args.units;
  }
  get stateSize(): number {
    return this.units;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const h = (inputs as tf.Tensor[])[1]!;
    return [h, h];
  }
}

describe('the cell registry, class form', () => {
  registerCell('mgu', MinimalGatedCell);

  it("registerCell('mgu', SomeCellClass) makes createCell('mgu', …) build an instance of that class", () => {
    expect(registeredCells()).toContain('mgu');
    const cell = createCell('mgu', { units: 3, name: 'my_mgu' });
    expect(cell).toBeInstanceOf(MinimalGatedCell);
    expect(cell.stateSize).toBe(3);
    expect(cell.name).toBe('my_mgu');
    expect(cell.getClassName()).toBe('MinimalGatedCell');
  });

  it('registering the same class again is a no-op; a different class under the name throws ConfigError', () => {
    expect(() => registerCell('mgu', MinimalGatedCell)).not.toThrow();
    expect(registeredCells().filter((n) => n === 'mgu')).toHaveLength(1);
    class OtherGatedCell extends MinimalGatedCell {
      static override className = 'OtherGatedCell';
    }
    expect(() => registerCell('mgu', OtherGatedCell)).toThrow(ConfigError);
    // …and so does a factory under it; the class stays registered.
    expect(() => registerCell('mgu', ({ units }) => new MinimalGatedCell({ units }))).toThrow(ConfigError);
    expect(createCell('mgu', { units: 2 })).toBeInstanceOf(MinimalGatedCell);
  });

  it('a class without a static className is refused with ConfigError', () => {
    let err: unknown;
    try {
      registerCell('unnamed', UnnamedCell as unknown as CellClass);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('cell');
    expect((err as ConfigError).message).toContain('className');
    expect(registeredCells()).not.toContain('unnamed');
  });

  it("a class that inherits or copies a built-in's className is refused, and does not replace it for loading", () => {
    const LSTMCell = createCell('lstm', { units: 1 }).constructor as unknown as CellClass;
    const builtInLstm = tf.serialization.SerializationMap.getMap().classNameMap.LSTMCell![0];
    expect(builtInLstm).toBe(LSTMCell);
    // Inherits static className 'LSTMCell': registering it would make every saved LSTM model load as this class.
    class PatchedLstmCell extends (LSTMCell as unknown as typeof MinimalGatedCell) {}
    expect(() => registerCell('patched-lstm', PatchedLstmCell)).toThrow(ConfigError);
    expect(registeredCells()).not.toContain('patched-lstm');
    // The same goes for a class that declares a className another class is registered under.
    class ImpostorCell extends MinimalGatedCell {
      static override className = 'LSTMCell';
    }
    expect(() => registerCell('impostor', ImpostorCell)).toThrow(ConfigError);
    expect(registeredCells()).not.toContain('impostor');
    expect(tf.serialization.SerializationMap.getMap().classNameMap.LSTMCell![0]).toBe(builtInLstm);
  });

  it('registers the class with tf.serialization: a LayersModel with rnn({ cell }) round-trips with identical outputs', async () => {
    const before = tf.memory().numTensors;
    const input = tfl.input({ shape: [null, 2] });
    const rnn = tfl.layers.rnn({ cell: createCell('mgu', { units: 3 }), returnSequences: true });
    const model = tfl.model({ inputs: input, outputs: rnn.apply(input) as tfl.SymbolicTensor });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('MinimalGatedCell');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const loadedCell = (loaded.layers.find((l) => l.getClassName() === 'RNN') as unknown as { cell: unknown })
      .cell;
    expect(loadedCell).toBeInstanceOf(MinimalGatedCell);
    const rng = new Rng('cells:mgu-roundtrip');
    const x = tf.tensor3d(seeded(2 * 4 * 2, rng), [2, 4, 2]);
    const [a, b] = tf.tidy(() => [
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
      Array.from((loaded.predict(x) as tf.Tensor).dataSync()),
    ]);
    expect(a).toHaveLength(2 * 4 * 3);
    expect(b).toEqual(a);
    x.dispose();
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a pipeline with model.cell 'mgu' fits, saves and loads with identical recommendations", async () => {
    // 40 users × 22 ratings over 60 movies.
    const data = generateSyntheticCatalog({ users: 40, movies: 60, ratingsPerUser: 22, seed: 13 });
    const rec = await createRecommender({
      backend: 'cpu',
      seed: 2,
      model: { cell: 'mgu', hiddenSize: 8, embeddingSize: 8, maxLength: 16, windowStride: 8 },
      training: { epochs: 1, batchSize: 32 },
    });
    const folder = await mkdtemp(join(tmpdir(), 'reelrec-cells-'));
    try {
      const summary = await rec.fit(data);
      expect(Number.isFinite(summary.history[0]!.loss)).toBe(true);
      expect(rec.name).toBe('mgu');
      await rec.save(join(folder, 'model'));
      const loaded = await loadRecommender(join(folder, 'model'), { backend: 'cpu' });
      expect(loaded.name).toBe('mgu');
      const users = data.users.slice(0, 4).map((u) => u.id);
      const before = await rec.recommendMany(users, { k: 5 });
      expect(before[0]).toHaveLength(5);
      expect(await loaded.recommendMany(users, { k: 5 })).toEqual(before);
      loaded.dispose();
    } finally {
      rec.dispose();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
