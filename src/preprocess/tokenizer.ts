/**
 * Text primitives: the {@link Tokenizer} and {@link Stemmer} contracts, the built-in dependency-free
 * {@link UnicodeTokenizer} and a built-in English stop-word list. Nothing here needs `natural`; Porter stemming
 * and natural's own tokenizer are loaded on demand by `natural.ts`.
 *
 * @module
 */
import { choiceOption } from './check';

/**
 * Splits text into tokens. Implementations return tokens in text order; they may lower-case.
 *
 * @example
 * ```ts
 * import type { Tokenizer } from 'reelrec';
 * const whitespace: Tokenizer = { name: 'whitespace', tokenize: (text) => text.split(/\s+/).filter(Boolean) };
 * console.log(whitespace.tokenize('a  b')); // ['a', 'b']
 * ```
 */
export interface Tokenizer {
  /** A short name, saved with a fitted preprocessor so a reload can check it gets the same tokenizer. */
  readonly name?: string;
  /** Splits `text` into tokens, in order. */
  tokenize(text: string): string[];
}

/**
 * Reduces a word to its stem, e.g. `'running'` → `'run'`. Porter stemming comes from `natural` through
 * {@link loadNaturalStemmer}; any object with a `stem` method fits (e.g. a Snowball stemmer of another
 * language, or a browser-friendly one).
 *
 * @example
 * ```ts
 * import type { Stemmer } from 'reelrec';
 * // A toy stemmer that strips a plural "s".
 * const plural: Stemmer = { name: 'plural-s', stem: (w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w) };
 * console.log(plural.stem('movies')); // 'movie'
 * ```
 */
export interface Stemmer {
  /** A short name, e.g. `'porter'`, saved with a fitted preprocessor. */
  readonly name?: string;
  /** The stem of `word`. */
  stem(word: string): string;
}

/**
 * Options of {@link UnicodeTokenizer}.
 *
 * @example
 * ```ts
 * import { UnicodeTokenizer, type UnicodeTokenizerOptions } from 'reelrec';
 * const options: UnicodeTokenizerOptions = { possessives: 'keep' };
 * console.log(new UnicodeTokenizer(options).tokenize("Schindler's List")); // ["schindler's", 'list']
 * ```
 */
export interface UnicodeTokenizerOptions {
  /**
   * What to do with an English possessive `'s` at the end of a token: `'strip'` (`"schindler's"` →
   * `'schindler'`) or `'keep'`. Default `'strip'`.
   */
  possessives?: 'strip' | 'keep';
}

