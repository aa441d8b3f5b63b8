/**
 * The CLI: each command's JSON document (the keys scripts rely on) on a small ML-100k-format folder written by
 * the test from a synthetic catalog, and one real process run to check stdout carries exactly one JSON document.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoCommand,
  evaluateCommand,
  infoCommand,
  newMoviesCommand,
  recommendCommand,
  trainCommand,
} from '../../src/cli/commands';
import type { Progress } from '../../src/cli/progress';
import { formatMovieLens100k } from '../../src/data/format';
import { stratifiedRandomSplit } from '../../src/data/split';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import type { RatingTable } from '../../src/data/types';
import { ConfigError, DataMissingError } from '../../src/errors';

const run = promisify(execFile);
const quiet: Progress = { start() {}, update() {}, stop() {}, note() {} };

let dir: string;
let dataDir: string;
const data = generateSyntheticCatalog({ users: 40, movies: 60, ratingsPerUser: 22, seed: 5, content: false });

function lines(table: RatingTable): string {
  return `${Array.from({ length: table.length }, (_, i) => `${table.userIds[i]}\t${table.movieIds[i]}\t${table.ratings[i]}\t${table.timestamps[i]}`).join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelrec-cli-'));
  dataDir = join(dir, 'ml');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dataDir);
  for (const [name, text] of Object.entries(formatMovieLens100k(data))) {
    await writeFile(join(dataDir, name), Buffer.from(text, 'latin1'));
  }
  // Five folds for protocols R and C: seeded, disjoint test parts.
  let rest = data.ratings;
  for (let f = 1; f <= 5; f++) {
    const part =
      f < 5
        ? stratifiedRandomSplit(rest, { trainRatio: 1 - 1 / (6 - f), seed: f })
        : { train: rest, test: rest };
    const test = f < 5 ? part.test : rest;
    const testKeys = new Set(
      Array.from({ length: test.length }, (_, i) => `${test.userIds[i]}:${test.movieIds[i]}`),
    );
    const base = data.ratings.filter((i, t) => !testKeys.has(`${t.userIds[i]}:${t.movieIds[i]}`));
    await writeFile(join(dataDir, `u${f}.base`), lines(base));
    await writeFile(join(dataDir, `u${f}.test`), lines(test));
    if (f < 5) rest = part.train;
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('info', () => {
  it('reports counts, the rating histogram and the load report', async () => {
    const { json, text } = await infoCommand({ data: dataDir });
    const doc = json as Record<string, unknown>;
    expect(doc.users).toBe(40);
    expect(doc.movies).toBe(60);
    expect(doc.ratings).toBe(data.ratings.length);
    const histogram = doc.ratingHistogram as Record<string, number>;
    expect(Object.values(histogram).reduce((a, b) => a + b, 0)).toBe(data.ratings.length);
    expect(Object.keys(histogram).every((k) => ['1', '2', '3', '4', '5'].includes(k))).toBe(true);
    expect((doc.report as { files: unknown[] }).files.length).toBeGreaterThan(0);
    expect(text).toContain('ratings');
  });

  it('names the missing data directory', async () => {
    const saved = process.env.REELREC_DATA;
    delete process.env.REELREC_DATA;
    await expect(infoCommand({})).rejects.toBeInstanceOf(DataMissingError);
    if (saved !== undefined) process.env.REELREC_DATA = saved;
  });
});

describe('train and recommend', () => {
  it('saves a model folder that recommend reads', async () => {
    const out = join(dir, 'model');
    const trained = await trainCommand({ data: dataDir, out, epochs: 1, hidden: 8, backend: 'cpu' }, quiet);
    expect((trained.json as { epochs: number }).epochs).toBe(1);
    const userId = data.ratings.userIds[0]!;
    const { json } = await recommendCommand({ model: out, user: userId, k: 4, backend: 'cpu' });
    const recs = (json as { recommendations: Array<{ movieId: number; rank: number }> }).recommendations;
    expect(recs.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    const seen = new Set(data.ratings.filter((i, t) => t.userIds[i] === userId).movieIds);
    for (const r of recs) expect(seen.has(r.movieId)).toBe(false);
    await expect(recommendCommand({ model: out, user: 99_999, backend: 'cpu' })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});

describe('evaluate', () => {
  it.each(['S', 'T', 'K', 'R'])('protocol %s prints the stable keys', async (protocol) => {
    const { json } = await evaluateCommand(
      { data: dataDir, protocol, epochs: 1, hidden: 8, backend: 'cpu' },
      quiet,
    );
    const doc = json as {
      protocol: string;
      dataset: string;
      results: Array<{ name: string; kind: string; metrics: Record<string, number> }>;
    };
    expect(doc.protocol).toBe(protocol);
    expect(typeof doc.dataset).toBe('string');
    const model = doc.results.find((r) => r.kind === 'model');
    expect(model?.name).toBe('lstm');
    expect(doc.results.some((r) => r.kind === 'baseline')).toBe(true);
    const keys = protocol === 'R' ? ['RMSE', 'MAE'] : ['P@10', 'NDCG@10', 'HR@10'];
    for (const key of keys) expect(Number.isFinite(model!.metrics[key])).toBe(true);
  });

  it('--options sets recommender options over the flags; a bad document is a ConfigError', async () => {
    const { json } = await evaluateCommand(
      {
        data: dataDir,
        protocol: 'S',
        epochs: 1,
        backend: 'cpu',
        baselines: false,
        resamples: 0,
        options: '{"model":{"cell":"gru","hiddenSize":8},"features":false}',
      },
      quiet,
    );
    expect((json as { results: Array<{ name: string }> }).results.map((r) => r.name)).toEqual(['gru']);
    for (const options of ['{"model":', '[1]', '{"model":3}']) {
      await expect(evaluateCommand({ data: dataDir, protocol: 'S', options }, quiet)).rejects.toThrow(
        ConfigError,
      );
    }
  });

  it('rejects an unknown protocol with the list of names', async () => {
    await expect(evaluateCommand({ data: dataDir, protocol: 'X' }, quiet)).rejects.toThrow(/R, C, T, S, K/);
  });
});

describe('new-movies', () => {
  it('holds out movies and reports recall beside content-kNN, popularity and chance', async () => {
    const { json, text } = await newMoviesCommand(
      { data: dataDir, epochs: 1, hidden: 8, backend: 'cpu', share: 0.1, minRatings: 5 },
      quiet,
    );
    const doc = json as {
      protocol: string;
      movies: number[];
      users: number;
      chance: Record<string, number>;
      results: Array<{ name: string; metrics: Record<string, number> }>;
    };
    expect(doc.protocol).toBe('new-movies');
    expect(doc.movies.length).toBeGreaterThan(0);
    expect(doc.users).toBeGreaterThan(0);
    expect(doc.results.map((r) => r.name)).toEqual(['lstm', 'content-knn', 'popularity']);
    for (const r of doc.results) {
      for (const key of ['R@10 new', 'HR@10 new', 'R@10 all']) {
        expect(r.metrics[key]).toBeGreaterThanOrEqual(0);
        expect(r.metrics[key]).toBeLessThanOrEqual(1);
      }
    }
    expect(text).toMatch(/\| chance \|/);
  });
});

describe('demo', () => {
  it('reports protocol S beside the baselines and shows recommendations', async () => {
    const { json, text } = await demoCommand({ data: dataDir, epochs: 1, hidden: 8, backend: 'cpu' }, quiet);
    const doc = json as {
      protocol: string;
      results: Array<{ name: string; kind: string }>;
      recommendations: Array<{ userId: number; items: Array<{ movieId: number }> }>;
    };
    expect(doc.protocol).toBe('S');
    expect(doc.results.map((r) => r.name)).toEqual(['lstm', 'popularity', 'item-knn']);
    expect(doc.recommendations).toHaveLength(3);
    for (const r of doc.recommendations) expect(r.items).toHaveLength(5);
    expect(text).toContain('top 5 for user');
  });
});

describe('the reelrec process', () => {
  const cli = join(process.cwd(), 'src/cli/main.ts');
  const tsx = join(process.cwd(), 'node_modules/.bin/tsx');

  it('prints exactly one JSON document on stdout with --json', async () => {
    const { stdout } = await run(tsx, [cli, 'info', '--data', dataDir, '--json']);
    const doc = JSON.parse(stdout) as { ratings: number };
    expect(doc.ratings).toBe(data.ratings.length);
  });

  it('exits non-zero with a JSON error document for bad input', async () => {
    const failed = await run(tsx, [cli, 'info', '--data', join(dir, 'nope'), '--json']).catch(
      (e) => e as { code: number; stdout: string; stderr: string },
    );
    expect((failed as { code: number }).code).toBe(1);
    const doc = JSON.parse((failed as { stdout: string }).stdout) as {
      error: { code: string; message: string };
    };
    expect(doc.error.code).toBe('DATA_MISSING');
    expect((failed as { stderr: string }).stderr).toContain('reelrec:');
  });
});
