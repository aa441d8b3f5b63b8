/**
 * The HTML report of protocol results: one self-contained file (inline CSS and SVG, no script, nothing fetched
 * when it is viewed) with a table per protocol, a bar chart per metric with interval whiskers, and the training
 * curves of the models. The charts are drawn by `vega` (an optional peer dependency, loaded only here, in Node)
 * as SVG strings, headless: no DOM, no canvas, no native code.
 *
 * @module
 */
import type * as VegaModule from 'vega';
import { DependencyError } from '../errors';
import { loadVega } from '../platform/node-charts';
import { VERSION } from '../version';
import { lowerIsBetter } from './bootstrap';
import type { MetricRow, ProtocolResult, TrainingRecord } from './protocols';

/** Options of {@link resultToHtml}. */
export interface HtmlReportOptions {
  /** The page's title and heading. Default `'reelrec evaluation report'`. */
  title?: string;
  /** Decimals of metric values in the tables. Default 4. */
  digits?: number;
  /** Metric keys to draw a bar chart for (those a protocol lacks are skipped). Default: every metric. */
  metrics?: readonly string[];
  /** Include the notes under each table. Default true. */
  notes?: boolean;
}

type Vega = typeof VegaModule;

const COLORS = { model: '#d95f02', baseline: '#7570b3' } as const;
const FOLD_COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

/**
 * Renders protocol results as one self-contained HTML page. For each result: a table with one row per model
 * (and scenario) and one column per metric, each value over its bootstrap interval when the result has
 * intervals (model rows highlighted); the protocol's notes; a bar chart per metric with every row side by side
 * (models and baselines in two colours) and the intervals as whiskers; and, for each row of kind `'model'`
 * that kept its training history, line charts per epoch of the training loss and of each validation figure
 * (validation loss, validation metrics), one line per fold.
 *
 * The page has no script and loads nothing: CSS and SVG are inline. Node only (the charts need the optional
 * package `vega`; in a browser build this function rejects).
 *
 * @throws {DependencyError} when `vega` is not installed (`npm install vega`).
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { EaseBaseline, PopularityBaseline, loadMovieLens, resultToHtml, runProtocol } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const t = await runProtocol('T', data, [
 *   { name: 'popularity', kind: 'baseline', create: () => new PopularityBaseline() },
 *   { name: 'ease', kind: 'baseline', create: () => new EaseBaseline() },
 * ]);
 * await writeFile('report.html', await resultToHtml(t, { title: 'ML-100k, protocol T' }));
 * ```
 */
export async function resultToHtml(
  results: ProtocolResult | readonly ProtocolResult[],
  options: HtmlReportOptions = {},
): Promise<string> {
  const list: readonly ProtocolResult[] = Array.isArray(results) ? results : [results as ProtocolResult];
  let vega: Vega;
  try {
    vega = await loadVega();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(err).includes('vega')) {
      throw new DependencyError('vega', 'HTML reports (resultToHtml, reelrec evaluate --html)', {
        cause: err,
      });
    }
    throw err;
  }
  const title = options.title ?? 'reelrec evaluation report';
  const sections: string[] = [];
  for (let i = 0; i < list.length; i++)
    sections.push(await section(vega, list[i]!, `result-${i + 1}`, options));
  const nav =
    list.length > 1
      ? `<nav><ul>${list
          .map((r, i) => `<li><a href="#result-${i + 1}">${escapeHtml(heading(r))}</a></li>`)
          .join('')}</ul></nav>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">reelrec ${escapeHtml(VERSION)}: ${list.length} protocol result${list.length === 1 ? '' : 's'}. Bars: metric values; whiskers: bootstrap intervals over users (when the run computed them). <span class="swatch model"></span> model <span class="swatch baseline"></span> baseline</p>`,
    nav,
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

