/**
 * Saving and loading a trained pipeline.
 *
 * A saved model is a tfjs layers model — `model.json` (topology + weights manifest) and `weights.bin` — whose
 * `userDefinedMetadata.reelrec` holds everything else a recommender needs: options, the catalog, the feature and
 * profile state, and (as extra `reelrec/…` weights) each known user's history. Any tfjs IO handler can store it
 * (IndexedDB, local storage, HTTP, memory); in Node a folder path is written atomically.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_DEFAULTS, type ResolvedOptions, TRAINING_DEFAULTS } from './config/defaults';
import { MovieIndex } from './data/catalog';
import type { RatingScale, User } from './data/types';
import { ModelFormatError } from './errors';
import { FeatureExtractor, type FeatureExtractorJSON } from './features/feature-extractor';
import { registeredCells } from './model/cells';
import { SequenceRNN, type SequenceRNNConfig } from './model/sequence-rnn';
import type { FittedState, StoredUser } from './pipeline';
import { MODEL_FILE, readModelFolder, writeModelFolder } from './platform/node-store';
import { UserProfiler, type UserProfilerJSON } from './profile/user-profiler';
import type { RecommenderModuleOptions } from './recommend/recommender';
import type { FitSummary } from './recommend/types';

/**
 * Version of the saved format this release writes; it reads this and every older version.
 *
 * @example
 * ```ts
 * import { FORMAT_VERSION } from 'reelrec';
 * console.log(FORMAT_VERSION); // 1
 * ```
 */
export const FORMAT_VERSION = 1;

/** The weights file of a saved folder. */
const WEIGHTS_FILE = 'weights.bin';
/** Prefix of reelrec's own entries among the weights. */
const EXTRA = 'reelrec/';
/** int32 stand-in for an unknown timestamp. */
const NO_TIME = -2147483648;

/** What `userDefinedMetadata.reelrec` holds. */
export interface SavedMetadata {
  formatVersion: number;
  generatedBy: string;
  options: ResolvedOptions;
  modelConfig: SequenceRNNConfig;
  recommender: RecommenderModuleOptions;
  datasetName: string;
  ratingScale: RatingScale;
  globalMean: number;
  titles: string[];
  features: FeatureExtractorJSON | null;
  profiler: UserProfilerJSON | null;
  demographics: Array<[number, Omit<User, 'id'>]>;
  timeBase: number;
  fitSummary: FitSummary;
}

/** The parts a loaded pipeline is rebuilt from. */
export interface LoadedParts {
  options: ResolvedOptions;
  recommender: RecommenderModuleOptions;
  features: FeatureExtractor | null;
  profiler: UserProfiler | null;
  state: FittedState;
}

/** Where a model goes or comes from: a folder path (Node), a tfjs URL (`indexeddb://…`) or an IO handler. */
export type ModelLocation = string | tf.io.IOHandler;

interface ExtraArray {
  name: string;
  dtype: 'int32' | 'float32';
  values: Int32Array | Float32Array;
}

