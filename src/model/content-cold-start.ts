/**
 * Content-based cold start for movies: a movie nobody has rated gets its learned parameters (input embedding and
 * the rows of the ranking, rating and taste heads) from its content features, through a ridge regression fitted
 * on the movies that do have ratings. A new movie is then scored by the same heads as every other movie.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { invertSpdInPlace } from '../util/linalg';
import { Rng } from '../util/random';

/** Inputs of {@link inferColdItems}. */
export interface ColdItemsInput {
  /** Content rows of every catalog movie, row-major `numItems × dim`. */
  content: Float32Array;
  /** Columns of a content row. */
  dim: number;
  /** Learned parameter rows of every catalog movie, row-major `numItems × width` (`SequenceRNN.itemParameters`). */
  params: Float32Array;
  /** Columns of a parameter row. */
  width: number;
  /** Training ratings per catalog movie: 0 marks a cold movie. */
  counts: Float32Array;
  /** Content columns the regression leaves out (e.g. rating counts, which a new movie cannot have). */
  excludeColumns?: readonly number[];
}

/** Options of {@link inferColdItems}. */
export interface ColdItemsOptions {
  /** Movies with at least this many training ratings teach the regression (their parameters are reliable). Default 5. */
  minRatings?: number;
  /**
   * Ridge strengths tried, relative to the mean diagonal of the centred Gram matrix; the one with the best
   * held-out R² on a seeded fifth of the teaching movies is kept. Default `[0.01, 0.1, 1, 10]`.
   */
  lambdas?: readonly number[];
  /** Seed of the held-out fifth. Default 0. */
  seed?: number | string;
}

/** What {@link inferColdItems} did. */
export interface ColdItemsReport {
  /** Cold movies (no training rating) that got content-inferred parameters. */
  inferred: number;
  /** Movies the regression was fitted on. */
  fittedOn: number;
  /** Content columns used. */
  columns: number;
  /** The chosen relative ridge strength. */
  lambda: number;
  /** Held-out R² of the parameter rows at that strength (1 is perfect, 0 is the mean row). */
  heldOutR2: number;
  /** Why nothing was inferred, when nothing was. */
  skipped?: string;
}

/** What {@link inferColdItems} returns. */
export interface ColdItems {
  /** Catalog positions of the cold movies that got rows. */
  positions: number[];
  /** Their parameter rows, row-major `positions.length × width`. */
  rows: Float32Array;
  /** What was done. */
  report: ColdItemsReport;
}

/**
 * Parameter rows for the cold movies (training count 0) of a catalog, regressed from their content rows.
 * Returns their catalog positions, their rows (row-major `positions.length × width`) and a report.
 *
 * @throws {ConfigError} when array lengths do not match `dim` and `width`.
 * @example
 * ```ts
 * import { inferColdItems } from 'reelrec';
 * // Three rated movies whose one parameter equals twice their one content column, and a cold fourth.
 * const { positions, rows } = inferColdItems(
 *   {
 *     content: Float32Array.of(0, 1, 2, 3),
 *     dim: 1,
 *     params: Float32Array.of(0, 2, 4, 0),
 *     width: 1,
 *     counts: Float32Array.of(9, 9, 9, 0),
 *   },
 *   { minRatings: 1, lambdas: [1e-6] },
 * );
 * console.log(positions, rows); // [3] Float32Array [≈6]
 * ```
 */
export function inferColdItems(input: ColdItemsInput, options: ColdItemsOptions = {}): ColdItems {
  const { content, dim, params, width, counts } = input;
  const n = counts.length;
  if (content.length !== n * dim) throw new ConfigError('content', `${n} × ${dim} values`, content.length);
  if (params.length !== n * width) throw new ConfigError('params', `${n} × ${width} values`, params.length);
  const minRatings = options.minRatings ?? 5;
  const lambdas = options.lambdas ?? [0.01, 0.1, 1, 10];
  const cold: number[] = [];
  for (let i = 0; i < n; i++) if (counts[i]! === 0) cold.push(i);
  const report: ColdItemsReport = { inferred: 0, fittedOn: 0, columns: 0, lambda: 0, heldOutR2: 0 };
  if (cold.length === 0) return { positions: [], rows: new Float32Array(0), report };

  let teach: number[] = [];
  for (let i = 0; i < n; i++) if (counts[i]! >= minRatings) teach.push(i);
  if (teach.length < 10) {
    teach = [];
    for (let i = 0; i < n; i++) if (counts[i]! > 0) teach.push(i);
  }
  const excluded = new Set(input.excludeColumns ?? []);
  const columns: number[] = [];
  for (let c = 0; c < dim; c++) {
    if (excluded.has(c)) continue;
    // A column constant over the teaching movies carries nothing the intercept does not.
    const first = content[teach[0]! * dim + c] ?? 0;
    if (teach.some((i) => content[i * dim + c] !== first)) columns.push(c);
  }
  if (teach.length < 10 || columns.length === 0) {
    report.skipped =
      teach.length < 10
        ? `only ${teach.length} rated movies to learn from (at least 10 needed)`
        : 'no content column varies across the rated movies';
    return { positions: [], rows: new Float32Array(0), report };
  }

  // Choose the ridge strength on a seeded held-out fifth, then refit on every teaching movie.
  const shuffled = new Rng(`cold-items:${options.seed ?? 0}`).shuffle([...teach]);
  const cut = Math.max(1, Math.floor(shuffled.length / 5));
  const held = shuffled.slice(0, cut);
  const fit = shuffled.slice(cut);
  const fitSystem = normalEquations(input, columns, fit);
  let best = { lambda: lambdas[0]!, r2: Number.NEGATIVE_INFINITY };
  for (const lambda of lambdas) {
    const r2 = rSquared(input, columns, solveRidge(fitSystem, lambda), held);
    if (r2 > best.r2) best = { lambda, r2 };
  }
  const model = solveRidge(normalEquations(input, columns, teach), best.lambda);
  const rows = new Float32Array(cold.length * width);
  cold.forEach((p, r) => {
    rows.set(predict(input, columns, model, p), r * width);
  });
  return {
    positions: cold,
    rows,
    report: {
      inferred: cold.length,
      fittedOn: teach.length,
      columns: columns.length,
      lambda: best.lambda,
      heldOutR2: best.r2,
    },
  };
}

