import { describe, expect, it } from 'vitest';
import { ConfigError, ModelFormatError } from '../../src/errors';
import { MultiHotEncoder, OneHotEncoder } from '../../src/preprocess/encoders';

describe('OneHotEncoder', () => {
  it('encodes known values; unknown and missing values are all-zero rows by default', () => {
    const enc = new OneHotEncoder(['M', 'F']);
    expect(enc.dim).toBe(2);
    expect(Array.from(enc.encode('F'))).toEqual([0, 1]);
    expect(Array.from(enc.encode('X'))).toEqual([0, 0]);
    expect(Array.from(enc.encode(null))).toEqual([0, 0]);
    expect(enc.index('X')).toBe(-1);
    expect(enc.featureNames('gender:')).toEqual(['gender:M', 'gender:F']);
  });

  it('sets a trailing unknown slot with unknown: "slot"', () => {
    const enc = new OneHotEncoder(['M', 'F'], { unknown: 'slot', unknownLabel: '?' });
    expect(enc.dim).toBe(3);
    expect(Array.from(enc.encode('X'))).toEqual([0, 0, 1]);
    expect(Array.from(enc.encode(undefined))).toEqual([0, 0, 1]);
    expect(enc.featureNames()).toEqual(['M', 'F', '?']);
  });

  it('fits by frequency (then name), alphabetically or first seen, with minCount and a cap', () => {
    const values = ['writer', 'student', 'artist', 'student', null, 'writer', 'student'];
    // counts: student 3, writer 2, artist 1
    expect(OneHotEncoder.fit(values).categories).toEqual(['student', 'writer', 'artist']);
    expect(OneHotEncoder.fit(values, { order: 'alphabetical' }).categories).toEqual([
      'artist',
      'student',
      'writer',
    ]);
    expect(OneHotEncoder.fit(values, { order: 'first-seen' }).categories).toEqual([
      'writer',
      'student',
      'artist',
    ]);
    expect(OneHotEncoder.fit(values, { minCount: 2 }).categories).toEqual(['student', 'writer']);
    // The cap keeps the most frequent, whatever the column order.
    expect(OneHotEncoder.fit(values, { maxCategories: 2, order: 'alphabetical' }).categories).toEqual([
      'student',
      'writer',
    ]);
  });

  it('transforms a batch row-major', () => {
    const enc = new OneHotEncoder(['a', 'b'], { unknown: 'slot' });
    expect(Array.from(enc.transform(['b', 'z', 'a']))).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('rejects duplicate categories and bad options', () => {
    expect(() => new OneHotEncoder(['a', 'a'])).toThrow(ConfigError);
    expect(() => new OneHotEncoder(['a'], { unknown: 'drop' as 'zeros' })).toThrow(ConfigError);
    expect(() => OneHotEncoder.fit(['a'], { order: 'random' as 'frequency' })).toThrow(ConfigError);
  });

  it('round-trips through JSON exactly', () => {
    const enc = OneHotEncoder.fit(['x', 'y', 'y'], { unknown: 'slot' });
    const back = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(back.toJSON()).toEqual(enc.toJSON());
    expect(Array.from(back.encode('q'))).toEqual(Array.from(enc.encode('q')));
    expect(() => MultiHotEncoder.fromJSON(enc.toJSON() as never)).toThrow(ModelFormatError);
  });
});

describe('MultiHotEncoder', () => {
  it('encodes sets of values; unknown values set nothing, empty rows are zeros', () => {
    const genres = new MultiHotEncoder(['Action', 'Comedy', 'Drama']);
    expect(Array.from(genres.encode(['Drama', 'Action']))).toEqual([1, 0, 1]);
    expect(Array.from(genres.encode(['Drama', 'Western']))).toEqual([0, 0, 1]);
    expect(Array.from(genres.encode([]))).toEqual([0, 0, 0]);
    expect(Array.from(genres.encode(null))).toEqual([0, 0, 0]);
  });

  it('with a slot: unknown values and missing rows set it, an empty row does not', () => {
    const enc = new MultiHotEncoder(['a', 'b'], { unknown: 'slot' });
    expect(Array.from(enc.encode(['a', 'zzz']))).toEqual([1, 0, 1]);
    expect(Array.from(enc.encode(null))).toEqual([0, 0, 1]);
    expect(Array.from(enc.encode([]))).toEqual([0, 0, 0]);
  });

  it('fits counting each value once per row, capped by frequency', () => {
    const rows = [['Lean', 'Lean'], ['Lean', 'Kubrick'], ['Kubrick'], ['Wilder'], null];
    // rows holding: Kubrick 2, Lean 2 (once per row), Wilder 1
    expect(MultiHotEncoder.fit(rows).categories).toEqual(['Kubrick', 'Lean', 'Wilder']);
    expect(MultiHotEncoder.fit(rows, { minCount: 2 }).categories).toEqual(['Kubrick', 'Lean']);
    expect(MultiHotEncoder.fit(rows, { maxCategories: 1 }).categories).toEqual(['Kubrick']);
  });

  it('transforms a batch row-major and round-trips through JSON', () => {
    const enc = new MultiHotEncoder(['a', 'b']);
    expect(Array.from(enc.transform([['a', 'b'], ['b'], []]))).toEqual([1, 1, 0, 1, 0, 0]);
    const back = MultiHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(back.toJSON()).toEqual(enc.toJSON());
  });
});
