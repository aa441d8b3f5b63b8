import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { PopularityBaseline } from '../../src/evaluate/baselines';
import { Evaluator, resultToJSON, resultToMarkdown } from '../../src/evaluate/evaluator';
import { PROTOCOL_INFO, PROTOCOL_NAMES, type ProtocolResult } from '../../src/evaluate/protocols';
import { makeDataset, type Row } from './helpers';

const rows: Row[] = [];
for (let u = 1; u <= 6; u++)
  for (let m = 1; m <= 8; m++) if ((u + m) % 3 !== 0) rows.push([u, m, 1 + ((u * m) % 5), m]);
const data = makeDataset(rows);

const sample: ProtocolResult = {
  protocol: 'K',
  dataset: 'tiny',
  k: 10,
  seed: 42,
  users: 2,
  results: [
    {
      name: 'pop|ular',
      kind: 'baseline',
      scenario: 'demographics',
      metrics: { 'P@10': 0.25, novelty: Number.NaN },
      seconds: 0.04,
    },
    {
      name: 'rnn',
      kind: 'model',
      scenario: 'demographics+5',
      metrics: { 'P@10': 0.5 },
      seconds: 1.26,
      notes: ['x'],
    },
  ],
  notes: ['a note'],
};

describe('Evaluator', () => {
  it('runs a protocol with its K and seed, and per-run options override them', async () => {
    const ev = new Evaluator({ k: 5, seed: 7 });
    const specs = [{ name: 'popularity', kind: 'baseline' as const, create: () => new PopularityBaseline() }];
    const r = await ev.run('T', data, specs);
    expect(r).toMatchObject({ protocol: 'T', k: 5, seed: 7 });
    expect(Object.keys(r.results[0]!.metrics)).toContain('NDCG@5');
    const r2 = await ev.run('T', data, specs, { k: 3, seed: undefined });
    expect(r2).toMatchObject({ k: 3, seed: 7 });
    expect(() => new Evaluator({ k: 0 })).toThrow(ConfigError);
  });

  it('renders a Markdown table: rows = models, columns = metrics', () => {
    const md = resultToMarkdown(sample, { digits: 3 });
    const lines = md.trim().split('\n');
    expect(lines[0]).toBe('### Protocol K on tiny (K = 10, seed 42, 2 users)');
    expect(lines[2]).toBe('| model | kind | scenario | P@10 | novelty | seconds |');
    expect(lines[3]).toBe('|---|---|---|---:|---:|---:|');
    expect(lines[4]).toBe('| pop\\|ular | baseline | demographics | 0.250 | n/a | 0.0 |');
    expect(lines[5]).toBe('| rnn | model | demographics+5 | 0.500 |  | 1.3 |');
    expect(lines.slice(7)).toEqual(['- a note', '- rnn: x']);
    expect(new Evaluator().toMarkdown(sample, { notes: false })).not.toContain('a note');
  });

  it('makes JSON-safe output with null for non-finite numbers', () => {
    const json = resultToJSON(sample);
    expect(json.results[0]!.metrics).toEqual({ 'P@10': 0.25, novelty: null });
    expect(JSON.parse(JSON.stringify(new Evaluator().toJSON(sample)))).toEqual(json);
    expect(sample.results[0]!.metrics.novelty).toBeNaN(); // the input is not modified
  });

  it('documents every protocol with what it compares to', () => {
    for (const p of PROTOCOL_NAMES) {
      expect(PROTOCOL_INFO[p].title.startsWith(`${p}:`)).toBe(true);
      expect(PROTOCOL_INFO[p].published.length).toBeGreaterThan(0);
    }
  });
});
