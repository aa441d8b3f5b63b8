import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../src/backend';
import { MODEL_DEFAULTS, TRAINING_DEFAULTS } from '../src/config/defaults';
import { createRecommender, loadRecommender } from '../src/create-recommender';
import { generateSyntheticCatalog } from '../src/data/synthetic';
import { ConfigError, DataMissingError, ModelFormatError } from '../src/errors';
import { FORMAT_VERSION } from '../src/persistence';
import type { RecommenderPipeline } from '../src/pipeline';

// Lets a test make the n-th rename of a save fail, as a crash between the two renames of an atomic save would.
const fsControl = vi.hoisted(() => ({ failRename: 0, renames: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      fsControl.renames++;
      if (fsControl.renames === fsControl.failRename) throw new Error('simulated crash between the renames');
      return actual.rename(from, to);
    },
  };
});

const data = generateSyntheticCatalog({ users: 50, movies: 70, ratingsPerUser: 22, seed: 8 });
const USERS = data.users.slice(0, 6).map((u) => u.id);
const MOVIES = data.movies.slice(0, 8).map((m) => m.id);

const SMALL = {
  model: { hiddenSize: 12, embeddingSize: 6, maxLength: 16, windowStride: 8 },
  training: { epochs: 1, batchSize: 32 },
};

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reelrec-persistence-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What a recommender answers, in plain values: lists for known and new users, and ratings. */
async function answers(rec: RecommenderPipeline) {
  const lists = await rec.recommendMany(
    [
      ...USERS,
      {
        items: MOVIES.slice(0, 3).map((movieId, i) => ({
          movieId,
          rating: 3 + (i % 2),
          timestamp: 1e9 + i * 60,
        })),
      },
      { items: [], user: { age: 30, gender: 'F' as const, occupation: 'engineer' } },
    ],
    { k: 5 },
  );
  const ratings = await Promise.all(MOVIES.map((m, i) => rec.predictRating(USERS[i % USERS.length]!, m)));
  return { lists, ratings, users: rec.knownUsers() };
}

async function fitted(backend: 'cpu' | 'wasm', seed: number): Promise<RecommenderPipeline> {
  const rec = await createRecommender({ ...SMALL, seed, backend });
  await rec.fit(data);
  return rec;
}

let dirCount = 0;
const freshDir = () => join(root, `model-${++dirCount}`);

