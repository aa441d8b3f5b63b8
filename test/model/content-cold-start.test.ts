import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { inferColdItems } from '../../src/model/content-cold-start';

/** n movies with `dim` content columns, parameters from `f`, the listed positions cold. */
function linearCase(n: number, cold: number[], f: (x: number[]) => number[], xs: (i: number) => number[]) {
  const dim = xs(0).length;
  const width = f(xs(0)).length;
  const content = new Float32Array(n * dim);
  const params = new Float32Array(n * width);
  const counts = new Float32Array(n).fill(10);
  for (let i = 0; i < n; i++) {
    content.set(xs(i), i * dim);
    params.set(f(xs(i)), i * width);
  }
  for (const c of cold) {
    counts[c] = 0;
    params.fill(99, c * width, (c + 1) * width); // whatever training left there
  }
  return { content, dim, params, width, counts };
}

describe('inferColdItems', () => {
  it('recovers an exact linear map (with intercept) for the cold movies', () => {
    const input = linearCase(
      30,
      [4, 17],
      ([a, b]) => [2 * a! - b! + 1, 0.5 * b!],
      (i) => [i % 5, (i * 7) % 11],
    );
    const { positions, rows, report } = inferColdItems(input, { lambdas: [1e-9], minRatings: 1 });
    expect(positions).toEqual([4, 17]);
    // Movie 4: x = [4, 6] → [2·4 − 6 + 1, 3] = [3, 3]; movie 17: x = [2, 9] → [−4, 4.5].
    expect(rows[0]).toBeCloseTo(3, 4);
    expect(rows[1]).toBeCloseTo(3, 4);
    expect(rows[2]).toBeCloseTo(-4, 4);
    expect(rows[3]).toBeCloseTo(4.5, 4);
    expect(report).toMatchObject({ inferred: 2, fittedOn: 28, columns: 2, lambda: 1e-9 });
    expect(report.heldOutR2).toBeCloseTo(1, 6);
  });

  it('leaves out excluded and constant columns, and picks the ridge strength with the best held-out R²', () => {
    const input = linearCase(
      40,
      [0],
      ([a, , c]) => [3 * a! + c! * 0],
      (i) => [(i * 3) % 7, 1, i],
    );
    const { report } = inferColdItems({ ...input, excludeColumns: [2] }, { lambdas: [100, 1e-6, 10] });
    expect(report.columns).toBe(1); // column 1 is constant, column 2 excluded
    expect(report.lambda).toBe(1e-6);
  });

  it('does nothing without cold movies, and says why when it cannot learn', () => {
    const input = linearCase(
      12,
      [],
      (x) => x,
      (i) => [i],
    );
    expect(inferColdItems(input).positions).toEqual([]);
    const few = linearCase(
      6,
      [5],
      (x) => x,
      (i) => [i],
    );
    const out = inferColdItems(few);
    expect(out.positions).toEqual([]);
    expect(out.report.skipped).toMatch(/only 5 rated movies/);
    const flat = linearCase(
      20,
      [3],
      (x) => x,
      () => [1],
    );
    expect(inferColdItems(flat).report.skipped).toMatch(/no content column varies/);
  });

  it('falls back to every rated movie when too few reach minRatings', () => {
    const input = linearCase(
      15,
      [0],
      (x) => x,
      (i) => [i],
    );
    input.counts.fill(1);
    input.counts[0] = 0;
    expect(inferColdItems(input, { minRatings: 5 }).report.fittedOn).toBe(14);
  });

  it('checks array lengths', () => {
    const input = linearCase(
      12,
      [1],
      (x) => x,
      (i) => [i],
    );
    expect(() => inferColdItems({ ...input, dim: 2 })).toThrow(ConfigError);
    expect(() => inferColdItems({ ...input, width: 3 })).toThrow(ConfigError);
  });
});
