import { describe, expect, it } from 'vitest';
import { ConfigError, ModelFormatError, StateError } from '../../src/errors';
import { Preprocessor } from '../../src/preprocess/preprocessor';
import { type Stemmer, UnicodeTokenizer } from '../../src/preprocess/tokenizer';

/** A toy stemmer: strips a final "s" from words longer than 3 characters. */
const pluralS: Stemmer = {
  name: 'plural-s',
  stem: (w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w),
};

describe('Preprocessor.analyze', () => {
  it('tokenizes and drops English stop words by default; no stemmer means no stemming', () => {
    const pre = new Preprocessor();
    expect(pre.stemmerName).toBeNull();
    expect(pre.analyze('The Lord of the Rings')).toEqual(['lord', 'rings']);
    expect(pre.analyze('')).toEqual([]);
    expect(pre.analyze(null)).toEqual([]);
    expect(pre.analyze(undefined)).toEqual([]);
  });

  it('handles Latin-1 and non-English titles without throwing', () => {
    const pre = new Preprocessor();
    expect(pre.analyze('Double vie de Véronique, La')).toEqual(['double', 'vie', 'de', 'véronique', 'la']);
    expect(pre.analyze('Cérémonie, La (1995)')).toEqual(['cérémonie', 'la', '1995']);
    expect(pre.analyze('Die Blechtrommel: Günter Grass')).toEqual(['die', 'blechtrommel', 'günter', 'grass']);
  });

  it('takes custom stop words (matched case-insensitively) or none', () => {
    expect(new Preprocessor({ stopWords: ['Lord'] }).analyze('The Lord of the Rings')).toEqual([
      'the',
      'of',
      'the',
      'rings',
    ]);
    expect(new Preprocessor({ stopWords: 'none' }).analyze('The End')).toEqual(['the', 'end']);
  });

  it('stems after dropping stop words', () => {
    const pre = new Preprocessor({ stemmer: pluralS, stopWords: ['gods'] });
    expect(pre.stemmerName).toBe('plural-s');
    // "gods" is a stop word as written, so it is dropped before stemming could turn it into "god".
    expect(pre.analyze('Gods and Monsters and Rings')).toEqual(['and', 'monster', 'and', 'ring']);
  });

  it('appends n-grams of the kept tokens, joined by the separator', () => {
    const bigrams = new Preprocessor({ ngrams: 2 });
    // stop words "the", "of" removed first, so "lord_rings" spans them
    expect(bigrams.analyze('The Lord of the Rings Returns')).toEqual([
      'lord',
      'rings',
      'returns',
      'lord_rings',
      'rings_returns',
    ]);
    const spaced = new Preprocessor({ ngrams: 3, ngramSeparator: ' ' });
    expect(spaced.analyze('red green blue')).toEqual([
      'red',
      'green',
      'blue',
      'red green',
      'green blue',
      'red green blue',
    ]);
    expect(spaced.analyze('solo')).toEqual(['solo']);
  });

  it('drops tokens shorter than minTokenLength (in characters)', () => {
    expect(new Preprocessor({ minTokenLength: 3, stopWords: 'none' }).analyze('Up in é Été 2 B52')).toEqual([
      'été',
      'b52',
    ]);
  });

  it('rejects bad options', () => {
    expect(() => new Preprocessor({ ngrams: 0 })).toThrow(ConfigError);
    expect(() => new Preprocessor({ ngrams: 6 })).toThrow(ConfigError);
    expect(() => new Preprocessor({ stopWords: 'french' as 'english' })).toThrow(ConfigError);
    expect(() => new Preprocessor({ stemmer: {} as Stemmer })).toThrow(ConfigError);
  });
});

