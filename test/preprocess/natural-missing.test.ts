import { describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../../src/data/types';
import { RatingTable } from '../../src/data/types';
import { DependencyError } from '../../src/errors';
import { FeatureExtractor } from '../../src/features/feature-extractor';
import { loadNaturalStemmer, loadNaturalStopWords, loadNaturalTokenizer } from '../../src/preprocess/natural';
import { Preprocessor } from '../../src/preprocess/preprocessor';

// Simulate an install without the optional peer dependency `natural`.
// (vi.mock calls are hoisted above the imports, so the factory comes from vi.hoisted.)
const { missing } = vi.hoisted(() => ({
  missing: () => {
    throw Object.assign(new Error("Cannot find package 'natural'"), { code: 'ERR_MODULE_NOT_FOUND' });
  },
}));
vi.mock('natural/lib/natural/stemmers/porter_stemmer.js', missing);
vi.mock('natural/lib/natural/tokenizers/aggressive_tokenizer.js', missing);
vi.mock('natural/lib/natural/util/stopwords.js', missing);

function plotsDataset(): Dataset {
  return {
    name: 'tiny',
    format: 'custom',
    ratings: RatingTable.from([]),
    movies: [
      { id: 1, title: 'A', year: 1990, genres: [], plot: 'Cowboys fight aliens' },
      { id: 2, title: 'B', year: 1991, genres: [], plot: 'Cowboys ride horses' },
    ],
    users: [],
    genres: [],
    ratingScale: { min: 1, max: 5, step: 1 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

describe('without natural', () => {
  it('every loader throws a DependencyError naming natural', async () => {
    for (const load of [loadNaturalStemmer, loadNaturalTokenizer, loadNaturalStopWords]) {
      const err = await load().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DependencyError);
      expect((err as DependencyError).code).toBe('DEPENDENCY');
      expect((err as DependencyError).packageName).toBe('natural');
      expect((err as DependencyError).message).toContain('npm install natural');
      expect((err as DependencyError).cause).toBeDefined();
    }
  });

  it('the Preprocessor tokenizes only: stem "auto" falls back, stem true throws', async () => {
    const pre = await Preprocessor.create({ stem: 'auto' });
    expect(pre.stemmerName).toBeNull();
    expect(pre.analyze('The cowboys are running, café crème')).toEqual([
      'cowboys',
      'running',
      'café',
      'crème',
    ]);
    pre.fit(['cowboys running', 'running']);
    expect(Array.from(pre.transform('running cowboys horses'))).toEqual([1, 2, 0]);
    await expect(Preprocessor.create({ stem: true })).rejects.toBeInstanceOf(DependencyError);
    // The constructor never needs natural.
    expect(new Preprocessor().analyze('running')).toEqual(['running']);
  });

  it('the FeatureExtractor keeps its text group without stemming under stem "auto"', async () => {
    const fe = await new FeatureExtractor({ textDims: 4 }).fit(plotsDataset());
    const text = fe.summary().groups.find((g) => g.name === 'text')!;
    expect(text.enabled).toBe(true);
    expect(text.reason).toContain('not installed');
    expect(fe.summary().text?.stemmer).toBeNull();
    await expect(new FeatureExtractor({ stem: true }).fit(plotsDataset())).rejects.toBeInstanceOf(
      DependencyError,
    );
    // No text, no natural needed even with stem: true.
    await expect(
      new FeatureExtractor({ stem: true, text: false }).fit(plotsDataset()),
    ).resolves.toBeDefined();
  });
});
