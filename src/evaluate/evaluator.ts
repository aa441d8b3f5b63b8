/**
 * The Evaluator: runs the protocols of `PROTOCOL.md` with one K and seed, and renders their results as a
 * Markdown table or JSON-safe data.
 *
 * @module
 */
import type { Dataset } from '../data/types';
import { checkK } from './metrics/ranking';
import {
  type MetricRow,
  type ModelSpec,
  type ProtocolName,
  type ProtocolOptions,
  type ProtocolResult,
  runProtocol,
} from './protocols';
import { type HtmlReportOptions, resultToHtml } from './report-html';

/** Options of {@link Evaluator}: the defaults of every run. */
export interface EvaluatorOptions {
  /** Ranking cutoff. Default 10. */
  k?: number;
  /** Seed of the splits and samples. Default 42. */
  seed?: number;
}

/**
 * Runs protocols R, C, T, S and K (see {@link runProtocol}) with a fixed K and seed, and formats results.
 * Which published figures each protocol stands beside is listed in {@link PROTOCOL_INFO} and repeated in each
 * result's `notes`.
 *
 * @example
 * ```ts
 * import { Evaluator, PopularityBaseline, BiasedMfBaseline, loadMovieLens, loadOfficialFolds } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const evaluator = new Evaluator({ k: 10, seed: 42 });
 * const t = await evaluator.run('T', data, [
 *   { name: 'popularity', kind: 'baseline', create: () => new PopularityBaseline() },
 * ]);
 * console.log(evaluator.toMarkdown(t));
 * const r = await evaluator.run(
 *   'R',
 *   data,
 *   [{ name: 'biased-mf', kind: 'baseline', create: () => new BiasedMfBaseline() }],
 *   { folds: await loadOfficialFolds('./ml-100k') },
 * );
 * console.log(JSON.stringify(evaluator.toJSON(r), null, 2));
 * ```
 */
export class Evaluator {
  /** Ranking cutoff K of every run. */
  readonly k: number;
  /** Seed of the splits and samples of every run. */
  readonly seed: number;

  constructor(options: EvaluatorOptions = {}) {
    this.k = options.k ?? 10;
    checkK(this.k);
    this.seed = options.seed ?? 42;
  }

  /** Runs one protocol; `options.k` and `options.seed`, when given, override the evaluator's. */
  run(
    protocol: ProtocolName,
    dataset: Dataset,
    models: readonly ModelSpec[],
    options: ProtocolOptions = {},
  ): Promise<ProtocolResult> {
    return runProtocol(protocol, dataset, models, { k: this.k, seed: this.seed, ...stripUndefined(options) });
  }

  /** The result as a Markdown table (see {@link resultToMarkdown}). */
  toMarkdown(result: ProtocolResult, options?: MarkdownOptions): string {
    return resultToMarkdown(result, options);
  }

  /** The result with non-finite numbers as `null`, safe for `JSON.stringify` (see {@link resultToJSON}). */
  toJSON(result: ProtocolResult, options?: JsonOptions): JsonProtocolResult {
    return resultToJSON(result, options);
  }

  /** One self-contained HTML page of one or more results (see {@link resultToHtml}). */
  toHtml(results: ProtocolResult | readonly ProtocolResult[], options?: HtmlReportOptions): Promise<string> {
    return resultToHtml(results, options);
  }
}

/** Options of {@link resultToMarkdown}. */
export interface MarkdownOptions {
  /** Decimals of metric values. Default 4. */
  digits?: number;
  /** Include the notes below the table. Default true. */
  notes?: boolean;
}

/**
 * A Markdown report of a protocol result: a title line, a table with one row per model (and scenario) and one
 * column per metric (in the order the protocol reports them) plus seconds, then the notes. Values that are not
 * finite print as `n/a`.
 *
 * @example
 * ```ts
 * import { resultToMarkdown } from 'reelrec';
 * declare const result: import('reelrec').ProtocolResult;
 * console.log(resultToMarkdown(result, { digits: 3 }));
 * // ### Protocol T on ml-100k (K = 10, seed 42, 943 users)
 * // | model | kind | P@10 | R@10 | … | seconds |
 * ```
 */
