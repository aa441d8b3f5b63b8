import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadNaturalStemmer, loadNaturalStopWords, loadNaturalTokenizer } from '../../src/preprocess/natural';
import { Preprocessor } from '../../src/preprocess/preprocessor';

describe('loadNaturalStemmer (natural is a devDependency here)', () => {
  it('gives natural’s Porter stems of known words', async () => {
    const porter = await loadNaturalStemmer();
    expect(porter.name).toBe('porter');
    // Values produced by natural 8.1's PorterStemmer (classic Porter 1980).
    const expected: Record<string, string> = {
      running: 'run',
      generalization: 'gener',
      generalizations: 'gener',
      caresses: 'caress',
      ponies: 'poni',
      relational: 'relat',
      happiness: 'happi',
      connection: 'connect',
      connected: 'connect',
      played: 'plai',
      hopping: 'hop',
      movies: 'movi',
      adventures: 'adventur',
      detectives: 'detect',
      is: 'is', // shorter than 3 characters: unchanged
      Running: 'run', // natural lower-cases
      café: 'café',
    };
    for (const [word, stem] of Object.entries(expected)) expect(porter.stem(word), word).toBe(stem);
  });

  it("loads only natural's Porter files: not its index, no database driver", async () => {
    await loadNaturalStemmer();
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const natural = loaded.filter((k) => k.includes('/node_modules/natural/'));
    expect(natural.length).toBeGreaterThan(0);
    expect(natural.some((k) => k.endsWith('/natural/lib/natural/index.js'))).toBe(false);
    for (const driver of ['mongoose', 'pg', 'redis', 'memjs', 'dotenv']) {
      expect(
        loaded.some((k) => k.includes(`/node_modules/${driver}/`)),
        driver,
      ).toBe(false);
    }
  });

  it('stems inside the Preprocessor, after stop words', async () => {
    const pre = new Preprocessor({ stemmer: await loadNaturalStemmer() });
    expect(pre.stemmerName).toBe('porter');
    expect(pre.analyze('The cowboys are running after generalizations')).toEqual(['cowboi', 'run', 'gener']);
    const auto = await Preprocessor.create({ stem: 'auto' });
    expect(auto.stemmerName).toBe('porter');
  });
});

describe('loadNaturalTokenizer / loadNaturalStopWords', () => {
  it('wraps natural’s ASCII-only aggressive tokenizer (it cuts accented words)', async () => {
    const tok = await loadNaturalTokenizer();
    expect(tok.name).toBe('natural-aggressive');
    expect(tok.tokenize("Misérables, Les don't")).toEqual(['mis', 'rables', 'les', "don't"]);
    expect(tok.tokenize('')).toEqual([]);
  });

  it('copies natural’s stop-word list', async () => {
    const words = await loadNaturalStopWords();
    expect(words).toContain('the');
    expect(words).toContain('z'); // natural lists single letters too
    words.push('zzz');
    expect(await loadNaturalStopWords()).not.toContain('zzz');
  });
});