async function section(
  vega: Vega,
  result: ProtocolResult,
  id: string,
  options: HtmlReportOptions,
): Promise<string> {
  const digits = options.digits ?? 4;
  const keys = metricKeys(result.results);
  const charted = options.metrics ? keys.filter((k) => options.metrics!.includes(k)) : keys;
  const parts = [
    `<section id="${id}">`,
    `<h2>${escapeHtml(heading(result))}</h2>`,
    table(result, keys, digits),
  ];
  if (options.notes ?? true) {
    const notes = [...result.notes];
    for (const row of result.results) for (const n of row.notes ?? []) notes.push(`${row.name}: ${n}`);
    if (notes.length > 0)
      parts.push(`<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  }
  if (charted.length > 0 && result.results.length > 0) {
    parts.push('<h3>Metrics</h3>', '<div class="charts">');
    for (const key of charted) parts.push(figure(await render(vega, barSpec(result.results, key)), key));
    parts.push('</div>');
  }
  const curves = trainingCurves(result.results);
  if (curves.length > 0) {
    parts.push('<h3>Training curves</h3>');
    for (const { name, training } of curves) {
      parts.push(`<h4>${escapeHtml(name)}</h4>`, '<div class="charts">');
      for (const series of curveSeries(training)) {
        parts.push(
          figure(await render(vega, lineSpec(series.points, series.label)), `${name}: ${series.label}`),
        );
      }
      parts.push('</div>');
    }
  }
  parts.push('</section>');
  return parts.join('\n');
}

function heading(r: ProtocolResult): string {
  return `Protocol ${r.protocol} on ${r.dataset} (K = ${r.k}, seed ${r.seed}, ${r.users} users)`;
}

function metricKeys(rows: readonly MetricRow[]): string[] {
  const keys: string[] = [];
  for (const row of rows) for (const key of Object.keys(row.metrics)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

function label(row: MetricRow): string {
  return row.scenario ? `${row.name} · ${row.scenario}` : row.name;
}

function table(result: ProtocolResult, keys: readonly string[], digits: number): string {
  const hasScenario = result.results.some((r) => r.scenario !== undefined);
  const head = ['model', 'kind', ...(hasScenario ? ['scenario'] : [])]
    .map((h) => `<th>${h}</th>`)
    .concat(keys.map((k) => `<th class="num">${escapeHtml(k)}${lowerIsBetter(k) ? ' ↓' : ''}</th>`))
    .concat('<th class="num">seconds</th>')
    .join('');
  const body = result.results.map((row) => {
    const cells = [
      `<td>${escapeHtml(row.name)}</td>`,
      `<td>${row.kind}</td>`,
      ...(hasScenario ? [`<td>${escapeHtml(row.scenario ?? '')}</td>`] : []),
      ...keys.map((k) => {
        const v = row.metrics[k];
        const iv = row.intervals?.[k];
        const interval =
          iv && Number.isFinite(iv[0]) && Number.isFinite(iv[1])
            ? `<br><span class="ci">${fmt(iv[0], digits)} – ${fmt(iv[1], digits)}</span>`
            : '';
        return `<td class="num">${v === undefined ? '' : fmt(v, digits)}${interval}</td>`;
      }),
      `<td class="num">${fmt(row.seconds, 1)}</td>`,
    ];
    return `<tr class="${row.kind}">${cells.join('')}</tr>`;
  });
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** One bar per row, coloured by kind, with the row's interval as a whisker. */
function barSpec(rows: readonly MetricRow[], key: string): VegaModule.Spec {
  const bars = rows
    .filter((r) => Number.isFinite(r.metrics[key]))
    .map((r) => ({ label: label(r), value: r.metrics[key]!, kind: r.kind }));
  const whiskers = rows
    .map((r) => ({ label: label(r), iv: r.intervals?.[key] }))
    .filter((w): w is { label: string; iv: [number, number] } =>
      Boolean(w.iv && Number.isFinite(w.iv[0]) && Number.isFinite(w.iv[1])),
    )
    .map((w) => ({ label: w.label, lo: w.iv[0], hi: w.iv[1] }));
  const values = [...bars.map((b) => b.value), ...whiskers.flatMap((w) => [w.lo, w.hi])];
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const width = Math.max(160, 34 * rows.length);
  const x = { scale: 'x', field: 'label' };
  return {
    width,
    height: 160,
    padding: 4,
    autosize: 'pad',
    title: { text: `${key}${lowerIsBetter(key) ? ' (lower is better)' : ''}`, fontSize: 13 },
    data: [
      { name: 'bars', values: bars },
      { name: 'whiskers', values: whiskers },
    ],
    scales: [
      { name: 'x', type: 'band', domain: rows.map(label), range: 'width', padding: 0.25 },
      {
        name: 'y',
        type: 'linear',
        domain: [lo, hi === lo ? lo + 1 : hi],
        range: 'height',
        nice: true,
        zero: true,
      },
      {
        name: 'color',
        type: 'ordinal',
        domain: ['model', 'baseline'],
        range: [COLORS.model, COLORS.baseline],
      },
    ],
    axes: [
      {
        orient: 'bottom',
        scale: 'x',
        labelAngle: -35,
        labelAlign: 'right',
        labelBaseline: 'middle',
        labelLimit: 140,
      },
      { orient: 'left', scale: 'y', grid: true, tickCount: 5 },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 'bars' },
        encode: {
          enter: {
            ...{ x, width: { scale: 'x', band: 1 } },
            y: { scale: 'y', field: 'value' },
            y2: { scale: 'y', value: 0 },
            fill: { scale: 'color', field: 'kind' },
          },
        },
      },
      {
        type: 'rule',
        from: { data: 'whiskers' },
        encode: {
          enter: {
            x: { ...x, band: 0.5 },
            y: { scale: 'y', field: 'lo' },
            y2: { scale: 'y', field: 'hi' },
            stroke: { value: '#222' },
            strokeWidth: { value: 1.5 },
          },
        },
      },
      ...(['lo', 'hi'] as const).map((end) => ({
        type: 'rule' as const,
        from: { data: 'whiskers' },
        encode: {
          enter: {
            x: { ...x, band: 0.5, offset: -4 },
            x2: { ...x, band: 0.5, offset: 4 },
            y: { scale: 'y', field: end },
            stroke: { value: '#222' },
            strokeWidth: { value: 1.5 },
          },
        },
      })),
    ],
  };
}

/** Rows of kind 'model' with training histories, one entry per name (K's two scenarios share one fit). */
function trainingCurves(rows: readonly MetricRow[]): Array<{ name: string; training: TrainingRecord[] }> {
  const out: Array<{ name: string; training: TrainingRecord[] }> = [];
  for (const row of rows) {
    if (row.kind !== 'model' || !row.training || row.training.length === 0) continue;
    if (out.some((c) => c.name === row.name)) continue;
    out.push({ name: row.name, training: row.training });
  }
  return out;
}

interface CurvePoint {
  epoch: number;
  value: number;
  series: string;
}

/** The training loss, then each validation figure (valLoss, then metrics by name), as points per fold. */
function curveSeries(training: readonly TrainingRecord[]): Array<{ label: string; points: CurvePoint[] }> {
  const figures = new Map<string, CurvePoint[]>();
  const add = (name: string, p: CurvePoint): void => {
    if (!Number.isFinite(p.value)) return;
    let list = figures.get(name);
    if (!list) {
      list = [];
      figures.set(name, list);
    }
    list.push(p);
  };
  for (const t of training) {
    const series = t.fold ?? 'train';
    for (const log of t.history) {
      add('training loss', { epoch: log.epoch, value: log.loss, series });
      if (log.valLoss !== undefined) add('validation loss', { epoch: log.epoch, value: log.valLoss, series });
      for (const [k, v] of Object.entries(log.metrics ?? {})) {
        add(`validation ${k}`, { epoch: log.epoch, value: v, series });
      }
    }
  }
  return [...figures].map(([label, points]) => ({ label, points }));
}

/** One line per fold (series) over the epochs, with a dot per epoch. */
function lineSpec(points: readonly CurvePoint[], title: string): VegaModule.Spec {
  const series = [...new Set(points.map((p) => p.series))];
  const epochs = points.map((p) => p.epoch);
  const enter = (extra: object): object => ({
    x: { scale: 'x', field: 'epoch' },
    y: { scale: 'y', field: 'value' },
    ...extra,
  });
  return {
    width: 300,
    height: 160,
    padding: 4,
    autosize: 'pad',
    title: { text: title, fontSize: 13 },
    data: [{ name: 'points', values: points }],
    scales: [
      {
        name: 'x',
        type: 'linear',
        domain: [Math.min(...epochs), Math.max(Math.max(...epochs), Math.min(...epochs) + 1)],
        range: 'width',
        zero: false,
      },
      {
        name: 'y',
        type: 'linear',
        domain: valueDomain(points),
        range: 'height',
        nice: true,
        zero: false,
      },
      { name: 'color', type: 'ordinal', domain: series, range: FOLD_COLORS },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'epoch', tickMinStep: 1, tickCount: 8 },
      { orient: 'left', scale: 'y', grid: true, tickCount: 5, format: '.3~g' },
    ],
    legends: series.length > 1 ? [{ stroke: 'color', title: 'fold', orient: 'right' }] : [],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'points', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              enter: enter({ stroke: { scale: 'color', field: 'series' }, strokeWidth: { value: 2 } }),
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: { enter: enter({ fill: { scale: 'color', field: 'series' }, size: { value: 18 } }) },
          },
        ],
      },
    ],
  } as VegaModule.Spec;
}

/** The values' [min, max], widened around a single value so that one epoch still gets an axis. */
function valueDomain(points: readonly CurvePoint[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.value);
    hi = Math.max(hi, p.value);
  }
  if (hi > lo) return [lo, hi];
  const pad = Math.max(Math.abs(lo) * 0.1, 1e-6);
  return [lo - pad, lo + pad];
}

/** The spec as an SVG string, without the XML namespace attributes (inline SVG in HTML needs none). */
async function render(vega: Vega, spec: VegaModule.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '').replace(/<svg /, '<svg role="img" ');
  } finally {
    view.finalize();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 24px auto;
  max-width: 1180px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin-top: 22px; } h4 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: #555; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-left: 8px; }
.swatch.model { background: ${COLORS.model}; } .swatch.baseline { background: ${COLORS.baseline}; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 0; display: block; overflow-x: auto; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; }
tr.model td { background: #fff3e8; font-weight: 600; }
.ci { color: #666; font-size: 11px; font-weight: normal; white-space: nowrap; }
.notes { color: #555; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
figure { margin: 0; } figcaption { display: none; }
nav ul { padding-left: 18px; }
`;
