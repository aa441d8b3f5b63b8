/**
 * Speed benchmark: training throughput (training positions — predicted steps — per second) of the sigmoid RNN,
 * LSTM and GRU on the cpu and wasm backends at the default model size, and recommendation latency.
 *
 *   npm run bench:speed                      # human-readable
 *   npm run bench:speed -- --json            # one JSON document
 *   npm run bench:speed -- --batches 20 --backends wasm --cells lstm
 *
 * Data: a synthetic catalog shaped like ML-100k (943 users, 1,682 movies, 100,000 ratings), so the benchmark
 * runs anywhere. Training uses the library's own Trainer and SequenceRNN (full softmax, the default options),
 * timing `--batches` batches after `--warmup` batches. Latency: a pipeline trained for one epoch answers
 * `recommend(userId)` `--requests` times after warm-up (p50 and p99), and `recommendMany` for every user
 * (users per second). These are timings on a shared machine: compare ratios within one run.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  createRecommender,
  type EncodedSequence,
  generateSyntheticCatalog,
  MODEL_DEFAULTS,
  MovieIndex,
  SequenceRNN,
  TRAINING_DEFAULTS,
  Trainer,
  type TrainingBatchArrays,
  trainingBatch,
  trainingWindows,
  useBackend,
  userTimelines,
  VERSION,
} from '../src/index';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backends: { type: 'string', default: 'cpu,wasm' },
    cells: { type: 'string', default: 'rnn,lstm,gru' },
    batches: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    requests: { type: 'string', default: '200' },
  },
});
const backends = args.backends.split(',') as BackendName[];
const cells = args.cells.split(',');
const measured = Number(args.batches);
const warmup = Number(args.warmup);
const requests = Number(args.requests);
const log = (line: string) => {
  if (!args.json) console.log(line);
};

const data = generateSyntheticCatalog({
  users: 943,
  movies: 1682,
  interactions: 100_000,
  seed: 42,
  content: false,
});
const catalog = MovieIndex.fromDataset(data);
const sequences: EncodedSequence[] = [...userTimelines(data.ratings).values()].map((rows) => ({
  items: Int32Array.from(rows, (r) => catalog.indexOf(data.ratings.movieIds[r]!)),
  ratings: Float32Array.from(rows, (r) => (data.ratings.ratings[r]! - 1) / 4),
  times: Float64Array.from(rows, (r) => data.ratings.timestamps[r]!),
}));
const windows = trainingWindows(sequences, MODEL_DEFAULTS.maxLength, MODEL_DEFAULTS.windowStride);
log(
  `reelrec ${VERSION} speed benchmark: ${data.ratings.length} ratings, ${catalog.size} movies, ${windows.length} windows; ` +
    `hidden ${MODEL_DEFAULTS.hiddenSize}, embedding ${MODEL_DEFAULTS.embeddingSize}, ${TRAINING_DEFAULTS.batchSize} windows a batch`,
);

interface TrainingRow {
  backend: BackendName;
  cell: string;
  batches: number;
  positions: number;
  seconds: number;
  positionsPerSecond: number;
}

async function trainingSpeed(backend: BackendName, cell: string): Promise<TrainingRow> {
  await useBackend(backend);
  const model = SequenceRNN.create({
    numItems: catalog.size,
    cell,
    hiddenSize: MODEL_DEFAULTS.hiddenSize,
    embeddingSize: MODEL_DEFAULTS.embeddingSize,
    layers: 1,
    recurrentActivation: 'sigmoid',
    contentSize: 0,
    profileSize: 0,
    ratingWeight: MODEL_DEFAULTS.ratingWeight,
    maxLength: MODEL_DEFAULTS.maxLength,
    seed: 42,
  });
  const batchSize = TRAINING_DEFAULTS.batchSize;
  const batchesOf = (from: number, count: number): TrainingBatchArrays[] =>
    Array.from({ length: count }, (_, b) =>
      trainingBatch(sequences, windows.slice((from + b) * batchSize, (from + b + 1) * batchSize), 0),
    );
  const trainer = new Trainer({ epochs: 1, patience: 0 });
  const run = (batches: TrainingBatchArrays[]) =>
    trainer.fit<TrainingBatchArrays>(model, {
      batchCount: () => batches.length,
      positions: (b) => b.targets.length,
      batches: () => batches,
    });
  await run(batchesOf(0, warmup));
  const timed = batchesOf(warmup, measured);
  const summary = await run(timed);
  model.dispose();
  const positions = timed.reduce((n, b) => n + b.targets.length, 0);
  const seconds = summary.history[0]!.seconds;
  return { backend, cell, batches: measured, positions, seconds, positionsPerSecond: positions / seconds };
}

interface InferenceRow {
  backend: BackendName;
  cell: string;
  usersPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function inferenceSpeed(backend: BackendName): Promise<InferenceRow> {
  const rec = await createRecommender({
    backend,
    features: false,
    profiler: false,
    training: { epochs: 1, validation: 'none' },
  });
  await rec.fit(data);
  const users = rec.knownUsers();
  for (let i = 0; i < 20; i++) await rec.recommend(users[i % users.length]!, { k: 10 });
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await rec.recommend(users[i % users.length]!, { k: 10 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const t0 = performance.now();
  await rec.recommendMany(users, { k: 10 });
  const usersPerSecond = users.length / ((performance.now() - t0) / 1000);
  rec.dispose();
  return {
    backend,
    cell: rec.name,
    usersPerSecond,
    latencyMs: { p50: percentile(times, 0.5), p99: percentile(times, 0.99) },
    requests,
  };
}

const training: TrainingRow[] = [];
for (const backend of backends) {
  for (const cell of cells) {
    const row = await trainingSpeed(backend, cell);
    training.push(row);
    log(
      `train  ${backend.padEnd(5)} ${cell.padEnd(5)} ${row.positionsPerSecond.toFixed(0).padStart(7)} positions/s (${row.positions} positions in ${row.seconds.toFixed(2)} s)`,
    );
  }
}
const inference: InferenceRow[] = [];
for (const backend of backends) {
  const row = await inferenceSpeed(backend);
  inference.push(row);
  log(
    `serve  ${backend.padEnd(5)} ${row.cell.padEnd(5)} recommend p50 ${row.latencyMs.p50.toFixed(1)} ms, p99 ${row.latencyMs.p99.toFixed(1)} ms; all users top-10: ${row.usersPerSecond.toFixed(0)} users/s`,
  );
}

if (args.json) {
  const document = {
    benchmark: 'speed',
    reelrec: VERSION,
    tfjs: tf.version_core,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    data: {
      ratings: data.ratings.length,
      movies: catalog.size,
      windows: windows.length,
      source: data.report.source,
    },
    model: {
      hiddenSize: MODEL_DEFAULTS.hiddenSize,
      embeddingSize: MODEL_DEFAULTS.embeddingSize,
      maxLength: MODEL_DEFAULTS.maxLength,
      batchSize: TRAINING_DEFAULTS.batchSize,
      loss: MODEL_DEFAULTS.loss,
    },
    training,
    inference,
  };
  console.log(JSON.stringify(document, null, 2));
}