describe('Preprocessor fit / transform / tfidf', () => {
  // Corpus of 3 documents (stop words 'none' so every token counts):
  //   d1 "alien space alien", d2 "space robot", d3 "robot love"
  // counts: alien 2, robot 2, space 2, love 1 → ids <unk> 0, alien 1, robot 2, space 3, love 4
  // df: alien 1, robot 2, space 2, love 1; N = 3
  const corpus = ['alien space alien', 'space robot', 'robot love'];
  const fitted = () => new Preprocessor({ stopWords: 'none' }).fit(corpus);

  it('fits the vocabulary and maps unseen tokens to the OOV id 0', () => {
    const pre = fitted();
    expect(pre.vocabulary.tokens()).toEqual(['<unk>', 'alien', 'robot', 'space', 'love']);
    expect(Array.from(pre.transform('Love robots, alien'))).toEqual([4, 0, 1]);
    expect(Array.from(pre.transform(''))).toEqual([]);
  });

  it('computes smoothed idf = ln((1 + N) / (1 + df)) + 1', () => {
    const pre = fitted();
    expect(pre.idf(1)).toBeCloseTo(Math.log(4 / 2) + 1, 12); // alien: 1.6931472
    expect(pre.idf(2)).toBeCloseTo(Math.log(4 / 3) + 1, 12); // robot: 1.2876821
  });

  it('gives L2-normalised tf·idf vectors (hand-computed)', () => {
    const pre = fitted();
    // d1: alien tf 2 → 2 × 1.6931472 = 3.3862944; space tf 1 → 1.2876821
    //     norm = sqrt(3.3862944² + 1.2876821²) = 3.6228707 → [0.9347020, 0.3554325]
    const d1 = pre.tfidf('alien space alien');
    expect(Array.from(d1.indices)).toEqual([1, 3]);
    expect(d1.values[0]).toBeCloseTo(0.934702, 6);
    expect(d1.values[1]).toBeCloseTo(0.3554325, 6);
    // d3: robot 1.2876821, love 1.6931472 → norm 2.1271916 → [0.6053485, 0.7959605]
    const d3 = pre.tfidf('robot love');
    expect(Array.from(d3.indices)).toEqual([2, 4]);
    expect(d3.values[0]).toBeCloseTo(0.6053485, 6);
    expect(d3.values[1]).toBeCloseTo(0.7959605, 6);
    // unseen text: "zombie" is OOV and left out; alien 1.6931472, robot 2 × 1.2876821 = 2.5753641
    //   norm = 3.0820849 → [0.5493512, 0.8355915]
    const fresh = pre.tfidf('alien robot zombie robot');
    expect(Array.from(fresh.indices)).toEqual([1, 2]);
    expect(fresh.values[0]).toBeCloseTo(0.5493512, 6);
    expect(fresh.values[1]).toBeCloseTo(0.8355915, 6);
    // nothing known: empty vector
    expect(pre.tfidf('zombie').indices.length).toBe(0);
    expect(pre.tfidf(null).values.length).toBe(0);
  });

  it('needs fit before transform', () => {
    const pre = new Preprocessor();
    expect(pre.fitted).toBe(false);
    expect(() => pre.transform('x')).toThrow(StateError);
  });

  it('passes vocabulary options through', () => {
    const pre = new Preprocessor({ stopWords: 'none' }).fit(corpus, { minDocs: 2 });
    expect(pre.vocabulary.tokens()).toEqual(['<unk>', 'robot', 'space']);
  });
});

describe('Preprocessor serialization', () => {
  it('round-trips an unfitted and a fitted preprocessor exactly', () => {
    const plain = new Preprocessor({ ngrams: 2, ngramSeparator: ' ', stopWords: ['Foo'], minTokenLength: 2 });
    expect(Preprocessor.fromJSON(JSON.parse(JSON.stringify(plain.toJSON()))).toJSON()).toEqual(
      plain.toJSON(),
    );
    const fitted = new Preprocessor().fit(['Misérables, Les', 'Les Visiteurs', 'Visiteurs']);
    const json = JSON.parse(JSON.stringify(fitted.toJSON()));
    const back = Preprocessor.fromJSON(json);
    expect(back.toJSON()).toEqual(fitted.toJSON());
    expect(Array.from(back.transform('les misérables'))).toEqual(
      Array.from(fitted.transform('les misérables')),
    );
    expect(back.tfidf('visiteurs les')).toEqual(fitted.tfidf('visiteurs les'));
  });

  it('needs the stemmer it was saved with', () => {
    const pre = new Preprocessor({ stemmer: pluralS }).fit(['cats and dogs']);
    const json = pre.toJSON();
    expect(json.stemmer).toBe('plural-s');
    expect(() => Preprocessor.fromJSON(json)).toThrow(ConfigError);
    expect(() => Preprocessor.fromJSON(json, { stemmer: { name: 'porter', stem: (w) => w } })).toThrow(
      ConfigError,
    );
    const back = Preprocessor.fromJSON(json, { stemmer: pluralS });
    expect(back.analyze('cats')).toEqual(['cat']);
    expect(back.toJSON()).toEqual(json);
  });

  it('rebuilds the built-in tokenizer with its options', () => {
    const keep = new Preprocessor({
      tokenizer: new UnicodeTokenizer({ possessives: 'keep' }),
      stopWords: 'none',
    });
    const json = keep.toJSON();
    expect(json.tokenizer).toBe('unicode-keep-possessives');
    expect(Preprocessor.fromJSON(json).analyze("Schindler's List")).toEqual(["schindler's", 'list']);
  });

  it('rebuilds the built-in tokenizer and needs a custom one passed in', () => {
    const custom = new Preprocessor({ tokenizer: { name: 'ws', tokenize: (t) => t.split(' ') } });
    expect(() => Preprocessor.fromJSON(custom.toJSON())).toThrow(ConfigError);
    const back = Preprocessor.fromJSON(custom.toJSON(), {
      tokenizer: { name: 'ws', tokenize: (t) => t.split(' ') },
    });
    expect(back.analyze('a-b c')).toEqual(['a-b', 'c']);
  });

  it('rejects a malformed saved preprocessor', () => {
    const json = new Preprocessor().toJSON();
    expect(() => Preprocessor.fromJSON({ ...json, format: 'x' as 'reelrec.preprocessor' })).toThrow(
      ModelFormatError,
    );
    expect(() => Preprocessor.fromJSON({ ...json, stopWords: 'klingon' as 'none' })).toThrow(
      ModelFormatError,
    );
  });
});
