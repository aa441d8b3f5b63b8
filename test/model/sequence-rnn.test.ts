import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend';
import { ModelFormatError, StateError } from '../../src/errors';
import {
  type EncodedSequence,
  inferenceBatch,
  type TrainingBatchArrays,
  tasteBatch,
  trainingBatch,
  trainingWindows,
} from '../../src/model/batches';
import { RANKING_LOSSES, SequenceRNN, type SequenceRNNConfig } from '../../src/model/sequence-rnn';

const NUM_ITEMS = 12;

function config(overrides: Partial<SequenceRNNConfig> = {}): SequenceRNNConfig {
  return {
    numItems: NUM_ITEMS,
    cell: 'lstm',
    hiddenSize: 8,
    embeddingSize: 4,
    layers: 1,
    recurrentActivation: 'sigmoid',
    contentSize: 0,
    profileSize: 0,
    ratingWeight: 1,
    maxLength: 10,
    seed: 7,
    ...overrides,
  };
}

function seq(items: number[], profile?: number[]): EncodedSequence {
  return {
    items: Int32Array.from(items),
    ratings: Float32Array.from(items, (_, i) => ((i * 3) % 5) / 4),
    times: Float64Array.from(items, (_, i) => 1_000_000 + i * 3600),
    profile: profile ? Float32Array.from(profile) : undefined,
  };
}

// A tiny fixed training set: two repeating patterns the model can learn.
const SEQUENCES = [
  seq([0, 1, 2, 3, 0, 1, 2, 3], [1, 0, 0]),
  seq([4, 5, 6, 7, 4, 5, 6, 7], [0, 1, 0]),
  seq([8, 9, 10, 11, 8, 9], [0, 0, 1]),
];

/** Profile size 3 for the batches; a model without profiles ignores them. */
function batchFor(profileSize: number) {
  return trainingBatch(SEQUENCES, trainingWindows(SEQUENCES, 10, 5), profileSize);
}

const HISTORIES = [seq([0, 1, 2]), seq([5]), seq([])];

/** Copies of the values of every weight of layer `layer`. */
function layerWeights(model: SequenceRNN, layer: string): Float32Array[] {
  return model.network.weights
    .filter((w) => w.originalName.startsWith(`${layer}/`))
    .map((w) => w.read().dataSync().slice() as Float32Array);
}

/** The values of the weight named `name` (`<layer>/<weight>`). */
function weightValues(model: SequenceRNN, name: string): Float32Array {
  return model.network.weights
    .find((w) => w.originalName === name)!
    .read()
    .dataSync() as Float32Array;
}

// Negatives shared by a batch, as the pipeline draws them: 8 of the 12 items, some of them targets (accidental hits).
const FIXED_NEGATIVES = [1, 3, 5, 7, 9, 11, 0, 4];

/**
 * The batch with shared negatives and the log-Q correction of a uniform proposal, as the pipeline's addNegatives
 * sets them: Q(i) = 1 / NUM_ITEMS, so log(s·Q(i)) = log(8 / 12) for every item.
 */
function withNegatives(batch: TrainingBatchArrays, negatives: number[]): TrainingBatchArrays {
  const logQ = Math.log(negatives.length / NUM_ITEMS);
  return {
    ...batch,
    negatives: Int32Array.from(negatives),
    negativeLogQ: new Float32Array(negatives.length).fill(logQ),
    targetLogQ: new Float32Array(batch.targets.length).fill(logQ),
  };
}

