/**
 * `reelrec tune`: the JSON document on a small ML-100k-format folder written from a synthetic catalog, resuming
 * from the state file, and the refusals of bad flags.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/cli/progress';
import { tuneCommand } from '../../src/cli/tune';
import { formatMovieLens100k } from '../../src/data/format';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import { ConfigError } from '../../src/errors';

const quiet: Progress = { start() {}, update() {}, stop() {}, note() {} };
const data = generateSyntheticCatalog({ users: 30, movies: 40, ratingsPerUser: 12, seed: 5, content: false });
let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelrec-tune-'));
  dataDir = join(dir, 'ml');
  await mkdir(dataDir);
  for (const [name, text] of Object.entries(formatMovieLens100k(data))) {
    await writeFile(join(dataDir, name), Buffer.from(text, 'latin1'));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const flags = () => ({
  data: dataDir,
  protocol: 's',
  strategy: 'random',
  trials: 2,
  epochs: 1,
  hidden: 8,
  backend: 'cpu',
  space: '{"training.learningRate":[0.01,0.003,0.001]}',
});

describe('tune', () => {
  it('prints the leaderboard, the best options and the state path, and resumes from the state', async () => {
    const state = join(dir, 'tune.json');
    const notes: string[] = [];
    const progress: Progress = { ...quiet, note: (t) => notes.push(t) };
    const { json, text } = await tuneCommand({ ...flags(), state }, progress);
    const doc = json as Record<string, unknown>;
    expect(doc).toMatchObject({
      protocol: 'S',
      strategy: 'random',
      metric: 'NDCG@10',
      direction: 'higher',
      seed: 42,
      budget: { trials: 2 },
      stopped: 'trials',
      resumed: 0,
      state,
    });
    const leaderboard = doc.leaderboard as Array<{ config: Record<string, number>; status: string }>;
    expect(leaderboard).toHaveLength(2);
    expect(leaderboard.every((t) => t.status === 'ok')).toBe(true);
    const best = doc.best as { config: Record<string, number> };
    expect(doc.bestOptions).toMatchObject({
      seed: undefined,
      model: { hiddenSize: 8 },
      training: { epochs: 1, learningRate: best.config['training.learningRate'] },
    });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^trial 1\/2 .*learningRate/);
    expect(text).toContain('NDCG@10 (higher is better)');
    expect(JSON.parse(await readFile(state, 'utf8')).trials).toHaveLength(2);

    // The same command with a larger budget runs only the third configuration.
    const again = (await tuneCommand({ ...flags(), trials: 3, state }, quiet)).json as Record<
      string,
      unknown
    >;
    expect(again).toMatchObject({ resumed: 2, stopped: 'done' });
    expect((again.leaderboard as unknown[]).length).toBe(3);
  });

  it.each([
    [{ protocol: 'Z' }, '--protocol'],
    [{ strategy: 'bayes' }, '--strategy'],
    [{ space: '{not json' }, '--space'],
    [{ space: '[1, 2]' }, '--space'],
  ])('refuses %j naming %s', async (patch, option) => {
    const err = await tuneCommand({ ...flags(), ...patch }, quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });
});