/** A fitted ridge map: centred inputs times `B` plus the target means. */
interface RidgeModel {
  xMean: Float64Array;
  yMean: Float64Array;
  /** `columns × width`, row-major. */
  B: Float64Array;
}

/** The centred normal equations of a row set: `G = XᵀX` (upper triangle), `XᵀY` and the means. */
interface NormalEquations {
  xMean: Float64Array;
  yMean: Float64Array;
  G: Float64Array;
  XtY: Float64Array;
}

/** Builds the normal equations once per row set; each ridge strength then only solves them. */
function normalEquations(
  input: ColdItemsInput,
  columns: readonly number[],
  rows: readonly number[],
): NormalEquations {
  const { content, dim, params, width } = input;
  const f = columns.length;
  const xMean = new Float64Array(f);
  const yMean = new Float64Array(width);
  for (const i of rows) {
    for (let a = 0; a < f; a++) xMean[a]! += content[i * dim + columns[a]!]!;
    for (let w = 0; w < width; w++) yMean[w]! += params[i * width + w]!;
  }
  for (let a = 0; a < f; a++) xMean[a]! /= rows.length;
  for (let w = 0; w < width; w++) yMean[w]! /= rows.length;
  const G = new Float64Array(f * f);
  const XtY = new Float64Array(f * width);
  const x = new Float64Array(f);
  for (const i of rows) {
    for (let a = 0; a < f; a++) x[a] = content[i * dim + columns[a]!]! - xMean[a]!;
    for (let a = 0; a < f; a++) {
      const xa = x[a]!;
      if (xa === 0) continue;
      for (let b = a; b < f; b++) G[a * f + b]! += xa * x[b]!;
      for (let w = 0; w < width; w++) XtY[a * width + w]! += xa * (params[i * width + w]! - yMean[w]!);
    }
  }
  return { xMean, yMean, G, XtY };
}

/** The ridge map at strength `lambda` × the mean diagonal of `G`. */
function solveRidge(system: NormalEquations, lambda: number): RidgeModel {
  const { xMean, yMean, XtY } = system;
  const f = xMean.length;
  const width = yMean.length;
  const G = Float64Array.from(system.G);
  let trace = 0;
  for (let a = 0; a < f; a++) trace += G[a * f + a]!;
  const ridgeTerm = lambda * Math.max(trace / f, 1e-12);
  for (let a = 0; a < f; a++) {
    G[a * f + a]! += ridgeTerm;
    for (let b = 0; b < a; b++) G[a * f + b] = G[b * f + a]!;
  }
  invertSpdInPlace(G, f);
  const B = new Float64Array(f * width);
  for (let a = 0; a < f; a++) {
    for (let c = 0; c < f; c++) {
      const g = G[a * f + c]!;
      if (g === 0) continue;
      for (let w = 0; w < width; w++) B[a * width + w]! += g * XtY[c * width + w]!;
    }
  }
  return { xMean, yMean, B };
}

function predict(
  input: ColdItemsInput,
  columns: readonly number[],
  model: RidgeModel,
  i: number,
): Float32Array {
  const { content, dim } = input;
  const width = model.yMean.length;
  const out = Float64Array.from(model.yMean);
  columns.forEach((c, a) => {
    const xa = content[i * dim + c]! - model.xMean[a]!;
    if (xa === 0) return;
    for (let w = 0; w < width; w++) out[w]! += xa * model.B[a * width + w]!;
  });
  return Float32Array.from(out);
}

/** 1 − residual sum of squares / total sum of squares over the `rows`' parameter rows. */
function rSquared(
  input: ColdItemsInput,
  columns: readonly number[],
  model: RidgeModel,
  rows: readonly number[],
): number {
  const { params, width } = input;
  const mean = new Float64Array(width);
  for (const i of rows) for (let w = 0; w < width; w++) mean[w]! += params[i * width + w]!;
  for (let w = 0; w < width; w++) mean[w]! /= rows.length;
  let residual = 0;
  let total = 0;
  for (const i of rows) {
    const p = predict(input, columns, model, i);
    for (let w = 0; w < width; w++) {
      const y = params[i * width + w]!;
      residual += (y - p[w]!) ** 2;
      total += (y - mean[w]!) ** 2;
    }
  }
  return total > 0 ? 1 - residual / total : 0;
}