// A token starts with a letter or digit, goes on with letters, combining marks and digits, and may hold inner
// apostrophes followed by more of them ("don't", "rock'n'roll", "c'est"). Hyphens, underscores, slashes and
// every other character separate tokens.
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['\u2019\u02BC][\p{L}\p{M}\p{N}]+)*/gu;
const APOSTROPHES = /[\u2019\u02BC]/g;

/**
 * The built-in tokenizer: Unicode-aware and dependency-free. It NFC-normalises and lower-cases the text, then
 * keeps runs of letters (any script, accented Latin-1 included), combining marks and digits. Inner apostrophes
 * stay inside a token (`"don't"`, `"c'est"`, typographic `’` becomes `'`); leading and trailing ones are
 * dropped (`"'90s"` → `'90s'`), and an English possessive `'s` is stripped by default. Hyphens split
 * (`"spider-man"` → `spider`, `man`). Scripts written without spaces (Chinese, Japanese) come out as one token
 * per run of characters.
 *
 * @example
 * ```ts
 * import { UnicodeTokenizer } from 'reelrec';
 * const t = new UnicodeTokenizer();
 * console.log(t.tokenize("Schindler's List: C'est arrivé près de chez vous (1992)"));
 * // ['schindler', 'list', "c'est", 'arrivé', 'près', 'de', 'chez', 'vous', '1992']
 * ```
 */
export class UnicodeTokenizer implements Tokenizer {
  /** `'unicode'`, or `'unicode-keep-possessives'` with `possessives: 'keep'`. */
  readonly name: string;
  /** The possessive handling in use. */
  readonly possessives: 'strip' | 'keep';

  /** @throws {ConfigError} for a bad option. */
  constructor(options: UnicodeTokenizerOptions = {}) {
    this.possessives = choiceOption(
      'tokenizer.possessives',
      options.possessives,
      ['strip', 'keep'] as const,
      'strip',
    );
    this.name = this.possessives === 'keep' ? 'unicode-keep-possessives' : 'unicode';
  }

  /** The tokens of `text` (empty for an empty string or a non-string), lower-cased, in order. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    const out: string[] = [];
    for (const match of text.normalize('NFC').toLowerCase().matchAll(TOKEN)) {
      let token = match[0].replace(APOSTROPHES, "'");
      if (this.possessives === 'strip' && token.endsWith("'s")) token = token.slice(0, -2);
      if (token.length > 0) out.push(token);
    }
    return out;
  }
}

/**
 * A built-in English stop-word list (lower case, with the common contractions in the apostrophe form the
 * {@link UnicodeTokenizer} produces). Stop words are matched before stemming.
 *
 * @example
 * ```ts
 * import { ENGLISH_STOP_WORDS } from 'reelrec';
 * const stop = new Set(ENGLISH_STOP_WORDS);
 * console.log(stop.has('the'), stop.has('alien')); // true false
 * ```
 */
export const ENGLISH_STOP_WORDS: readonly string[] = Object.freeze([
  'a',
  'about',
  'above',
  'after',
  'again',
  'against',
  'all',
  'also',
  'am',
  'an',
  'and',
  'another',
  'any',
  'are',
  "aren't",
  'as',
  'at',
  'be',
  'because',
  'been',
  'before',
  'being',
  'below',
  'between',
  'both',
  'but',
  'by',
  'can',
  "can't",
  'cannot',
  'could',
  "couldn't",
  'did',
  "didn't",
  'do',
  'does',
  "doesn't",
  'doing',
  "don't",
  'down',
  'during',
  'each',
  'either',
  'else',
  'ever',
  'every',
  'few',
  'for',
  'from',
  'further',
  'had',
  "hadn't",
  'has',
  "hasn't",
  'have',
  "haven't",
  'having',
  'he',
  "he'd",
  "he'll",
  'her',
  'here',
  'hers',
  'herself',
  'him',
  'himself',
  'his',
  'how',
  'however',
  'i',
  "i'd",
  "i'll",
  "i'm",
  "i've",
  'if',
  'in',
  'into',
  'is',
  "isn't",
  'it',
  'its',
  'itself',
  'just',
  'me',
  'more',
  'most',
  'much',
  'must',
  'my',
  'myself',
  'no',
  'nor',
  'not',
  'now',
  'of',
  'off',
  'on',
  'once',
  'only',
  'onto',
  'or',
  'other',
  'our',
  'ours',
  'ourselves',
  'out',
  'over',
  'own',
  'same',
  'she',
  "she'd",
  "she'll",
  'should',
  "shouldn't",
  'so',
  'some',
  'such',
  'than',
  'that',
  'the',
  'their',
  'theirs',
  'them',
  'themselves',
  'then',
  'there',
  'these',
  'they',
  "they'd",
  "they'll",
  "they're",
  "they've",
  'this',
  'those',
  'through',
  'thus',
  'to',
  'too',
  'under',
  'until',
  'up',
  'upon',
  'us',
  'very',
  'was',
  "wasn't",
  'we',
  "we'd",
  "we'll",
  "we're",
  "we've",
  'were',
  "weren't",
  'what',
  'when',
  'where',
  'whether',
  'which',
  'while',
  'who',
  'whom',
  'whose',
  'why',
  'will',
  'with',
  'within',
  'without',
  "won't",
  'would',
  "wouldn't",
  'yet',
  'you',
  "you'd",
  "you'll",
  "you're",
  "you've",
  'your',
  'yours',
  'yourself',
  'yourselves',
]);
