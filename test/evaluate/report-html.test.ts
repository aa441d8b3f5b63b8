/**
 * The HTML report: tables, one bar chart per metric with whiskers, training curves, nothing external; and the
 * CLI's `evaluate --html`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../src/cli/commands';
import type { Progress } from '../../src/cli/progress';
import { formatMovieLens100k } from '../../src/data/format';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import type { ProtocolResult } from '../../src/evaluate/protocols';
import { resultToHtml } from '../../src/evaluate/report-html';

const t: ProtocolResult = {
  protocol: 'T',
  dataset: 'tiny',
  k: 10,
  seed: 42,
  users: 3,
  notes: ['T: a note with <angle> & ampersand'],
  results: [
    {
      name: 'rnn <b>',
      kind: 'model',
      metrics: { 'P@10': 0.35, 'NDCG@10': 0.4 },
      intervals: { 'P@10': [0.3, 0.4], 'NDCG@10': [0.33, 0.47] },
      seconds: 12,
      training: [
        {
          epochs: 2,
          bestEpoch: 2,
          aborted: false,
          seconds: 2,
          history: [
            { epoch: 1, loss: 2, valLoss: 2.5, metrics: { 'NDCG@10': 0.1 }, seconds: 1 },
            { epoch: 2, loss: 1.5, valLoss: 2.2, metrics: { 'NDCG@10': 0.2 }, seconds: 1 },
          ],
        },
      ],
    },
    { name: 'popularity', kind: 'baseline', metrics: { 'P@10': 0.22, 'NDCG@10': Number.NaN }, seconds: 0 },
  ],
};
const r: ProtocolResult = {
  protocol: 'R',
  dataset: 'tiny',
  k: 10,
  seed: 42,
  users: 3,
  notes: [],
  results: [
    {
      name: 'lstm',
      kind: 'model',
      metrics: { RMSE: 1.0, MAE: 0.8 },
      intervals: { RMSE: [0.95, 1.05], MAE: [0.75, 0.85] },
      seconds: 3,
      training: ['u1', 'u2'].map((fold) => ({
        fold,
        epochs: 3,
        bestEpoch: 3,
        aborted: false,
        seconds: 1,
        history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, seconds: 0.3 })),
      })),
    },
    { name: 'biased-mf', kind: 'baseline', metrics: { RMSE: 0.91, MAE: 0.72 }, seconds: 1 },
  ],
};

function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

describe('resultToHtml', () => {
  it('one self-contained page: a table per result, a bar chart per metric, training curves per model', async () => {
    const html = await resultToHtml([t, r]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(count(html, '<table>')).toBe(2);
    expect(count(html, '<section id="result-')).toBe(2);
    expect(html).toContain('<a href="#result-2">Protocol R on tiny (K = 10, seed 42, 3 users)</a>');
    // T: bars for P@10 and NDCG@10, curves for training loss, validation loss, validation NDCG@10;
    // R: bars for RMSE and MAE, one training-loss chart with a line per fold.
    expect(count(html, '<svg ')).toBe(5 + 3);
    expect(count(html, '<h4>')).toBe(2);
    expect(html).toContain('mark-rule'); // whiskers
    expect(html).toContain('mark-line'); // curves
    expect(html).toContain('<figcaption>RMSE</figcaption>');
    expect(html).toContain('<figcaption>lstm: training loss</figcaption>');
    expect(html).toContain('<figcaption>rnn &#60;b&#62;: validation NDCG@10</figcaption>');
    // Values over their intervals; NaN as n/a; the model row marked; lower-is-better flagged.
    expect(html).toContain('0.3500<br><span class="ci">0.3000 – 0.4000</span>');
    expect(html).toContain('<td class="num">n/a</td>');
    expect(count(html, '<tr class="model">')).toBe(2);
    expect(html).toContain('<th class="num">RMSE ↓</th>');
  });

  it('escapes names and notes, and loads nothing: no script, link, URL or external reference', async () => {
    const html = await resultToHtml(t);
    expect(html).not.toContain('<b>');
    expect(html).toContain('rnn &#60;b&#62;');
    expect(html).toContain('a note with &#60;angle&#62; &#38; ampersand');
    for (const banned of [
      'http:',
      'https:',
      '//',
      '<script',
      '<link',
      '<img',
      '<iframe',
      'src=',
      'url(',
      '@import',
    ]) {
      expect(html.toLowerCase()).not.toContain(banned);
    }
    expect(html).not.toContain('<nav>');
  });

  it('draws only the metrics asked for', async () => {
    const html = await resultToHtml(t, { metrics: ['NDCG@10'], title: 'Mine', digits: 2 });
    expect(count(html, '<svg ')).toBe(1 + 3);
    expect(html).toContain('<title>Mine</title>');
    expect(html).toContain('0.35<br><span class="ci">0.30 – 0.40</span>');
  });
});

describe('reelrec evaluate --html', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the report and still returns the JSON document, with the report path', async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelrec-html-'));
    const dataDir = join(dir, 'ml');
    await mkdir(dataDir);
    const data = generateSyntheticCatalog({
      users: 30,
      movies: 40,
      ratingsPerUser: 15,
      seed: 9,
      content: false,
    });
    for (const [name, text] of Object.entries(formatMovieLens100k(data))) {
      await writeFile(join(dataDir, name), Buffer.from(text, 'latin1'));
    }
    const quiet: Progress = { start() {}, update() {}, stop() {}, note() {} };
    const file = join(dir, 'report.html');
    const { json, text } = await evaluateCommand(
      { data: dataDir, protocol: 'S', epochs: 2, hidden: 8, backend: 'cpu', html: file, resamples: 50 },
      quiet,
    );
    const doc = json as {
      html: string;
      results: Array<{ name: string; intervals?: Record<string, unknown> }>;
    };
    expect(doc.html).toBe(file);
    expect(doc.results.map((row) => row.name)).toEqual([
      'lstm',
      'popularity',
      'item-knn',
      'recency-item-knn',
      'ease',
    ]);
    expect(Object.keys(doc.results[0]!.intervals!)).toContain('NDCG@10');
    expect(text).toContain(`HTML report written to ${file}`);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('Protocol S on');
    expect(html).toContain('<h4>lstm</h4>');
    expect(count(html, '<svg ')).toBeGreaterThan(5);
  }, 120_000);
});