export function resultToMarkdown(result: ProtocolResult, options: MarkdownOptions = {}): string {
  const digits = options.digits ?? 4;
  const keys: string[] = [];
  for (const row of result.results)
    for (const key of Object.keys(row.metrics)) if (!keys.includes(key)) keys.push(key);
  const hasScenario = result.results.some((r) => r.scenario !== undefined);
  const header = ['model', 'kind', ...(hasScenario ? ['scenario'] : []), ...keys, 'seconds'];
  const lines = [
    `### Protocol ${result.protocol} on ${result.dataset} (K = ${result.k}, seed ${result.seed}, ${result.users} users)`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < (hasScenario ? 3 : 2) ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of result.results) {
    const cells = [
      escapeCell(row.name),
      row.kind,
      ...(hasScenario ? [escapeCell(row.scenario ?? '')] : []),
      ...keys.map((key) => formatNumber(row.metrics[key], digits)),
      formatNumber(row.seconds, 1),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (options.notes ?? true) {
    const notes = [...result.notes];
    for (const row of result.results) for (const n of row.notes ?? []) notes.push(`${row.name}: ${n}`);
    if (notes.length > 0) {
      lines.push('');
      for (const n of notes) lines.push(`- ${n}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Options of {@link resultToJSON}. */
export interface JsonOptions {
  /** Keep each row's `perUser` data (large: every user's values, every prediction in C). Default false. */
  perUser?: boolean;
}

/** A {@link MetricRow} whose numbers may be `null` (for NaN and infinities). */
export type JsonMetricRow = Omit<MetricRow, 'metrics' | 'perFold' | 'intervals'> & {
  /** Bootstrap intervals by metric key; `null` for a non-finite bound. */
  intervals?: Record<string, [number | null, number | null]>;
  /** Metric values by report key; `null` for a non-finite value. */
  metrics: Record<string, number | null>;
  /** Protocols R and C: the values of each fold, `null` for a non-finite value. */
  perFold?: Array<{
    /** Fold name, e.g. `'u1'`. */
    fold: string;
    /** Metric values of that fold, by report key. */
    metrics: Record<string, number | null>;
  }>;
};

/** A {@link ProtocolResult} whose metric values may be `null`. */
export type JsonProtocolResult = Omit<ProtocolResult, 'results'> & {
  /** One row per model, with non-finite values as `null`. */
  results: JsonMetricRow[];
};

/**
 * A copy of the result with every non-finite metric value (and interval bound) as `null`, so `JSON.stringify`
 * keeps it (it would print NaN as `null` anyway, but silently; here the type says so). Rows keep their
 * `intervals` and `training` histories; their `perUser` data is left out unless `options.perUser`.
 *
 * @example
 * ```ts
 * import { resultToJSON } from 'reelrec';
 * declare const result: import('reelrec').ProtocolResult;
 * await import('node:fs/promises').then((fs) => fs.writeFile('t.json', JSON.stringify(resultToJSON(result))));
 * ```
 */
export function resultToJSON(result: ProtocolResult, options: JsonOptions = {}): JsonProtocolResult {
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const clean = (m: Record<string, number>): Record<string, number | null> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finite(v)]));
  return {
    ...result,
    notes: [...result.notes],
    results: result.results.map(({ perUser, intervals, ...row }) => ({
      ...row,
      metrics: clean(row.metrics),
      ...(intervals
        ? {
            intervals: Object.fromEntries(
              Object.entries(intervals).map(([k, [lo, hi]]) => [
                k,
                [finite(lo), finite(hi)] as [number | null, number | null],
              ]),
            ),
          }
        : {}),
      ...(options.perUser && perUser ? { perUser } : {}),
      ...(row.perFold
        ? { perFold: row.perFold.map((f) => ({ fold: f.fold, metrics: clean(f.metrics) })) }
        : {}),
      ...(row.notes ? { notes: [...row.notes] } : {}),
    })),
  };
}

function formatNumber(x: number | undefined, digits: number): string {
  return x === undefined ? '' : Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