describe.each(['cpu', 'wasm'] as const)('SequenceRNN on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('creates a model whose loss is finite', () => {
    const model = SequenceRNN.create(config());
    const loss = model.loss(batchFor(0));
    const v = loss.dataSync()[0]!;
    loss.dispose();
    expect(Number.isFinite(v)).toBe(true);
    // Untrained ranking head with zero biases: cross-entropy near ln(12) = 2.4849, plus a rating MSE ≤ 1.
    expect(v).toBeGreaterThan(2);
    expect(v).toBeLessThan(4);
    model.dispose();
  });

  it('a few Adam steps lower the loss on a tiny fixed batch', () => {
    const model = SequenceRNN.create(config());
    const batch = batchFor(0);
    const optimizer = tf.train.adam(0.05);
    const vars = model.trainableVariables();
    const first = tf.tidy(() => model.loss(batch).dataSync()[0]!);
    for (let i = 0; i < 15; i++) {
      const cost = optimizer.minimize(() => model.loss(batch), true, vars);
      cost?.dispose();
    }
    const last = tf.tidy(() => model.loss(batch).dataSync()[0]!);
    expect(last).toBeLessThan(first - 0.3);
    optimizer.dispose();
    model.dispose();
  });

  it('the loss is cross-entropy plus ratingWeight × squared error, consistent with what infer returns', async () => {
    const model = SequenceRNN.create(config({ ratingWeight: 0.5 }));
    // Training window: position 2 reads items[1] and predicts items[2]; inference over items[0..1] reads the
    // same inputs and scores from that same position.
    const s = seq([3, 8, 5]);
    const train = trainingBatch([s], [{ sequence: 0, start: 0, end: 3, lossFrom: 2 }], 0);
    const infer = inferenceBatch(
      [{ items: s.items.slice(0, 2), ratings: s.ratings.slice(0, 2), times: s.times.slice(0, 2) }],
      10,
      0,
    );
    const { scores, ratings } = await model.infer(infer, { scores: true, ratings: true });
    const lse = Math.log(Array.from(scores!).reduce((a, v) => a + Math.exp(v), 0));
    const ce = lse - scores![5]!;
    const se = (ratings![5]! - s.ratings[2]!) ** 2; // target rating known (mask 1)
    const loss = tf.tidy(() => model.loss(train, false).dataSync()[0]!);
    expect(loss).toBeCloseTo(ce + 0.5 * se, 5);
    model.dispose();
  });

  it('infer returns rows × numItems scores and ratings in [0, 1]', async () => {
    const model = SequenceRNN.create(config());
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const both = await model.infer(batch, { scores: true, ratings: true });
    expect(both.scores).toHaveLength(HISTORIES.length * NUM_ITEMS);
    expect(both.ratings).toHaveLength(HISTORIES.length * NUM_ITEMS);
    for (const r of both.ratings!) {
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(1);
    }
    expect(both.scores!.every(Number.isFinite)).toBe(true);
    const scoresOnly = await model.infer(batch, { scores: true });
    expect(scoresOnly.ratings).toBeUndefined();
    expect(Array.from(scoresOnly.scores!)).toEqual(Array.from(both.scores!));
    model.dispose();
  });

  it('starts from the init it is given: ranking / rating biases, content rows, LSTM forget bias 1', () => {
    const rankingBias = Float32Array.from({ length: NUM_ITEMS }, (_, i) => i / 10);
    const ratingBias = Float32Array.from({ length: NUM_ITEMS }, (_, i) => -i / 10);
    const content = Float32Array.from({ length: NUM_ITEMS * 2 }, (_, i) => i + 1);
    const model = SequenceRNN.create(config({ contentSize: 2 }), { rankingBias, ratingBias, content });
    const byName = new Map(model.network.weights.map((w, i) => [w.originalName, model.getWeights()[i]!]));
    expect(Array.from(byName.get('ranking_head/bias')!)).toEqual(Array.from(rankingBias));
    expect(Array.from(byName.get('rating_head/bias')!)).toEqual(Array.from(ratingBias));
    // Content rows sit at the movies' token ids: rows 0 (PAD) and 1 (BOS) are zero, row 2 is movie 0.
    const table = byName.get('content_features/embeddings')!;
    expect(Array.from(table.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(table.subarray(4, 6))).toEqual([1, 2]);
    expect(Array.from(table.subarray(2 * (NUM_ITEMS + 1)))).toEqual([2 * NUM_ITEMS - 1, 2 * NUM_ITEMS]);
    // LSTM bias [i | f | c | o] × 8 units: forget gate 1, others 0.
    const bias = [...byName.entries()].find(([n]) => n.startsWith('rnn_0') && n.endsWith('/bias'))![1];
    expect(Array.from(bias)).toEqual([...Array(8).fill(0), ...Array(8).fill(1), ...Array(16).fill(0)]);
    // The content table is fixed; everything else trains.
    expect(model.network.weights.length - model.trainableVariables().length).toBe(1);
    model.dispose();
  });

  it('the same seed gives identical initial weights, a different seed different ones', () => {
    const a = SequenceRNN.create(config({ seed: 11 }));
    const b = SequenceRNN.create(config({ seed: 11 }));
    const c = SequenceRNN.create(config({ seed: 12 }));
    const wa = a.getWeights();
    expect(b.getWeights().map((w) => Array.from(w))).toEqual(wa.map((w) => Array.from(w)));
    const wc = c.getWeights();
    // Every randomly initialised weight differs (biases start at 0 either way).
    const names = a.network.weights.map((w) => w.originalName);
    const random = names.flatMap((n, i) => (n.endsWith('/bias') ? [] : [i]));
    expect(random.length).toBeGreaterThan(3);
    for (const i of random) expect(Array.from(wc[i]!)).not.toEqual(Array.from(wa[i]!));
    for (const m of [a, b, c]) m.dispose();
  });

  it('getWeights / setWeights round-trip; a wrong count throws', async () => {
    const a = SequenceRNN.create(config({ seed: 1 }));
    const b = SequenceRNN.create(config({ seed: 2 }));
    b.setWeights(a.getWeights());
    const batch = inferenceBatch(HISTORIES, 10, 0);
    expect(Array.from((await b.infer(batch, { scores: true })).scores!)).toEqual(
      Array.from((await a.infer(batch, { scores: true })).scores!),
    );
    expect(() => b.setWeights(a.getWeights().slice(1))).toThrow(RangeError);
    a.dispose();
    b.dispose();
  });

  describe.each([
    ['rnn', 1, 0, 0],
    ['lstm', 1, 3, 2],
    ['gru', 2, 3, 0],
    ['lstm', 2, 0, 2],
  ] as const)(
    'toArtifacts / fromArtifacts (%s, %i layers, profile %i, content %i)',
    (cell, layers, profileSize, contentSize) => {
      it('gives identical scores and ratings after the round trip', async () => {
        const cfg = config({ cell, layers, profileSize, contentSize, seed: 5 });
        const content = Float32Array.from({ length: NUM_ITEMS * contentSize }, (_, i) => Math.sin(i));
        const model = SequenceRNN.create(cfg, { content });
        // One training step, so the weights are not just the seeded initial ones.
        const optimizer = tf.train.adam(0.05);
        optimizer.minimize(() => model.loss(batchFor(profileSize)), false, model.trainableVariables());
        optimizer.dispose();
        const histories = HISTORIES.map((h, i) => ({
          ...h,
          profile: Float32Array.of(i - 1, 0.5, -0.25 * i),
        }));
        const batch = inferenceBatch(histories, 10, profileSize);
        const before = await model.infer(batch, { scores: true, ratings: true });
        const artifacts = await model.toArtifacts();
        const loaded = await SequenceRNN.fromArtifacts(cfg, artifacts);
        const after = await loaded.infer(batch, { scores: true, ratings: true });
        expect(Array.from(after.scores!)).toEqual(Array.from(before.scores!));
        expect(Array.from(after.ratings!)).toEqual(Array.from(before.ratings!));
        expect(loaded.getWeights().map((w) => Array.from(w))).toEqual(
          model.getWeights().map((w) => Array.from(w)),
        );
        model.dispose();
        loaded.dispose();
      });
    },
  );

  it('with profiles, two profiles give different scores for the same history, also after a round trip', async () => {
    // This checks that the initial state computed from the profile survives serialisation.
    const cfg = config({ profileSize: 3 });
    const model = SequenceRNN.create(cfg);
    const history = seq([0, 1, 2]);
    const batch = inferenceBatch(
      [
        { ...history, profile: Float32Array.of(1, 0, 0) },
        { ...history, profile: Float32Array.of(0, -1, 2) },
      ],
      10,
      3,
    );
    const rowsOf = (s: Float32Array) => [
      Array.from(s.subarray(0, NUM_ITEMS)),
      Array.from(s.subarray(NUM_ITEMS)),
    ];
    const [p, q] = rowsOf((await model.infer(batch, { scores: true })).scores!);
    expect(p).not.toEqual(q);
    const loaded = await SequenceRNN.fromArtifacts(cfg, await model.toArtifacts());
    const [p2, q2] = rowsOf((await loaded.infer(batch, { scores: true })).scores!);
    expect(p2).toEqual(p);
    expect(q2).toEqual(q);
    model.dispose();
    loaded.dispose();
  });

  it.each(['rnn', 'lstm', 'gru'])(
    '%s: 2 stacked layers with a profile-set initial state train and infer',
    async (cell) => {
      // Regression: tfjs-layers' RNN.apply writes layer 0's initial state into the kwargs that all layers of a model
      // call share, and layer 1 then threw "When inputs is an array, neither initialState or constants should be
      // provided".
      const model = SequenceRNN.create(config({ cell, layers: 2, profileSize: 3 }));
      const { value, grads } = tf.variableGrads(() => model.loss(batchFor(3)), model.trainableVariables());
      expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
      expect(Object.keys(grads)).toHaveLength(model.trainableVariables().length);
      tf.dispose([value, ...Object.values(grads)]);
      const out = await model.infer(
        inferenceBatch([{ ...seq([1, 2]), profile: Float32Array.of(1, 2, 3) }], 10, 3),
        {
          scores: true,
        },
      );
      expect(out.scores).toHaveLength(NUM_ITEMS);
      model.dispose();
    },
  );

  it('fromArtifacts refuses a network that does not match its config', async () => {
    const model = SequenceRNN.create(config());
    const artifacts = await model.toArtifacts();
    const before = tf.memory().numTensors;
    await expect(SequenceRNN.fromArtifacts(config({ profileSize: 3 }), artifacts)).rejects.toBeInstanceOf(
      ModelFormatError,
    );
    await expect(SequenceRNN.fromArtifacts(config({ layers: 2 }), artifacts)).rejects.toBeInstanceOf(
      ModelFormatError,
    );
    await expect(
      SequenceRNN.fromArtifacts(config(), { ...artifacts, modelTopology: { nonsense: true } }),
    ).rejects.toBeInstanceOf(ModelFormatError);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('leaks nothing: create → dispose returns to the start, and 100 infer calls allocate nothing', async () => {
    const start = tf.memory().numTensors;
    const model = SequenceRNN.create(config({ profileSize: 3, contentSize: 2 }));
    const batch = inferenceBatch(
      HISTORIES.map((h) => ({ ...h, profile: Float32Array.of(1, 2, 3) })),
      10,
      3,
    );
    await model.infer(batch, { scores: true, ratings: true });
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await model.infer(batch, { scores: i % 2 === 0, ratings: true });
    expect(tf.memory().numTensors).toBe(loaded);
    const loss = model.loss(batchFor(3));
    loss.dispose();
    expect(tf.memory().numTensors).toBe(loaded);
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    // A disposed model refuses work.
    await expect(model.infer(batch, { scores: true })).rejects.toThrow(/disposed/);
    expect(() => model.loss(batchFor(3))).toThrow(/disposed/);
  });
});

describe.each(['cpu', 'wasm'] as const)('SequenceRNN ranking losses on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(RANKING_LOSSES)("a few Adam steps lower the '%s' loss on a tiny fixed batch", (loss) => {
    // ratingWeight 0: the loss is the ranking loss alone.
    const model = SequenceRNN.create(config({ loss, ratingWeight: 0 }));
    const batch = withNegatives(batchFor(0), FIXED_NEGATIVES);
    const optimizer = tf.train.adam(0.05);
    const vars = model.trainableVariables();
    const first = tf.tidy(() => model.loss(batch).dataSync()[0]!);
    if (loss === 'bpr') {
      // Untrained, zero ranking bias, small weights: every score difference is near 0, softplus(0) = ln 2.
      expect(first).toBeCloseTo(Math.LN2, 1);
    }
    for (let i = 0; i < 15; i++) optimizer.minimize(() => model.loss(batch), true, vars)?.dispose();
    const last = tf.tidy(() => model.loss(batch).dataSync()[0]!);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.75 * first);
    optimizer.dispose();
    model.dispose();
  });

  it('the three losses differ on the same batch and weights', () => {
    const batch = withNegatives(batchFor(0), FIXED_NEGATIVES);
    const values = RANKING_LOSSES.map((loss) => {
      const model = SequenceRNN.create(config({ loss, ratingWeight: 0 }));
      const v = tf.tidy(() => model.loss(batch).dataSync()[0]!);
      model.dispose();
      return v;
    });
    expect(new Set(values).size).toBe(3);
  });

  it.each(['sampled-softmax', 'bpr'] as const)(
    "'%s' without negatives throws StateError and leaks nothing",
    (loss) => {
      const model = SequenceRNN.create(config({ loss }));
      const before = tf.memory().numTensors;
      expect(() => model.loss(batchFor(0))).toThrow(StateError);
      expect(() => model.loss({ ...batchFor(0), negatives: new Int32Array(0) })).toThrow(StateError);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    },
  );

  it("'sampled-softmax' without the proposal's log-Q throws StateError; 'bpr' does not need it", () => {
    const batch = withNegatives(batchFor(0), FIXED_NEGATIVES);
    const sampled = SequenceRNN.create(config({ loss: 'sampled-softmax' }));
    const before = tf.memory().numTensors;
    expect(() => sampled.loss({ ...batch, negativeLogQ: undefined })).toThrow(StateError);
    expect(() => sampled.loss({ ...batch, targetLogQ: undefined })).toThrow(StateError);
    expect(tf.memory().numTensors).toBe(before);
    sampled.dispose();
    const bpr = SequenceRNN.create(config({ loss: 'bpr' }));
    const v = tf.tidy(
      () => bpr.loss({ ...batch, negativeLogQ: undefined, targetLogQ: undefined }).dataSync()[0]!,
    );
    expect(Number.isFinite(v)).toBe(true);
    bpr.dispose();
  });

  it("softmax ignores negatives; a config without 'loss' (saved before it existed) trains with softmax", () => {
    const plain = batchFor(0);
    const sampled = withNegatives(plain, FIXED_NEGATIVES);
    const legacy = SequenceRNN.create(config());
    const explicit = SequenceRNN.create(config({ loss: 'softmax' }));
    const [a, b, c] = tf.tidy(() => [
      legacy.loss(plain).dataSync()[0]!,
      legacy.loss(sampled).dataSync()[0]!,
      explicit.loss(plain).dataSync()[0]!,
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    legacy.dispose();
    explicit.dispose();
  });
});