describe.each(['cpu', 'wasm'] as const)('save and load on %s', (backend) => {
  let rec: RecommenderPipeline;
  let expected: Awaited<ReturnType<typeof answers>>;

  beforeAll(async () => {
    rec = await fitted(backend, 1);
    expected = await answers(rec);
  });

  afterAll(() => {
    rec.dispose();
  });

  it('a folder round trip gives identical recommendations, ratings, users and fit summary', async () => {
    const dir = freshDir();
    await rec.save(dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const before = tf.memory().numTensors;
    const loaded = await loadRecommender(dir, { backend });
    expect(loaded.backend).toBe(backend);
    expect(loaded.fitted).toBe(true);
    expect(await answers(loaded)).toEqual(expected);
    expect(loaded.fitSummary).toEqual(rec.fitSummary);
    expect(loaded.options).toEqual(rec.options);
    // A loaded recommender saves again, to the same result.
    const again = freshDir();
    await loaded.save(again);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const reloaded = await loadRecommender(again, { backend });
    expect(await answers(reloaded)).toEqual(expected);
    reloaded.dispose();
  });

  it('a file:// URL is a folder too', async () => {
    const dir = freshDir();
    await rec.save(`file://${dir}`);
    const loaded = await loadRecommender(`file://${dir}`, { backend });
    expect(await answers(loaded)).toEqual(expected);
    loaded.dispose();
  });

  it('saves to and loads from a tfjs IO handler (in memory)', async () => {
    let stored: tf.io.ModelArtifacts | undefined;
    const handler: tf.io.IOHandler = {
      save: async (artifacts) => {
        stored = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
      load: async () => stored!,
    };
    await rec.save(handler);
    expect(stored).toBeDefined();
    const meta = (stored!.userDefinedMetadata as { reelrec: { formatVersion: number } }).reelrec;
    expect(meta.formatVersion).toBe(FORMAT_VERSION);
    const loaded = await loadRecommender(handler, { backend });
    expect(await answers(loaded)).toEqual(expected);
    loaded.dispose();
  });
});

describe('atomic folder saves', () => {
  let a: RecommenderPipeline;
  let b: RecommenderPipeline;
  let fromA: Awaited<ReturnType<typeof answers>>;
  let fromB: Awaited<ReturnType<typeof answers>>;

  beforeAll(async () => {
    a = await fitted('cpu', 1);
    b = await fitted('cpu', 2);
    fromA = await answers(a);
    fromB = await answers(b);
    // Different seeds: the two models answer differently, so a test can tell which one it loaded.
    expect(fromB.lists).not.toEqual(fromA.lists);
  });

  afterAll(() => {
    a.dispose();
    b.dispose();
  });

  async function load(dir: string) {
    const rec = await loadRecommender(dir, { backend: 'cpu' });
    const out = await answers(rec);
    rec.dispose();
    return out;
  }

  it('saving over an existing model folder replaces it and leaves nothing beside it', async () => {
    const parent = join(root, 'replace');
    const dir = join(parent, 'model');
    await a.save(dir); // creates the missing parent
    expect(await load(dir)).toEqual(fromA);
    await b.save(dir);
    expect(await load(dir)).toEqual(fromB);
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('an empty existing folder is a valid target', async () => {
    const dir = freshDir();
    await mkdir(dir);
    await a.save(dir);
    expect(await load(dir)).toEqual(fromA);
  });

  it('a save that crashes between its renames leaves the previous model loadable', async () => {
    const parent = join(root, 'crash');
    const dir = join(parent, 'model');
    await a.save(dir);
    // Save B: rename 1 moves the old folder aside (model → model.old-…), rename 2 (tmp → model) fails.
    fsControl.renames = 0;
    fsControl.failRename = 2;
    await expect(b.save(dir)).rejects.toThrow('simulated crash');
    fsControl.failRename = 0;
    const left = await readdir(parent);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^model\.old-/);
    // `model` is gone; loading it reads the leftover, which is A.
    expect(await load(dir)).toEqual(fromA);
    // A later save succeeds and is what loads.
    await b.save(dir);
    expect(await load(dir)).toEqual(fromB);
  });

  it('after two crashed saves, the newest leftover (the last complete save) is read', async () => {
    const parent = join(root, 'two-crashes');
    const dir = join(parent, 'model');
    const crashingSave = async (rec: RecommenderPipeline) => {
      fsControl.renames = 0;
      fsControl.failRename = 2;
      await expect(rec.save(dir)).rejects.toThrow('simulated crash');
      fsControl.failRename = 0;
    };
    // Run the sequence several times: leftover names must order by age, whatever their random part.
    for (let round = 0; round < 4; round++) {
      await rm(parent, { recursive: true, force: true });
      await a.save(dir);
      await crashingSave(b); // leaves model.old-… = A; model is missing
      await b.save(dir); // model = B
      await crashingSave(a); // leaves model.old-… = B beside the stale A
      expect((await readdir(parent)).filter((n) => n.startsWith('model.old-'))).toHaveLength(2);
      expect(await load(dir)).toEqual(fromB);
    }
  });

  it('a leftover <dir>.old-* is read when <dir> is missing', async () => {
    const parent = join(root, 'leftover');
    const dir = join(parent, 'model');
    await a.save(dir);
    await rename(dir, `${dir}.old-12345-abcdef01`);
    expect(await load(dir)).toEqual(fromA);
  });

  it('a save that fails while writing removes its temporary folder and keeps the previous model', async () => {
    const parent = join(root, 'write-fails');
    const dir = join(parent, 'model');
    await a.save(dir);
    // Rename 1 is the first thing after the files are written; fail it.
    fsControl.renames = 0;
    fsControl.failRename = 1;
    await expect(b.save(dir)).rejects.toThrow('simulated crash');
    fsControl.failRename = 0;
    expect(await readdir(parent)).toEqual(['model']);
    expect(await load(dir)).toEqual(fromA);
  });

  it('refuses to replace a non-empty folder that holds no model, or a file', async () => {
    const dir = freshDir();
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const err = await a.save(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('save target');
    expect(await readdir(dir)).toEqual(['notes.txt']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(a.save(join(dir, 'notes.txt'))).rejects.toBeInstanceOf(ConfigError);
  });
});

/** The parts of a saved model.json the refusal tests edit. */
interface Manifest {
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[] }> }>;
  userDefinedMetadata?: { reelrec: { formatVersion: unknown; modelConfig: { cell: string } } };
}

describe('load refusals', () => {
  let good: string;
  let goodArtifacts: tf.io.ModelArtifacts;

  beforeAll(async () => {
    await useBackend('cpu');
    const rec = await createRecommender({ ...SMALL, seed: 4, backend: 'cpu', features: false });
    await rec.fit(data);
    good = freshDir();
    await rec.save(good);
    await rec.save({
      save: async (artifacts) => {
        goodArtifacts = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    rec.dispose();
  });

  /** A copy of the good folder with its model.json edited. */
  async function edited(edit: (manifest: Manifest) => void): Promise<string> {
    const dir = freshDir();
    await cp(good, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    edit(manifest);
    await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    return dir;
  }

  /** Loads `source`, expecting `type`, and checks no tensor was allocated. */
  async function refused(
    source: string | tf.io.IOHandler,
    type: abstract new (...args: never[]) => Error,
    message?: RegExp,
  ) {
    const before = tf.memory().numTensors;
    const err = await loadRecommender(source, { backend: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    if (message) expect((err as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  }

  it('the unedited copy loads (control)', async () => {
    const rec = await loadRecommender(await edited(() => {}), { backend: 'cpu' });
    expect(rec.fitted).toBe(true);
    rec.dispose();
  });

  it('a model saved before an option existed loads with that option at its default', async () => {
    const dir = await edited((m) => {
      const options = (
        m.userDefinedMetadata!.reelrec as unknown as {
          options: { model: Record<string, unknown>; training: Record<string, unknown> };
        }
      ).options;
      delete options.model.tasteSamples;
      delete options.training.patience;
    });
    const rec = await loadRecommender(dir, { backend: 'cpu' });
    expect(rec.options.model.tasteSamples).toBe(MODEL_DEFAULTS.tasteSamples);
    expect(rec.options.training.patience).toBe(TRAINING_DEFAULTS.patience);
    expect(rec.options.model.hiddenSize).toBe(SMALL.model.hiddenSize); // saved options are kept
    rec.dispose();
  });

  it('a newer format version', async () => {
    const dir = await edited((m) => {
      m.userDefinedMetadata!.reelrec.formatVersion = FORMAT_VERSION + 1;
    });
    await refused(dir, ModelFormatError, /format 2.*upgrade reelrec/);
  });

  it('an invalid format version', async () => {
    await refused(
      await edited((m) => {
        m.userDefinedMetadata!.reelrec.formatVersion = 'one';
      }),
      ModelFormatError,
    );
  });

  it('no reelrec metadata', async () => {
    await refused(
      await edited((m) => {
        delete m.userDefinedMetadata;
      }),
      ModelFormatError,
      /not a model saved by reelrec/,
    );
  });

  it.each(['../x', '../../weights.bin', '/etc/passwd', 'sub/../../weights.bin', ''])(
    'a weights path outside the folder: %j',
    async (path) => {
      await refused(
        await edited((m) => {
          m.weightsManifest[0].paths = [path];
        }),
        ModelFormatError,
        /weight path/,
      );
    },
  );

  it('declared shapes that do not match the bytes', async () => {
    const dir = await edited((m) => {
      const w = m.weightsManifest[0].weights[0];
      w.shape = [w.shape[0] + 1, ...w.shape.slice(1)];
    });
    await refused(dir, ModelFormatError, /declare \d+ bytes but the weight data holds \d+/);
  });

  it('an invalid declared shape', async () => {
    await refused(
      await edited((m) => {
        m.weightsManifest[0].weights[0].shape = [-1, 4];
      }),
      ModelFormatError,
      /invalid shape/,
    );
  });

  it('a cell that is not registered', async () => {
    const dir = await edited((m) => {
      m.userDefinedMetadata!.reelrec.modelConfig.cell = 'not-a-registered-cell';
    });
    // The message lists the registered cells (the built-in ones here).
    await refused(dir, ModelFormatError, /"not-a-registered-cell".*registered: rnn, lstm, gru.*registerCell/);
  });

  it('a model.json that is not JSON', async () => {
    const dir = freshDir();
    await cp(good, dir, { recursive: true });
    await writeFile(join(dir, 'model.json'), '{ not json');
    await refused(dir, ModelFormatError, /not valid JSON/);
  });

  it('a missing folder, or a folder without model.json, is DataMissingError', async () => {
    await refused(join(root, 'no-such-model'), DataMissingError);
    const empty = freshDir();
    await mkdir(empty);
    await refused(empty, DataMissingError);
  });

  it('through an IO handler: the same checks, and a handler that cannot load', async () => {
    const newer = structuredClone({ ...goodArtifacts, weightData: undefined });
    (newer.userDefinedMetadata as Manifest['userDefinedMetadata'])!.reelrec.formatVersion =
      FORMAT_VERSION + 1;
    await refused(
      { load: async () => ({ ...newer, weightData: goodArtifacts.weightData }) },
      ModelFormatError,
    );
    const short = (goodArtifacts.weightData as ArrayBuffer).slice(0, 100);
    await refused(
      { load: async () => ({ ...goodArtifacts, weightData: short }) },
      ModelFormatError,
      /declare/,
    );
    await refused({ save: goodArtifacts as never }, ModelFormatError, /cannot load/);
  });
});
