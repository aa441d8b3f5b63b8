import { describe, expect, it } from 'vitest';
import { ConfigError, ModelFormatError } from '../../src/errors';
import { Vocabulary } from '../../src/preprocess/vocabulary';

const docs = [
  ['space', 'alien', 'alien'],
  ['robot', 'space'],
  ['robot', 'love', 'zebra'],
];

describe('Vocabulary', () => {
  it('orders ids by count descending, then token ascending, after the OOV id 0', () => {
    // counts: alien 2, robot 2, space 2, love 1, zebra 1
    const v = Vocabulary.fit(docs);
    expect(v.tokens()).toEqual(['<unk>', 'alien', 'robot', 'space', 'love', 'zebra']);
    expect(v.size).toBe(6);
    expect(v.id('robot')).toBe(2);
    expect(v.id('unseen')).toBe(0);
    expect(v.has('unseen')).toBe(false);
    expect(v.token(3)).toBe('space');
    expect(v.count('alien')).toBe(2);
    expect(v.documentFrequency('alien')).toBe(1);
    expect(v.documentFrequency('space')).toBe(2);
    expect(v.documents).toBe(3);
  });

  it('does not depend on document order', () => {
    expect(Vocabulary.fit([...docs].reverse()).tokens()).toEqual(Vocabulary.fit(docs).tokens());
  });

  it('applies minCount, minDocs and maxSize; the OOV count holds what was left out', () => {
    const min2 = Vocabulary.fit(docs, { minCount: 2 });
    expect(min2.tokens()).toEqual(['<unk>', 'alien', 'robot', 'space']);
    expect(min2.count('<unk>')).toBe(2); // love + zebra
    // alien occurs twice but in one document only
    expect(Vocabulary.fit(docs, { minDocs: 2 }).tokens()).toEqual(['<unk>', 'robot', 'space']);
    const capped = Vocabulary.fit(docs, { maxSize: 2 });
    expect(capped.tokens()).toEqual(['<unk>', 'alien', 'robot']);
    expect(capped.count('<unk>')).toBe(4); // space ×2, love, zebra
    expect(Vocabulary.fit(docs, { maxSize: 0 }).tokens()).toEqual(['<unk>']);
  });

  it('encodes with OOV as 0 and decodes back', () => {
    const v = Vocabulary.fit(docs, { oovToken: '[OOV]' });
    expect(Array.from(v.encode(['love', 'martian', 'alien']))).toEqual([4, 0, 1]);
    expect(v.decode([4, 0, 1])).toEqual(['love', '[OOV]', 'alien']);
    expect(() => v.token(99)).toThrow(RangeError);
  });

  it('treats the OOV token in the data as left out', () => {
    const v = Vocabulary.fit([['<unk>', 'a']]);
    expect(v.tokens()).toEqual(['<unk>', 'a']);
    expect(v.count('<unk>')).toBe(1);
  });

  it('fits an empty corpus', () => {
    const v = Vocabulary.fit([]);
    expect(v.size).toBe(1);
    expect(v.documents).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => Vocabulary.fit(docs, { minCount: 0 })).toThrow(ConfigError);
    expect(() => Vocabulary.fit(docs, { maxSize: 1.5 })).toThrow(ConfigError);
  });

  it('round-trips through JSON exactly', () => {
    const v = Vocabulary.fit(docs, { minCount: 1, maxSize: 4 });
    const json = JSON.parse(JSON.stringify(v.toJSON()));
    const back = Vocabulary.fromJSON(json);
    expect(back.toJSON()).toEqual(v.toJSON());
    expect(back.id('space')).toBe(v.id('space'));
    const unlimited = Vocabulary.fit(docs);
    expect(unlimited.toJSON().maxSize).toBeNull();
    expect(Vocabulary.fromJSON(unlimited.toJSON()).maxSize).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a malformed saved vocabulary', () => {
    const json = Vocabulary.fit(docs).toJSON();
    expect(() => Vocabulary.fromJSON({ ...json, counts: [1] })).toThrow(ModelFormatError);
    expect(() => Vocabulary.fromJSON({ ...json, version: 2 as 1 })).toThrow(ModelFormatError);
  });
});
