/**
 * Without the optional `vega` package, resultToHtml says which package to install.
 */
import { describe, expect, it, vi } from 'vitest';
import { DependencyError } from '../../src/errors';
import { resultToHtml } from '../../src/evaluate/report-html';

vi.mock('../../src/platform/node-charts', () => ({
  loadVega: () =>
    Promise.reject(
      Object.assign(new Error("Cannot find package 'vega' imported from report-html.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      }),
    ),
}));

describe('resultToHtml without vega', () => {
  it('throws a DependencyError naming the package', async () => {
    const result = {
      protocol: 'T',
      dataset: 'x',
      k: 10,
      seed: 42,
      users: 0,
      notes: [],
      results: [],
    } as const;
    const err = await resultToHtml({ ...result, notes: [], results: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).packageName).toBe('vega');
    expect((err as Error).message).toMatch(/npm install vega/);
  });
});
