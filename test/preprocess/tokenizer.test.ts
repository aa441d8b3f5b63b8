import { describe, expect, it } from 'vitest';
import { ENGLISH_STOP_WORDS, UnicodeTokenizer } from '../../src/preprocess/tokenizer';

describe('UnicodeTokenizer', () => {
  const t = new UnicodeTokenizer();

  it('lower-cases and keeps accented Latin-1 letters (ML-100k titles)', () => {
    expect(t.tokenize('Misérables, Les (1995)')).toEqual(['misérables', 'les', '1995']);
    expect(t.tokenize("C'est arrivé près de chez vous (1992)")).toEqual([
      "c'est",
      'arrivé',
      'près',
      'de',
      'chez',
      'vous',
      '1992',
    ]);
    expect(t.tokenize('Á köldum klaka (Cold Fever)')).toEqual(['á', 'köldum', 'klaka', 'cold', 'fever']);
    expect(t.tokenize('Niña Ünter Straße')).toEqual(['niña', 'ünter', 'straße']);
  });

  it('composes decomposed accents (NFC) so é is one character either way', () => {
    const decomposed = 'Ne\u0301nette';
    expect(t.tokenize(decomposed)).toEqual(['nénette']);
    expect(t.tokenize(decomposed)[0]).toBe(t.tokenize('Nénette')[0]);
  });

  it('handles apostrophes: inner kept, typographic normalised, outer dropped, possessive stripped', () => {
    expect(t.tokenize("Don't stop")).toEqual(["don't", 'stop']);
    expect(t.tokenize('Don\u2019t')).toEqual(["don't"]);
    expect(t.tokenize("Rock'n'Roll High School")).toEqual(["rock'n'roll", 'high', 'school']);
    expect(t.tokenize("'90s kids' toys")).toEqual(['90s', 'kids', 'toys']);
    expect(t.tokenize("Schindler's List")).toEqual(['schindler', 'list']);
    expect(t.tokenize('Schindler\u2019s List')).toEqual(['schindler', 'list']);
    expect(new UnicodeTokenizer({ possessives: 'keep' }).tokenize("Schindler's List")).toEqual([
      "schindler's",
      'list',
    ]);
  });

  it('keeps digits, splits on hyphens and punctuation', () => {
    expect(t.tokenize('Star Wars: Episode IV - 1977')).toEqual(['star', 'wars', 'episode', 'iv', '1977']);
    expect(t.tokenize('Spider-Man 2')).toEqual(['spider', 'man', '2']);
    expect(t.tokenize('R2-D2 & C-3PO, 3D!')).toEqual(['r2', 'd2', 'c', '3po', '3d']);
    expect(t.tokenize('snake_case/path')).toEqual(['snake', 'case', 'path']);
  });

  it('tokenizes non-Latin scripts, marks included', () => {
    expect(t.tokenize('Москва слезам не верит')).toEqual(['москва', 'слезам', 'не', 'верит']);
    expect(t.tokenize('Ἀθῆναι')).toEqual(['ἀθῆναι']);
    // Devanagari vowel signs are combining marks and stay inside the word.
    expect(t.tokenize('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
    // Scripts without spaces come out as one token per run.
    expect(t.tokenize('千と千尋の神隠し (2001)')).toEqual(['千と千尋の神隠し', '2001']);
  });

  it('gives no tokens for empty, blank or punctuation-only text, and tolerates non-strings', () => {
    expect(t.tokenize('')).toEqual([]);
    expect(t.tokenize('   \n\t ')).toEqual([]);
    expect(t.tokenize('...!!! -- ??')).toEqual([]);
    expect(t.tokenize(undefined as unknown as string)).toEqual([]);
  });
});

describe('ENGLISH_STOP_WORDS', () => {
  it('is lower case, distinct, frozen and holds common words only', () => {
    expect(ENGLISH_STOP_WORDS.every((w) => w === w.toLowerCase())).toBe(true);
    expect(new Set(ENGLISH_STOP_WORDS).size).toBe(ENGLISH_STOP_WORDS.length);
    expect(Object.isFrozen(ENGLISH_STOP_WORDS)).toBe(true);
    expect(ENGLISH_STOP_WORDS).toContain('the');
    expect(ENGLISH_STOP_WORDS).toContain("don't");
    expect(ENGLISH_STOP_WORDS).not.toContain('love');
  });
});