/** Builds the artifacts of a fitted pipeline. */
export async function toArtifacts(
  state: FittedState,
  parts: {
    options: ResolvedOptions;
    recommender: RecommenderModuleOptions;
    features: FeatureExtractor | null;
    profiler: UserProfiler | null;
  },
  version: string,
): Promise<tf.io.ModelArtifacts> {
  const network = await state.model.toArtifacts();
  const userIds = [...state.users.keys()];
  const offsets = new Int32Array(userIds.length + 1);
  userIds.forEach((u, i) => {
    offsets[i + 1] = offsets[i]! + state.users.get(u)!.items.length;
  });
  const total = offsets[userIds.length]!;
  const items = new Int32Array(total);
  const ratings = new Float32Array(total);
  const times = new Int32Array(total);
  let timeBase = Number.POSITIVE_INFINITY;
  for (const u of state.users.values())
    for (const t of u.times) if (Number.isFinite(t) && t < timeBase) timeBase = t;
  if (!Number.isFinite(timeBase)) timeBase = 0;
  userIds.forEach((u, i) => {
    const s = state.users.get(u)!;
    items.set(s.items, offsets[i]!);
    ratings.set(s.ratings, offsets[i]!);
    s.times.forEach((t, j) => {
      const rel = t - timeBase;
      if (Number.isFinite(t) && rel > 2147483647) {
        throw new ModelFormatError(
          'timestamps span more than 68 years: the saved format stores them as int32 seconds',
        );
      }
      times[offsets[i]! + j] = Number.isFinite(t) ? Math.round(rel) : NO_TIME;
    });
  });
  const extras: ExtraArray[] = [
    { name: 'catalog_ids', dtype: 'int32', values: state.catalog.ids },
    { name: 'popularity', dtype: 'float32', values: state.popularity },
    { name: 'user_ids', dtype: 'int32', values: Int32Array.from(userIds) },
    { name: 'user_offsets', dtype: 'int32', values: offsets },
    { name: 'history_items', dtype: 'int32', values: items },
    { name: 'history_ratings', dtype: 'float32', values: ratings },
    { name: 'history_times', dtype: 'int32', values: times },
  ];
  const metadata: SavedMetadata = {
    formatVersion: FORMAT_VERSION,
    generatedBy: `reelrec ${version}`,
    options: parts.options,
    modelConfig: state.model.config,
    recommender: parts.recommender,
    datasetName: state.datasetName,
    ratingScale: state.ratingScale,
    globalMean: state.globalMean,
    titles: state.titles,
    features: parts.features?.fitted ? parts.features.toJSON() : null,
    profiler: parts.profiler?.fitted ? parts.profiler.toJSON() : null,
    demographics: [...state.users.entries()].flatMap(([id, u]) =>
      u.demographics ? [[id, u.demographics]] : [],
    ) as Array<[number, Omit<User, 'id'>]>,
    timeBase,
    fitSummary: state.summary,
  };
  const networkData = network.weightData ? flatten(network.weightData) : new ArrayBuffer(0);
  const extraBytes = extras.map(
    (e) => new Uint8Array(e.values.buffer, e.values.byteOffset, e.values.byteLength),
  );
  const weightData = concat([new Uint8Array(networkData), ...extraBytes]);
  return {
    modelTopology: network.modelTopology,
    format: 'layers-model',
    generatedBy: `reelrec ${version}`,
    convertedBy: null,
    weightSpecs: [
      ...(network.weightSpecs ?? []),
      ...extras.map((e) => ({ name: EXTRA + e.name, shape: [e.values.length], dtype: e.dtype })),
    ],
    weightData: weightData.buffer as ArrayBuffer,
    userDefinedMetadata: { reelrec: metadata as unknown as Record<string, never> },
  };
}