describe.each([
  ['cpu', 'rnn'],
  ['cpu', 'lstm'],
  ['cpu', 'gru'],
  ['wasm', 'rnn'],
  ['wasm', 'lstm'],
  ['wasm', 'gru'],
] as const)('SequenceRNN dropout on %s (%s cell)', (backend, cell) => {
  const DROPOUT = { dropout: 0.3, recurrentDropout: 0.3 };

  beforeAll(async () => {
    await useBackend(backend);
  });

  /** Losses of `steps` Adam steps from a fresh model. */
  function trainLosses(overrides: Partial<SequenceRNNConfig>, steps: number): number[] {
    const model = SequenceRNN.create(config({ cell, ...overrides }));
    const optimizer = tf.train.adam(0.05);
    const vars = model.trainableVariables();
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const cost = optimizer.minimize(() => model.loss(batchFor(0), true), true, vars)!;
      losses.push(cost.dataSync()[0]!);
      cost.dispose();
    }
    optimizer.dispose();
    model.dispose();
    return losses;
  }

  it('the same seed gives identical losses over several training steps; another seed does not', () => {
    const a = trainLosses(DROPOUT, 4);
    expect(trainLosses(DROPOUT, 4)).toEqual(a);
    expect(trainLosses({ ...DROPOUT, seed: 8 }, 4)).not.toEqual(a);
  });

  it('training losses differ from inference losses and from the dropout-free twin; masks are redrawn per call', () => {
    const withDropout = SequenceRNN.create(config({ cell, ...DROPOUT }));
    const without = SequenceRNN.create(config({ cell }));
    const batch = batchFor(0);
    const [train1, train2, inference, twin] = tf.tidy(() => [
      withDropout.loss(batch, true).dataSync()[0]!,
      withDropout.loss(batch, true).dataSync()[0]!,
      withDropout.loss(batch, false).dataSync()[0]!,
      without.loss(batch, true).dataSync()[0]!,
    ]);
    // Dropout does not change the initial weights (same seed, same shapes): without masks, the two models agree.
    expect(inference).toBeCloseTo(twin, 6);
    expect(train1).not.toBe(inference);
    expect(Math.abs(train1 - twin)).toBeGreaterThan(1e-4);
    // Each call draws new masks (the previous batch's are not reused).
    expect(train2).not.toBe(train1);
    withDropout.dispose();
    without.dispose();
  });

  it('no training mask leaks into inference: infer is identical around a training loss, and equals the twin', async () => {
    const model = SequenceRNN.create(config({ cell, ...DROPOUT }));
    const twin = SequenceRNN.create(config({ cell }));
    const batch = inferenceBatch(HISTORIES, 10, 0);
    // A training loss first, so the cells hold training masks (of the same [3 rows, …] shape as this batch's)
    // when infer runs; then infer twice around another training loss.
    tf.tidy(() => model.loss(batchFor(0), true).dataSync());
    const before = await model.infer(batch, { scores: true, ratings: true });
    tf.tidy(() => model.loss(batchFor(0), true).dataSync());
    const after = await model.infer(batch, { scores: true, ratings: true });
    expect(Array.from(after.scores!)).toEqual(Array.from(before.scores!));
    expect(Array.from(after.ratings!)).toEqual(Array.from(before.ratings!));
    const reference = await twin.infer(batch, { scores: true, ratings: true });
    expect(Array.from(after.scores!)).toEqual(Array.from(reference.scores!));
    model.dispose();
    twin.dispose();
  });

  it('masks are disposed: 50 loss / infer calls allocate nothing, dispose returns to the start', async () => {
    const start = tf.memory().numTensors;
    const model = SequenceRNN.create(config({ cell, ...DROPOUT }));
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const train = batchFor(0);
    const round = async (i: number) => {
      model.loss(train, i % 3 !== 2).dispose();
      await model.infer(batch, { scores: true });
    };
    await round(0);
    const warm = tf.memory().numTensors;
    for (let i = 1; i <= 50; i++) await round(i);
    expect(tf.memory().numTensors).toBe(warm);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe.each(['cpu', 'wasm'] as const)('SequenceRNN taste head on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const tasteInputs = [seq([0, 2]), seq([4])];
  const held = [
    { items: Int32Array.of(1, 3), ratings: Float32Array.of(0.5, 1) },
    { items: Int32Array.of(5, 6, 7), ratings: Float32Array.of(0, Number.NaN, 0.25) },
  ];

  function logSoftmax(row: Float32Array): number[] {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    return Array.from(row, (v) => v - lse);
  }

  it("scores with the chosen head: 'blend' is log-softmax(next) + log-softmax(taste), row by row", async () => {
    const model = SequenceRNN.create(config({ tasteHead: true }));
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const next = (await model.infer(batch, { scores: true, head: 'next' })).scores!;
    const taste = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
    const blend = (await model.infer(batch, { scores: true, head: 'blend' })).scores!;
    for (let r = 0; r < HISTORIES.length; r++) {
      const row = (a: Float32Array) => a.subarray(r * NUM_ITEMS, (r + 1) * NUM_ITEMS);
      const expected = logSoftmax(row(next)).map((v, i) => v + logSoftmax(row(taste))[i]!);
      Array.from(row(blend)).forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i]!, 4);
      });
    }
    // The heads differ (separately initialised kernels).
    expect(Array.from(next)).not.toEqual(Array.from(taste));
    model.dispose();
  });

  it('without a taste head every choice scores with the ranking head', async () => {
    const model = SequenceRNN.create(config());
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const next = (await model.infer(batch, { scores: true, head: 'next' })).scores!;
    const blend = (await model.infer(batch, { scores: true, head: 'blend' })).scores!;
    expect(Array.from(blend)).toEqual(Array.from(next));
    model.dispose();
  });

  it('a taste step moves the taste head and leaves the ranking head alone', () => {
    const model = SequenceRNN.create(config({ tasteHead: true }));
    const weightsOf = (name: string) => layerWeights(model, name);
    const rankingBefore = weightsOf('ranking_head');
    const tasteBefore = weightsOf('taste_head');
    const optimizer = tf.train.sgd(0.5);
    const batch = tasteBatch(tasteInputs, held, NUM_ITEMS, 10, 0);
    const before = tf.memory().numTensors;
    const loss = optimizer.minimize(() => model.loss(batch), true, model.trainableVariables())!;
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(weightsOf('ranking_head')).toEqual(rankingBefore);
    expect(weightsOf('taste_head')).not.toEqual(tasteBefore);
    optimizer.dispose();
    model.dispose();
  });

  it('saves and loads the taste head', async () => {
    const model = SequenceRNN.create(config({ tasteHead: true }));
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const before = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
    const loaded = await SequenceRNN.fromArtifacts(model.config, await model.toArtifacts());
    const after = (await loaded.infer(batch, { scores: true, head: 'taste' })).scores!;
    expect(Array.from(after)).toEqual(Array.from(before));
    model.dispose();
    loaded.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('SequenceRNN item parameters on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('a row is [embedding, ranking kernel column + bias, rating kernel column + bias, taste …]', () => {
    const model = SequenceRNN.create(config({ tasteHead: true }));
    const e = 4;
    const d = 8;
    expect(model.itemParameterWidth).toBe(e + 3 * (d + 1));
    const rows = model.itemParameters();
    expect(rows.length).toBe(NUM_ITEMS * model.itemParameterWidth);
    const weight = (name: string) => weightValues(model, name);
    const embedding = weight('item_embedding/embeddings');
    const kernel = weight('ranking_head/kernel');
    const bias = weight('ranking_head/bias');
    const ratingBias = weight('rating_head/bias');
    const w = model.itemParameterWidth;
    for (const i of [0, 5, NUM_ITEMS - 1]) {
      // Item i reads token i + 2 (TOKEN_OFFSET).
      expect(Array.from(rows.subarray(i * w, i * w + e))).toEqual(
        Array.from(embedding.subarray((i + 2) * e, (i + 3) * e)),
      );
      for (let j = 0; j < d; j++) expect(rows[i * w + e + j]).toBe(kernel[j * NUM_ITEMS + i]);
      expect(rows[i * w + e + d]).toBe(bias[i]);
      expect(rows[i * w + e + 2 * (d + 1) - 1]).toBe(ratingBias[i]);
    }
    model.dispose();
  });

  it('setItemParameters writes the chosen movies only, and changes their scores; bad input throws', async () => {
    const model = SequenceRNN.create(config({ tasteHead: true }));
    const w = model.itemParameterWidth;
    const before = model.itemParameters();
    const batch = inferenceBatch(HISTORIES, 10, 0);
    const scoresBefore = (await model.infer(batch, { scores: true, head: 'next' })).scores!;
    const rows = Float32Array.from({ length: 2 * w }, (_, i) => (i % 7) / 10 - 0.3);
    const tensors = tf.memory().numTensors;
    model.setItemParameters([3, 9], rows);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = model.itemParameters();
    for (let i = 0; i < NUM_ITEMS; i++) {
      const row = Array.from(after.subarray(i * w, (i + 1) * w));
      if (i === 3) expect(row).toEqual(Array.from(rows.subarray(0, w)));
      else if (i === 9) expect(row).toEqual(Array.from(rows.subarray(w)));
      else expect(row).toEqual(Array.from(before.subarray(i * w, (i + 1) * w)));
    }
    const scoresAfter = (await model.infer(batch, { scores: true, head: 'next' })).scores!;
    expect(scoresAfter[3]).not.toBe(scoresBefore[3]);
    expect(scoresAfter[0]).toBe(scoresBefore[0]);
    expect(() => model.setItemParameters([NUM_ITEMS], rows.subarray(0, w))).toThrow(RangeError);
    expect(() => model.setItemParameters([1], rows)).toThrow(RangeError);
    model.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('SequenceRNN whole-history path on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const H = 2;
  const withHistory = () => SequenceRNN.create(config({ tasteHead: true, historySize: H }));

  function setWeight(model: SequenceRNN, name: string, values: number[]): void {
    const w = model.network.weights.find((v) => v.originalName === name)!;
    tf.tidy(() => {
      w.write(tf.tensor(values, w.shape as number[]));
    });
  }

  it('adds W_ω tanh(W_β b + c_β) to the taste logits, b the 1/√n bag of the whole history (hand-computed)', async () => {
    const model = withHistory();
    // W_β row i = [0.1 (i + 1), −0.2]; c_β = [0.05, 0.1]; W_ω column i = [1, i / 10].
    setWeight(
      model,
      'history_encoder/kernel',
      Array.from({ length: NUM_ITEMS }, (_, i) => [0.1 * (i + 1), -0.2]).flat(),
    );
    setWeight(model, 'history_encoder/bias', [0.05, 0.1]);
    // A history longer than maxLength 3: the bag still holds all of it.
    const histories = [seq([0, 1, 2, 3, 4]), seq([5]), seq([])];
    const batch = inferenceBatch(histories, 3, 0);
    setWeight(model, 'taste_history/kernel', new Array(H * NUM_ITEMS).fill(0));
    const base = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
    setWeight(model, 'taste_history/kernel', [
      ...new Array(NUM_ITEMS).fill(1),
      ...Array.from({ length: NUM_ITEMS }, (_, i) => i / 10),
    ]);
    const scores = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
    // Row 0: five movies, 1/√5 each: z = [0.1 (1+2+3+4+5) / √5 + 0.05, −0.2 · 5 / √5 + 0.1].
    const encoded = [
      [Math.tanh(1.5 / Math.sqrt(5) + 0.05), Math.tanh(-1 / Math.sqrt(5) + 0.1)],
      [Math.tanh(0.6 + 0.05), Math.tanh(-0.2 + 0.1)],
      [Math.tanh(0.05), Math.tanh(0.1)],
    ];
    encoded.forEach(([a, b], r) => {
      for (let i = 0; i < NUM_ITEMS; i++) {
        const at = r * NUM_ITEMS + i;
        expect(scores[at]! - base[at]!).toBeCloseTo(a! + (b! * i) / 10, 5);
      }
    });
    // The ranking head ('next') does not read the bag.
    const next = (await model.infer(batch, { scores: true, head: 'next' })).scores!;
    setWeight(model, 'taste_history/kernel', new Array(H * NUM_ITEMS).fill(0));
    expect(Array.from((await model.infer(batch, { scores: true, head: 'next' })).scores!)).toEqual(
      Array.from(next),
    );
    model.dispose();
  });

  it('a taste step trains the history path; a next-movie step does not touch it', () => {
    const model = withHistory();
    const weightsOf = (name: string) => layerWeights(model, name);
    const before = [weightsOf('history_encoder'), weightsOf('taste_history')];
    const optimizer = tf.train.sgd(0.5);
    optimizer.minimize(() => model.loss(batchFor(0)), false, model.trainableVariables());
    expect([weightsOf('history_encoder'), weightsOf('taste_history')]).toEqual(before);
    const held = [{ items: Int32Array.of(1, 3), ratings: Float32Array.of(0.5, 1) }];
    const taste = tasteBatch([seq([0, 2])], held, NUM_ITEMS, 10, 0);
    const tensors = tf.memory().numTensors;
    optimizer.minimize(() => model.loss(taste), false, model.trainableVariables());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(weightsOf('history_encoder')).not.toEqual(before[0]);
    expect(weightsOf('taste_history')).not.toEqual(before[1]);
    optimizer.dispose();
    model.dispose();
  });

  it('historyDropout drops bag entries in training only, seeded; inference reads the whole bag', async () => {
    const held = [{ items: Int32Array.of(1, 3), ratings: Float32Array.of(0.5, 1) }];
    const taste = tasteBatch([seq([0, 2, 4, 5, 6, 7, 8])], held, NUM_ITEMS, 10, 0);
    const lossesOf = (historyDropout: number) => {
      const model = SequenceRNN.create(config({ tasteHead: true, historySize: H, historyDropout }));
      const out = [0, 1, 2].map(() => tf.tidy(() => model.loss(taste).dataSync()[0]!));
      out.push(tf.tidy(() => model.loss(taste, false).dataSync()[0]!));
      model.dispose();
      return out;
    };
    const plain = lossesOf(0);
    const dropped = lossesOf(0.5);
    // Without dropout every training loss equals the inference loss; with it, masks differ call to call.
    expect(new Set(plain).size).toBe(1);
    expect(new Set(dropped.slice(0, 3)).size).toBeGreaterThan(1);
    expect(dropped[3]).toBeCloseTo(plain[3]!, 6);
    expect(lossesOf(0.5)).toEqual(dropped);
  });

  it('item rows end with the movie’s encoder row and taste-history column; saves and loads; leaks nothing', async () => {
    const model = withHistory();
    const d = 8;
    const w = model.itemParameterWidth;
    expect(w).toBe(4 + 3 * (d + 1) + 2 * H);
    const rows = model.itemParameters();
    const weight = (name: string) => weightValues(model, name);
    const input = weight('history_encoder/kernel');
    const output = weight('taste_history/kernel');
    for (const i of [0, 7]) {
      expect(Array.from(rows.subarray(i * w + w - 2 * H, i * w + w - H))).toEqual(
        Array.from(input.subarray(i * H, (i + 1) * H)),
      );
      expect(Array.from(rows.subarray(i * w + w - H, (i + 1) * w))).toEqual([
        output[i]!,
        output[NUM_ITEMS + i]!,
      ]);
    }
    const changed = Float32Array.from({ length: w }, (_, j) => j / 50);
    model.setItemParameters([4], changed);
    expect(Array.from(model.itemParameters().subarray(4 * w, 5 * w))).toEqual(Array.from(changed));

    const batch = inferenceBatch(HISTORIES, 10, 0);
    const start = tf.memory().numTensors;
    const before = (await model.infer(batch, { scores: true, head: 'blend' })).scores!;
    for (let i = 0; i < 20; i++) await model.infer(batch, { scores: true, head: 'taste' });
    expect(tf.memory().numTensors).toBe(start);
    const loaded = await SequenceRNN.fromArtifacts(model.config, await model.toArtifacts());
    expect(Array.from((await loaded.infer(batch, { scores: true, head: 'blend' })).scores!)).toEqual(
      Array.from(before),
    );
    model.dispose();
    loaded.dispose();
    // Without the taste head there is no history path (it feeds the taste logits).
    const plain = SequenceRNN.create(config({ historySize: H }));
    expect(plain.network.inputs.length).toBe(2);
    plain.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)(
  'SequenceRNN movie-to-movie path (historyLinear) on %s',
  (backend) => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    const linear = (historySize = 0) =>
      SequenceRNN.create(config({ tasteHead: true, historyLinear: true, historySize }));

    it('starts at zero, then adds W_μᵀ b to the taste logits, b the 1/√n bag (hand-computed); leaks nothing', async () => {
      const model = linear();
      expect(Array.from(weightValues(model, 'history_items/kernel')).every((v) => v === 0)).toBe(true);
      const histories = [seq([0, 1, 2, 3]), seq([5]), seq([])];
      const batch = inferenceBatch(histories, 3, 0);
      const base = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
      // W_μ[i][j] = (i + 1) / 10 when j = i + 1, else 0: each movie i lifts movie i + 1.
      const kernel = new Array(NUM_ITEMS * NUM_ITEMS).fill(0);
      for (let i = 0; i + 1 < NUM_ITEMS; i++) kernel[i * NUM_ITEMS + i + 1] = (i + 1) / 10;
      const w = model.network.weights.find((v) => v.originalName === 'history_items/kernel')!;
      tf.tidy(() => {
        w.write(tf.tensor2d(kernel, [NUM_ITEMS, NUM_ITEMS]));
      });
      const start = tf.memory().numTensors;
      const scores = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
      expect(tf.memory().numTensors).toBe(start);
      // Row 0 reads movies 0–3 at 1/2 each: movies 1–4 gain 0.1/2, 0.2/2, 0.3/2, 0.4/2. Row 1: movie 6 gains 0.6.
      const expected = [
        [0, 0.05, 0.1, 0.15, 0.2, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0.6, 0, 0, 0, 0, 0],
        new Array(NUM_ITEMS).fill(0),
      ];
      expected.forEach((row, r) => {
        row.forEach((v, j) => {
          expect(scores[r * NUM_ITEMS + j]! - base[r * NUM_ITEMS + j]!).toBeCloseTo(v, 5);
        });
      });
      model.dispose();
    });

    it('trains in taste steps only, beside the encoder too; saves and loads', async () => {
      const model = linear(2);
      const before = layerWeights(model, 'history_items');
      const optimizer = tf.train.sgd(0.5);
      optimizer.minimize(() => model.loss(batchFor(0)), false, model.trainableVariables());
      expect(layerWeights(model, 'history_items')).toEqual(before);
      const held = [{ items: Int32Array.of(1, 3), ratings: Float32Array.of(0.5, 1) }];
      optimizer.minimize(
        () => model.loss(tasteBatch([seq([0, 2])], held, NUM_ITEMS, 10, 0)),
        false,
        model.trainableVariables(),
      );
      const after = weightValues(model, 'history_items/kernel');
      // Only the rows of the movies read (0 and 2) move.
      for (let i = 0; i < NUM_ITEMS; i++) {
        const moved = after.subarray(i * NUM_ITEMS, (i + 1) * NUM_ITEMS).some((v) => v !== 0);
        expect(moved).toBe(i === 0 || i === 2);
      }
      // Movie 1 (held out) gains from the movies read; the diagonal and unrelated movies are pushed down.
      expect(after[0 * NUM_ITEMS + 1]!).toBeGreaterThan(0);
      expect(after[0 * NUM_ITEMS + 0]!).toBeLessThan(0);
      expect(after[0 * NUM_ITEMS + 5]!).toBeLessThan(0);
      optimizer.dispose();
      const batch = inferenceBatch(HISTORIES, 10, 0);
      const scores = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
      const loaded = await SequenceRNN.fromArtifacts(model.config, await model.toArtifacts());
      expect(Array.from((await loaded.infer(batch, { scores: true, head: 'taste' })).scores!)).toEqual(
        Array.from(scores),
      );
      loaded.dispose();
      model.dispose();
    });

    it("historyLinearBag 'binary' reads each movie at 1 (hand-computed); historyLinearTrainable false keeps the matrix", async () => {
      const kernel = new Float32Array(NUM_ITEMS * NUM_ITEMS);
      for (let i = 0; i + 1 < NUM_ITEMS; i++) kernel[i * NUM_ITEMS + i + 1] = (i + 1) / 10;
      const model = SequenceRNN.create(
        config({
          tasteHead: true,
          historyLinear: true,
          historyLinearBag: 'binary',
          historyLinearTrainable: false,
        }),
        { historyItems: kernel },
      );
      const batch = inferenceBatch([seq([0, 1, 2, 3]), seq([5])], 3, 0);
      const scores = (await model.infer(batch, { scores: true, head: 'taste' })).scores!;
      const plain = SequenceRNN.create(config({ tasteHead: true, historyLinear: true }));
      plain.setWeights(
        model.getWeights().map((w) => (w.length === kernel.length ? new Float32Array(w.length) : w)),
      );
      const base = (await plain.infer(batch, { scores: true, head: 'taste' })).scores!;
      // Row 0 reads movies 0–3 at 1 each: movies 1–4 gain 0.1 … 0.4. Row 1: movie 6 gains 0.6.
      const expected = [
        [0, 0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0.6, 0, 0, 0, 0, 0],
      ];
      expected.forEach((row, r) => {
        row.forEach((v, j) => {
          expect(scores[r * NUM_ITEMS + j]! - base[r * NUM_ITEMS + j]!).toBeCloseTo(v, 5);
        });
      });
      // Not trainable: not among the trainable variables, unchanged by a taste step.
      const names = model.network.trainableWeights.map((w) => w.originalName);
      expect(names).not.toContain('history_items/kernel');
      const optimizer = tf.train.sgd(0.5);
      const held = [{ items: Int32Array.of(1, 3), ratings: Float32Array.of(0.5, 1) }];
      optimizer.minimize(
        () => model.loss(tasteBatch([seq([0, 2])], held, NUM_ITEMS, 10, 0)),
        false,
        model.trainableVariables(),
      );
      expect(Array.from(weightValues(model, 'history_items/kernel'))).toEqual(Array.from(kernel));
      optimizer.dispose();
      plain.dispose();
      model.dispose();
    });

    it('starts from init.historyItems and init.tasteBias when given (and refuses a matrix of the wrong size)', () => {
      const start = Float32Array.from({ length: NUM_ITEMS * NUM_ITEMS }, (_, at) => (at % 7) / 10);
      const rankingBias = Float32Array.from({ length: NUM_ITEMS }, (_, i) => i / 4);
      const tasteBias = Float32Array.from({ length: NUM_ITEMS }, (_, i) => -i);
      const model = SequenceRNN.create(config({ tasteHead: true, historyLinear: true }), {
        historyItems: start,
        rankingBias,
        tasteBias,
      });
      expect(Array.from(weightValues(model, 'history_items/kernel'))).toEqual(Array.from(start));
      expect(Array.from(weightValues(model, 'taste_head/bias'))).toEqual(Array.from(tasteBias));
      expect(Array.from(weightValues(model, 'ranking_head/bias'))).toEqual(Array.from(rankingBias));
      model.dispose();
      const tensors = tf.memory().numTensors;
      expect(() =>
        SequenceRNN.create(config({ tasteHead: true, historyLinear: true }), {
          historyItems: new Float32Array(NUM_ITEMS),
        }),
      ).toThrow(/historyItems: expected 144 values, got 12/);
      expect(tf.memory().numTensors).toBe(tensors);
    });

    it('setItemParameters gives the chosen movies a zero row and the other movies’ mean column', () => {
      const model = linear();
      // W[i][j] = i + j / 10.
      const kernel = Array.from(
        { length: NUM_ITEMS * NUM_ITEMS },
        (_, at) => Math.floor(at / NUM_ITEMS) + (at % NUM_ITEMS) / 10,
      );
      const w = model.network.weights.find((v) => v.originalName === 'history_items/kernel')!;
      tf.tidy(() => {
        w.write(tf.tensor2d(kernel, [NUM_ITEMS, NUM_ITEMS]));
      });
      model.setItemParameters([3, 5], new Float32Array(2 * model.itemParameterWidth));
      // Row i's mean over the ten other columns: i + (66 − 3 − 5) / 10 / 10 = i + 0.58.
      const after = weightValues(model, 'history_items/kernel');
      for (let i = 0; i < NUM_ITEMS; i++) {
        for (let j = 0; j < NUM_ITEMS; j++) {
          const expected = i === 3 || i === 5 ? 0 : j === 3 || j === 5 ? i + 0.58 : i + j / 10;
          expect(after[i * NUM_ITEMS + j]).toBeCloseTo(expected, 5);
        }
      }
      model.dispose();
    });
  },
);
