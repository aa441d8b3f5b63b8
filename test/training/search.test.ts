import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import {
  type SearchOptions,
  type SearchStateStore,
  searchHyperparameters,
  type TrialConfig,
  type TrialRecord,
} from '../../src/training/search';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelrec-search-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The toy objective of the brief: best at x = 3, and more epochs help a little. */
const toy = (config: TrialConfig, { epochs }: { epochs: number }) => ({
  metric: -(((config.x as number) - 3) ** 2) + epochs / 100,
});

/** What a trial is, without its wall-clock seconds. */
function strip(records: readonly TrialRecord[]) {
  return records.map(({ seconds: _s, ...rest }) => rest);
}

function memoryStore(): SearchStateStore & { text: string | null } {
  const store = {
    text: null as string | null,
    read: async () => store.text,
    write: async (t: string) => {
      store.text = t;
    },
  };
  return store;
}

describe('grid', () => {
  it('enumerates the product in key order, the last key varying fastest', async () => {
    const seen: TrialConfig[] = [];
    const result = await searchHyperparameters({
      space: { a: [1, 2], b: ['x', 'y', 'z'] },
      strategy: 'grid',
      direction: 'higher',
      epochs: 2,
      objective: (config, { epochs, trialIndex, rung }) => {
        seen.push(config);
        expect(epochs).toBe(2);
        expect(rung).toBe(0);
        expect(trialIndex).toBe(seen.length - 1);
        return { metric: (config.a as number) * 10 + ['x', 'y', 'z'].indexOf(config.b as string) };
      },
    });
    expect(seen).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
    expect(result.stopped).toBe('done');
    expect(result.leaderboard.map((t) => t.metric)).toEqual([22, 21, 20, 12, 11, 10]);
    expect(result.best).toMatchObject({ config: { a: 2, b: 'z' }, metric: 22, status: 'ok', epochs: 2 });
    expect(result.trials.map((t) => t.configId)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("budget.trials takes the first trials of the grid; 'lower' ranks ascending", async () => {
    const result = await searchHyperparameters({
      space: { x: [5, 4, 3, 2, 1] },
      strategy: 'grid',
      budget: { trials: 3 },
      direction: 'lower',
      objective: (c) => c.x as number,
    });
    expect(result.stopped).toBe('trials');
    expect(result.trials.map((t) => t.config.x)).toEqual([5, 4, 3]);
    expect(result.leaderboard.map((t) => t.config.x)).toEqual([3, 4, 5]);
  });

  it('refuses a range, naming the key', async () => {
    const err = await searchHyperparameters({
      space: { lr: { min: 0.001, max: 0.1 } },
      strategy: 'grid',
      direction: 'higher',
      objective: () => 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe('space.lr');
  });
});

describe('random', () => {
  const space = {
    lr: { min: 1e-4, max: 1e-1, log: true },
    hidden: { min: 8, max: 64, integer: true },
    dropout: { min: 0, max: 0.5 },
    cell: ['lstm', 'gru'],
  };
  const run = (seed: number) => {
    const seen: TrialConfig[] = [];
    return searchHyperparameters({
      space,
      strategy: 'random',
      budget: { trials: 6 },
      seed,
      direction: 'higher',
      objective: (c) => {
        seen.push(c);
        return { metric: -(c.lr as number) };
      },
    }).then((r) => ({ r, seen }));
  };

  it('is seeded: the same seed gives the same trial sequence, another seed another', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.seen).toEqual(a.seen);
    expect(strip(b.r.leaderboard)).toEqual(strip(a.r.leaderboard));
    expect(c.seen).not.toEqual(a.seen);
  });

  it('draws each key in its domain: log and integer ranges, 4 significant digits, lists', async () => {
    const { seen } = await run(3);
    expect(seen).toHaveLength(6);
    for (const c of seen) {
      expect(Object.keys(c)).toEqual(['lr', 'hidden', 'dropout', 'cell']);
      const lr = c.lr as number;
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      expect(lr).toBeLessThanOrEqual(1e-1);
      expect(Number(lr.toPrecision(4))).toBe(lr);
      expect(Number.isInteger(c.hidden)).toBe(true);
      expect(c.hidden as number).toBeGreaterThanOrEqual(8);
      expect(c.hidden as number).toBeLessThanOrEqual(64);
      expect(c.dropout as number).toBeGreaterThanOrEqual(0);
      expect(c.dropout as number).toBeLessThanOrEqual(0.5);
      expect(['lstm', 'gru']).toContain(c.cell);
    }
  });

  it('samples a space of lists without replacement: all 6 configurations once, in a seeded order', async () => {
    const seen: string[] = [];
    const result = await searchHyperparameters({
      space: { a: [1, 2, 3], b: [true, false] },
      direction: 'higher',
      seed: 1,
      objective: (c) => {
        seen.push(`${c.a}${c.b}`);
        return 0;
      },
    });
    expect(result.stopped).toBe('done');
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen).not.toEqual(['1true', '1false', '2true', '2false', '3true', '3false']);
  });

  it('needs a budget when the space has a range', async () => {
    await expect(
      searchHyperparameters({ space, direction: 'higher', objective: () => 0 }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('successive halving', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7, 8];

  it('keeps the best third at each rung and triples the epochs (n 9, η 3: 9 × 1, 3 × 3, 1 × 9)', async () => {
    const result = await searchHyperparameters({
      space: { x },
      strategy: 'successive-halving',
      halving: { configs: 9, eta: 3, minEpochs: 1 },
      seed: 5,
      direction: 'higher',
      objective: toy,
    });
    const rung = (r: number) => result.trials.filter((t) => t.rung === r);
    expect(
      rung(0)
        .map((t) => t.config.x as number)
        .sort(),
    ).toEqual(x);
    expect(rung(0).every((t) => t.epochs === 1)).toBe(true);
    // Rung 0 metrics: −(x − 3)² + 0.01 → best 3 (0.01), then 2 and 4 (−0.99 each): the three promoted, in
    // rank order (the tie 2 / 4 goes to the earlier draw).
    const r1 = rung(1);
    expect(r1.map((t) => t.config.x as number).sort()).toEqual([2, 3, 4]);
    expect(r1[0]!.config.x).toBe(3);
    expect(r1.every((t) => t.epochs === 3)).toBe(true);
    const tied = rung(0).filter((t) => t.config.x === 2 || t.config.x === 4);
    expect(r1[1]!.configId).toBe(Math.min(...tied.map((t) => t.configId)));
    expect(rung(2)).toHaveLength(1);
    expect(rung(2)[0]).toMatchObject({ config: { x: 3 }, epochs: 9, metric: 0.09 });
    expect(result.trials).toHaveLength(13);
    // The best is the last rung's (more epochs rank first).
    expect(result.best).toMatchObject({ config: { x: 3 }, epochs: 9, rung: 2 });
    expect(result.leaderboard.slice(0, 4).map((t) => t.epochs)).toEqual([9, 3, 3, 3]);
  });

  it('takes n from the trial budget (13 trials, η 3 → n 9) and caps the epochs at maxEpochs', async () => {
    const result = await searchHyperparameters({
      space: { x },
      strategy: 'successive-halving',
      budget: { trials: 13 },
      halving: { maxEpochs: 5 },
      direction: 'higher',
      objective: toy,
    });
    expect(result.trials).toHaveLength(13);
    expect([...new Set(result.trials.map((t) => t.epochs))]).toEqual([1, 3, 5]);
  });

  it('does not promote failed trials', async () => {
    const result = await searchHyperparameters({
      space: { x },
      strategy: 'successive-halving',
      halving: { configs: 9 },
      direction: 'higher',
      objective: (c, ctx) => {
        if (c.x === 3) throw new Error('diverged');
        return toy(c, ctx);
      },
    });
    const failed = result.trials.filter((t) => t.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toBe('Error: diverged');
    const r1 = result.trials.filter((t) => t.rung === 1).map((t) => t.config.x as number);
    // Without 3: 2 and 4 (−0.99), then 1 or 5 (−3.99), the earlier draw.
    expect(r1.slice(0, 2).sort()).toEqual([2, 4]);
    expect([1, 5]).toContain(r1[2]);
    expect(result.leaderboard.at(-1)!.status).toBe('failed');
  });
});

describe('budgets, failures and signals', () => {
  it('a time budget stops launching trials and aborts the running one', async () => {
    const calls: number[] = [];
    const result = await searchHyperparameters({
      space: { x: [1, 2, 3, 4] },
      strategy: 'grid',
      budget: { seconds: 0.3 },
      direction: 'higher',
      objective: async (c, { signal, trialIndex }) => {
        calls.push(trialIndex);
        if (trialIndex === 0) return c.x as number;
        // The second trial runs until the deadline aborts it.
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        return { metric: 99 };
      },
    });
    expect(calls).toEqual([0, 1]);
    expect(result.stopped).toBe('seconds');
    expect(result.trials.map((t) => t.status)).toEqual(['ok', 'aborted']);
    expect(result.trials[1]!.error).toMatch(/time budget/);
    expect(result.best).toMatchObject({ config: { x: 1 }, status: 'ok' });
  });

  it('records a throw or a non-finite metric as a failed trial and goes on', async () => {
    const result = await searchHyperparameters({
      space: { x: [1, 2, 3] },
      strategy: 'grid',
      direction: 'higher',
      objective: (c) => {
        if (c.x === 1) throw new ConfigError('model.hiddenSize', 'an integer ≥ 1', 0);
        if (c.x === 2) return { metric: Number.NaN };
        return 1;
      },
    });
    expect(result.trials.map((t) => t.status)).toEqual(['failed', 'failed', 'ok']);
    expect(result.trials[0]!.error).toContain('model.hiddenSize');
    expect(result.trials[1]!.error).toContain('finite metric');
    expect(result.best!.config).toEqual({ x: 3 });
  });

  it("the search's signal stops it after the running trial, with the result so far", async () => {
    const controller = new AbortController();
    const result = await searchHyperparameters({
      space: { x: [1, 2, 3, 4] },
      strategy: 'grid',
      direction: 'higher',
      signal: controller.signal,
      objective: (c) => c.x as number,
      onTrial: (t) => {
        if (t.trial === 1) controller.abort();
      },
    });
    expect(result.stopped).toBe('aborted');
    expect(result.trials).toHaveLength(2);
  });

  it.each([
    [{ budget: { trials: 0 } }, 'budget.trials'],
    [{ budget: { seconds: -1 } }, 'budget.seconds'],
    [{ strategy: 'bayes' }, 'strategy'],
    [{ direction: 'up' }, 'direction'],
    [{ space: {} }, 'space'],
    [{ space: { x: [] } }, 'space.x'],
    [{ space: { x: { min: 0, max: 1, log: true } }, budget: { trials: 1 } }, 'space.x.min'],
    [{ space: { x: { min: 0.5, max: 2, integer: true } }, budget: { trials: 1 } }, 'space.x'],
    [{ strategy: 'successive-halving', halving: { eta: 1 } }, 'halving.eta'],
  ])('refuses %j naming %s', async (patch, option) => {
    const options = { space: { x: [1] }, direction: 'higher', objective: () => 0, ...patch } as SearchOptions;
    const err = await searchHyperparameters(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
  });
});

describe('resume', () => {
  /** Runs a search, throwing from onTrial after trial `crashAfter` (a crash once the state is written). */
  async function interrupted(options: SearchOptions, crashAfter: number) {
    const err = await searchHyperparameters({
      ...options,
      onTrial: (t) => {
        if (t.trial === crashAfter) throw new Error('crash');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('crash');
  }

  it.each([
    ['random', { strategy: 'random', budget: { trials: 8 } }, 4],
    ['successive-halving, inside rung 0', { strategy: 'successive-halving', halving: { configs: 9 } }, 5],
    ['successive-halving, inside rung 1', { strategy: 'successive-halving', halving: { configs: 9 } }, 10],
  ] as const)(
    '%s: continues without repeating finished trials and ends as an uninterrupted run',
    async (name, patch, k) => {
      const base: SearchOptions = {
        space: { x: { min: 0, max: 6 }, y: [0, 1] },
        direction: 'higher',
        seed: 11,
        objective: (c, ctx) => ({ metric: toy(c, ctx).metric - (c.y as number), details: { y: c.y } }),
        ...patch,
      };
      const whole = await searchHyperparameters(base);

      const statePath = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      await interrupted({ ...base, statePath }, k);
      const saved = JSON.parse(await readFile(statePath, 'utf8'));
      expect(saved.kind).toBe('reelrec-search-state');
      expect(saved.trials).toHaveLength(k + 1);

      const calls: number[] = [];
      const resumed = await searchHyperparameters({
        ...base,
        statePath,
        objective: (c, ctx) => {
          calls.push(ctx.trialIndex);
          return base.objective(c, ctx);
        },
      });
      expect(resumed.resumed).toBe(k + 1);
      expect(calls[0]).toBe(k + 1);
      expect(calls).toHaveLength(whole.trials.length - (k + 1));
      expect(strip(resumed.leaderboard)).toEqual(strip(whole.leaderboard));
      expect(strip(resumed.trials)).toEqual(strip(whole.trials));
      // Running it once more repeats nothing.
      const again = await searchHyperparameters({
        ...base,
        statePath,
        objective: () => {
          throw new Error('no trial should run');
        },
      });
      expect(again.resumed).toBe(whole.trials.length);
      expect(strip(again.leaderboard)).toEqual(strip(whole.leaderboard));
    },
  );

  it('a larger trial budget extends a finished random search', async () => {
    const store = memoryStore();
    const options: SearchOptions = {
      space: { x: { min: 0, max: 6 } },
      direction: 'higher',
      objective: toy,
      stateStore: store,
    };
    const first = await searchHyperparameters({ ...options, budget: { trials: 3 } });
    const more = await searchHyperparameters({ ...options, budget: { trials: 5 } });
    const whole = await searchHyperparameters({ ...options, stateStore: undefined, budget: { trials: 5 } });
    expect(more.resumed).toBe(3);
    expect(strip(more.trials.slice(0, 3))).toEqual(strip(first.trials));
    expect(strip(more.leaderboard)).toEqual(strip(whole.leaderboard));
  });

  it('refuses a state file of another search (other seed or space)', async () => {
    const statePath = join(dir, 'other.json');
    const options: SearchOptions = {
      space: { x: [1, 2, 3] },
      direction: 'higher',
      seed: 1,
      objective: (c) => c.x as number,
      statePath,
    };
    await searchHyperparameters(options);
    for (const patch of [{ seed: 2 }, { space: { x: [1, 2] } }, { direction: 'lower' as const }]) {
      const err = await searchHyperparameters({ ...options, ...patch }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).option).toBe('statePath');
    }
  });

  it('does not keep an aborted trial: the next session runs it again', async () => {
    const store = memoryStore();
    const options: SearchOptions = {
      space: { x: [1, 2, 3] },
      strategy: 'grid',
      direction: 'higher',
      stateStore: store,
      objective: (c) => c.x as number,
    };
    const controller = new AbortController();
    const first = await searchHyperparameters({
      ...options,
      signal: controller.signal,
      objective: async (c, { signal }) => {
        if (c.x === 2) {
          controller.abort();
          await Promise.resolve();
          expect(signal.aborted).toBe(true);
        }
        return c.x as number;
      },
    });
    expect(first.trials.map((t) => t.status)).toEqual(['ok', 'aborted']);
    expect(JSON.parse(store.text!).trials).toHaveLength(1);
    const second = await searchHyperparameters(options);
    expect(second.resumed).toBe(1);
    expect(second.trials.map((t) => [t.config.x, t.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ]);
  });
});