/** Saves artifacts to a folder (Node) or through a tfjs IO handler / URL. */
export async function writeArtifacts(target: ModelLocation, artifacts: tf.io.ModelArtifacts): Promise<void> {
  const handler = typeof target === 'string' ? saveHandlerFor(target) : target;
  if (handler) {
    if (!handler.save) throw new ModelFormatError('the IO handler given cannot save (it has no save method)');
    await handler.save(artifacts);
    return;
  }
  const folder = (target as string).replace(/^file:\/\//, '');
  const manifest = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  await writeModelFolder(folder, {
    [MODEL_FILE]: JSON.stringify(manifest),
    [WEIGHTS_FILE]: new Uint8Array(flatten(artifacts.weightData!)),
  });
}

/** Loads artifacts from a folder (Node) or through a tfjs IO handler / URL, checking them before any allocation. */
export async function readArtifacts(source: ModelLocation): Promise<tf.io.ModelArtifacts> {
  const handler = typeof source === 'string' ? loadHandlerFor(source) : source;
  let artifacts: tf.io.ModelArtifacts;
  if (handler) {
    if (!handler.load) throw new ModelFormatError('the IO handler given cannot load (it has no load method)');
    artifacts = await handler.load();
  } else {
    const folder = await readModelFolder((source as string).replace(/^file:\/\//, ''));
    const manifest = folder.manifest as {
      weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    } & tf.io.ModelArtifacts;
    if (!Array.isArray(manifest.weightsManifest)) {
      throw new ModelFormatError(`${MODEL_FILE} has no weightsManifest: not a tfjs layers model`);
    }
    checkMetadata(manifest.userDefinedMetadata);
    const paths = manifest.weightsManifest.flatMap((g) => g.paths);
    artifacts = {
      ...manifest,
      weightSpecs: manifest.weightsManifest.flatMap((g) => g.weights),
      weightData: await folder.readWeights(paths),
    };
  }
  checkMetadata(artifacts.userDefinedMetadata);
  checkWeights(artifacts);
  return artifacts;
}

/** Rebuilds a pipeline's parts from checked artifacts. */
export async function fromArtifacts(artifacts: tf.io.ModelArtifacts): Promise<LoadedParts> {
  const meta = checkMetadata(artifacts.userDefinedMetadata);
  const specs = artifacts.weightSpecs ?? [];
  const data = new Uint8Array(flatten(artifacts.weightData!));
  const networkSpecs: tf.io.WeightsManifestEntry[] = [];
  const networkParts: Uint8Array[] = [];
  const extras = new Map<string, Uint8Array>();
  let offset = 0;
  for (const spec of specs) {
    const bytes = byteLength(spec);
    const slice = data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.name.startsWith(EXTRA)) extras.set(spec.name.slice(EXTRA.length), slice);
    else {
      networkSpecs.push(spec);
      networkParts.push(slice);
    }
  }
  const int32 = (name: string) => new Int32Array(copyOf(requireExtra(extras, name)));
  const float32 = (name: string) => new Float32Array(copyOf(requireExtra(extras, name)));
  const catalog = new MovieIndex(int32('catalog_ids'));
  if (catalog.size !== meta.modelConfig.numItems) {
    throw new ModelFormatError(
      `the catalog holds ${catalog.size} movies but the model was built for ${meta.modelConfig.numItems}`,
    );
  }
  const userIds = int32('user_ids');
  const offsets = int32('user_offsets');
  const items = int32('history_items');
  const ratings = float32('history_ratings');
  const times = int32('history_times');
  if (offsets.length !== userIds.length + 1 || offsets[userIds.length] !== items.length) {
    throw new ModelFormatError('the saved user histories are inconsistent (offsets do not match the items)');
  }
  const demographics = new Map(meta.demographics);
  const users = new Map<number, StoredUser>();
  userIds.forEach((u, i) => {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    users.set(u, {
      items: items.slice(from, to),
      ratings: ratings.slice(from, to),
      times: Float64Array.from(times.subarray(from, to), (t) =>
        t === NO_TIME ? Number.NaN : t + meta.timeBase,
      ),
      demographics: demographics.get(u),
    });
  });
  const model = await SequenceRNN.fromArtifacts(meta.modelConfig, {
    modelTopology: artifacts.modelTopology,
    weightSpecs: networkSpecs,
    weightData: concat(networkParts).buffer as ArrayBuffer,
    format: artifacts.format,
  });
  // restore() also reloads the stemmer the text features were fitted with (for movies added later).
  const features = meta.features ? await FeatureExtractor.restore(meta.features) : null;
  const profiler = meta.profiler
    ? UserProfiler.fromJSON(meta.profiler, { features: features ?? undefined })
    : null;
  return {
    // Options added since the model was saved take their defaults.
    options: {
      ...meta.options,
      model: { ...MODEL_DEFAULTS, ...meta.options.model },
      training: { ...TRAINING_DEFAULTS, ...meta.options.training },
    },
    recommender: meta.recommender,
    features,
    profiler,
    state: {
      catalog,
      titles: meta.titles,
      popularity: float32('popularity'),
      users,
      ratingScale: meta.ratingScale,
      globalMean: meta.globalMean,
      model,
      summary: meta.fitSummary,
      datasetName: meta.datasetName,
    },
  };
}

/** Checks the reelrec metadata before anything is allocated. */
function checkMetadata(userDefined: unknown): SavedMetadata {
  const meta = (userDefined as { reelrec?: SavedMetadata } | undefined)?.reelrec;
  if (!meta || typeof meta !== 'object') {
    throw new ModelFormatError('no reelrec metadata: this is not a model saved by reelrec');
  }
  if (!Number.isInteger(meta.formatVersion) || meta.formatVersion < 1) {
    throw new ModelFormatError(`invalid format version ${JSON.stringify(meta.formatVersion)}`);
  }
  if (meta.formatVersion > FORMAT_VERSION) {
    throw new ModelFormatError(
      `the model was saved in format ${meta.formatVersion} by ${meta.generatedBy}; this reelrec reads formats up to ${FORMAT_VERSION}: upgrade reelrec`,
    );
  }
  const cells = registeredCells();
  if (!cells.includes(meta.modelConfig?.cell)) {
    throw new ModelFormatError(
      `the model uses the cell "${meta.modelConfig?.cell}", which is not registered (registered: ${cells.join(', ')}); register it with registerCell() before loading`,
    );
  }
  return meta;
}

/** Checks that the declared weight shapes account for exactly the bytes present. */
function checkWeights(artifacts: tf.io.ModelArtifacts): void {
  const specs = artifacts.weightSpecs ?? [];
  let expected = 0;
  for (const spec of specs) {
    if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ModelFormatError(
        `weight ${spec.name} declares an invalid shape ${JSON.stringify(spec.shape)}`,
      );
    }
    if (spec.quantization)
      throw new ModelFormatError(`weight ${spec.name} is quantized, which reelrec does not read`);
    expected += byteLength(spec);
  }
  const actual = artifacts.weightData ? flatten(artifacts.weightData).byteLength : 0;
  if (expected !== actual) {
    throw new ModelFormatError(
      `the weight shapes declare ${expected} bytes but the weight data holds ${actual}`,
    );
  }
}

function byteLength(spec: tf.io.WeightsManifestEntry): number {
  const per = spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : spec.dtype === 'bool' ? 1 : Number.NaN;
  if (Number.isNaN(per))
    throw new ModelFormatError(`weight ${spec.name} has dtype ${spec.dtype}, which reelrec does not read`);
  return per * spec.shape.reduce((a, b) => a * b, 1);
}

function requireExtra(extras: Map<string, Uint8Array>, name: string): Uint8Array {
  const bytes = extras.get(name);
  if (!bytes) throw new ModelFormatError(`the saved model lacks ${EXTRA}${name}`);
  return bytes;
}

function copyOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

function flatten(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? (concat(data.map((b) => new Uint8Array(b))).buffer as ArrayBuffer) : data;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** A tfjs save handler for URLs with a scheme other than `file://` (`indexeddb://`, `http://`, …). */
function saveHandlerFor(url: string): tf.io.IOHandler | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('file://')) return null;
  const handlers = tf.io.getSaveHandlers(url);
  if (handlers.length === 0) throw new ModelFormatError(`no tfjs IO handler can save to "${url}"`);
  return handlers[0]!;
}

function loadHandlerFor(url: string): tf.io.IOHandler | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('file://')) return null;
  if (/^https?:\/\//i.test(url)) return tf.io.http(url);
  const handlers = tf.io.getLoadHandlers(url);
  if (handlers.length === 0) throw new ModelFormatError(`no tfjs IO handler can load from "${url}"`);
  return handlers[0]!;
}
