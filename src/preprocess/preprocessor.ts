/**
 * The text pipeline: tokenize → drop short tokens and stop words → stem (optional) → n-grams (optional), a
 * {@link Vocabulary} fitted on training text, token ids and TF-IDF vectors.
 *
 * @module
 */
import { ConfigError, DependencyError, StateError } from '../errors';
import { expectFormat, expectStamp, intOption, isStringArray } from './check';
import { loadNaturalStemmer } from './natural';
import { ENGLISH_STOP_WORDS, type Stemmer, type Tokenizer, UnicodeTokenizer } from './tokenizer';
import { Vocabulary, type VocabularyJSON, type VocabularyOptions } from './vocabulary';

/**
 * Options of the {@link Preprocessor} constructor. Every field has one default.
 *
 * @example
 * ```ts
 * import { Preprocessor, type PreprocessorOptions } from 'reelrec';
 * const options: PreprocessorOptions = { stopWords: ['the', 'a'], ngrams: 2, ngramSeparator: ' ' };
 * console.log(new Preprocessor(options).analyze('The Lost World')); // ['lost', 'world', 'lost world']
 * ```
 */
export interface PreprocessorOptions {
  /** Default: the built-in {@link UnicodeTokenizer}. */
  tokenizer?: Tokenizer;
  /** Default `null`: no stemming. Pass `await loadNaturalStemmer()` for Porter stemming. */
  stemmer?: Stemmer | null;
  /** `'english'` (the built-in {@link ENGLISH_STOP_WORDS}, the default), `'none'`, or a list of your own. */
  stopWords?: 'english' | 'none' | readonly string[];
  /** Largest n-gram: 1 (the default) gives single tokens; 2 adds bigrams after them; at most 5. */
  ngrams?: number;
  /** Joins the tokens of an n-gram (default `'_'`). */
  ngramSeparator?: string;
  /** Tokens shorter than this many characters are dropped before stop words (default 1: none dropped). */
  minTokenLength?: number;
}

/**
 * Options of {@link Preprocessor.create}, which can load a Porter stemmer from `natural`.
 *
 * @example
 * ```ts
 * import { Preprocessor, type PreprocessorCreateOptions } from 'reelrec';
 * const options: PreprocessorCreateOptions = { stem: 'auto' };
 * const pre = await Preprocessor.create(options); // stems when natural is installed
 * ```
 */
export interface PreprocessorCreateOptions extends PreprocessorOptions {
  /**
   * `true`: Porter stemming from `natural` (throws {@link DependencyError} when it is missing); `false`: none;
   * `'auto'` (the default): Porter when `natural` is installed, none otherwise (check `stemmerName`). Ignored
   * when a `stemmer` is given: it is always used.
   */
  stem?: boolean | 'auto';
}

/**
 * A sparse vector: `indices` ascending, `values` aligned with them.
 *
 * @example
 * ```ts
 * import type { SparseVector } from 'reelrec';
 * const v: SparseVector = { indices: Int32Array.of(1, 4), values: Float32Array.of(0.6, 0.8) };
 * ```
 */
export interface SparseVector {
  /** Positions of the non-zero entries, ascending. */
  indices: Int32Array;
  /** The non-zero entries, aligned with `indices`. */
  values: Float32Array;
}

/**
 * The saved form of a {@link Preprocessor}. A custom tokenizer or stemmer is saved by name only and must be
 * passed again to {@link Preprocessor.fromJSON}.
 *
 * @example
 * ```ts
 * import { Preprocessor, type PreprocessorJSON } from 'reelrec';
 * const json: PreprocessorJSON = new Preprocessor().fit(['a film']).toJSON();
 * console.log(json.tokenizer, json.stemmer); // 'unicode' null
 * ```
 */
export interface PreprocessorJSON {
  /** Marks the document as a saved preprocessor. */
  format: 'reelrec.preprocessor';
  /** Version of the saved form. */
  version: 1;
  /** `'unicode'`, `'unicode-keep-possessives'`, or a custom tokenizer's name (`'custom'` when unnamed). */
  tokenizer: string;
  /** The stemmer's name (`'porter'`, `'custom'` when unnamed), or `null` for none. */
  stemmer: string | null;
  /** {@link PreprocessorOptions.stopWords}. */
  stopWords: 'english' | 'none' | string[];
  /** {@link PreprocessorOptions.ngrams}. */
  ngrams: number;
  /** {@link PreprocessorOptions.ngramSeparator}. */
  ngramSeparator: string;
  /** {@link PreprocessorOptions.minTokenLength}. */
  minTokenLength: number;
  /** `null` until fitted. */
  vocabulary: VocabularyJSON | null;
}

const STEM_CACHE_LIMIT = 100_000;

/**
 * Turns text into tokens, token ids and TF-IDF vectors. Fit it on training text (which fits its
 * {@link Vocabulary}), then transform any text: unseen tokens get the OOV id 0 and are left out of TF-IDF.
 * Empty or missing text gives no tokens; accented and non-Latin text is handled by the Unicode tokenizer.
 *
 * Steps of {@link Preprocessor.analyze}: tokenize (lower-cased) → drop tokens shorter than `minTokenLength` →
 * drop stop words (matched before stemming) → stem → append n-grams of the remaining tokens (so a bigram may
 * span a removed stop word), unigrams first, then bigrams, … in text order.
 *
 * TF-IDF ({@link Preprocessor.tfidf}): `tf` = raw count of the token in the text, `idf` =
 * `ln((1 + N) / (1 + df)) + 1` (N = documents fitted, df = documents holding the token), weight = `tf · idf`,
 * then the vector is L2-normalised.
 *
 * Stemming needs a {@link Stemmer}: pass one, or use {@link Preprocessor.create} with `stem: true | 'auto'` to
 * load natural's Porter stemmer. Without one, the preprocessor only tokenizes.
 *
 * @example
 * ```ts
 * import { loadNaturalStemmer, Preprocessor } from 'reelrec';
 * const pre = new Preprocessor({ stemmer: await loadNaturalStemmer() });
 * pre.fit(['Cowboys ride horses', 'A cowboy and his horse']);
 * console.log(pre.vocabulary.tokens()); // ['<unk>', 'cowboi', 'hors', 'ride']
 * console.log(pre.analyze('The riding cowboys')); // ['ride', 'cowboi']
 * console.log(Array.from(pre.transform('cowboys ride camels'))); // [1, 3, 0]: 'camel' is out of vocabulary
 * const { indices, values } = pre.tfidf('cowboy horses'); // [1, 2], [0.7071, 0.7071]
 * // Without natural: `await Preprocessor.create({ stem: 'auto' })` tokenizes only.
 * ```
 */
export class Preprocessor {
  /** The tokenizer in use. */
  readonly tokenizer: Tokenizer;
  /** The stemmer in use, or `null`. */
  readonly stemmer: Stemmer | null;
  /** The n-gram size. */
  readonly ngrams: number;
  /** The n-gram separator. */
  readonly ngramSeparator: string;
  /** The minimum token length. */
  readonly minTokenLength: number;
  private readonly stopWordSpec: 'english' | 'none' | string[];
  private readonly stopSet: ReadonlySet<string>;
  private readonly stemCache = new Map<string, string>();
  private vocab: Vocabulary | null = null;

  /** @throws {ConfigError} for a bad option. */
  constructor(options: PreprocessorOptions = {}) {
    const tokenizer = options.tokenizer ?? new UnicodeTokenizer();
    if (typeof tokenizer?.tokenize !== 'function') {
      throw new ConfigError('preprocessor.tokenizer', 'an object with a tokenize(text) method', tokenizer);
    }
    const stemmer = options.stemmer ?? null;
    if (stemmer !== null && typeof stemmer.stem !== 'function') {
      throw new ConfigError('preprocessor.stemmer', 'an object with a stem(word) method, or null', stemmer);
    }
    this.tokenizer = tokenizer;
    this.stemmer = stemmer;
    this.ngrams = intOption('preprocessor.ngrams', options.ngrams, 1, 1);
    if (this.ngrams > 5)
      throw new ConfigError('preprocessor.ngrams', 'an integer from 1 to 5', options.ngrams);
    this.ngramSeparator = options.ngramSeparator ?? '_';
    if (typeof this.ngramSeparator !== 'string') {
      throw new ConfigError('preprocessor.ngramSeparator', 'a string', options.ngramSeparator);
    }
    this.minTokenLength = intOption('preprocessor.minTokenLength', options.minTokenLength, 1, 1);
    const stop = options.stopWords ?? 'english';
    if (stop === 'english' || stop === 'none') {
      this.stopWordSpec = stop;
      this.stopSet = new Set(stop === 'english' ? ENGLISH_STOP_WORDS : []);
    } else if (isStringArray(stop)) {
      this.stopWordSpec = [...stop];
      this.stopSet = new Set(stop.map((w) => w.normalize('NFC').toLowerCase()));
    } else {
      throw new ConfigError('preprocessor.stopWords', "'english', 'none' or an array of strings", stop);
    }
  }

  /**
   * Builds a preprocessor, loading natural's Porter stemmer when `stem` asks for it.
   *
   * @throws {DependencyError} with `stem: true` when `natural` is not installed.
   * @throws {ConfigError} for a bad option.
   */
  static async create(options: PreprocessorCreateOptions = {}): Promise<Preprocessor> {
    const stem = options.stem ?? 'auto';
    if (stem !== true && stem !== false && stem !== 'auto') {
      throw new ConfigError('preprocessor.stem', "true, false or 'auto'", stem);
    }
    let stemmer: Stemmer | null = options.stemmer ?? null;
    if (stemmer === null && stem !== false) {
      try {
        stemmer = await loadNaturalStemmer();
      } catch (err) {
        if (stem === true || !(err instanceof DependencyError)) throw err;
      }
    }
    return new Preprocessor({ ...options, stemmer });
  }

  /** The stemmer's name (`'porter'`, `'custom'` when unnamed), or `null` without stemming. */
  get stemmerName(): string | null {
    return this.stemmer === null ? null : (this.stemmer.name ?? 'custom');
  }

  /** The tokenizer's name (`'custom'` when unnamed). */
  get tokenizerName(): string {
    return this.tokenizer.name ?? 'custom';
  }

  /** The stop words in use (lower case). */
  stopWords(): string[] {
    return [...this.stopSet];
  }

  /** Tokens of `text` after every step (see the class notes). Empty or missing text gives `[]`. */
  analyze(text: string | null | undefined): string[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    const tokens: string[] = [];
    for (const raw of this.tokenizer.tokenize(text)) {
      if (this.minTokenLength > 1 && [...raw].length < this.minTokenLength) continue;
      if (this.stopSet.has(raw)) continue;
      const token = this.stemmer === null ? raw : this.stem(raw);
      if (token.length > 0) tokens.push(token);
    }
    if (this.ngrams === 1) return tokens;
    const out = [...tokens];
    for (let n = 2; n <= this.ngrams; n++) {
      for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(this.ngramSeparator));
    }
    return out;
  }

  /**
   * Fits the vocabulary on training texts (missing texts count as empty documents).
   *
   * @throws {ConfigError} for a bad vocabulary option.
   */
  fit(texts: Iterable<string | null | undefined>, options: VocabularyOptions = {}): this {
    const docs: string[][] = [];
    for (const text of texts) docs.push(this.analyze(text));
    this.vocab = Vocabulary.fit(docs, options);
    return this;
  }

  /** True once {@link Preprocessor.fit} has run (or a fitted preprocessor was restored). */
  get fitted(): boolean {
    return this.vocab !== null;
  }

  /**
   * The fitted vocabulary.
   *
   * @throws {StateError} before `fit`.
   */
  get vocabulary(): Vocabulary {
    if (this.vocab === null)
      throw new StateError('Preprocessor.vocabulary needs a fitted preprocessor: call fit() first');
    return this.vocab;
  }

  /**
   * Token ids of `text` (OOV tokens as 0).
   *
   * @throws {StateError} before `fit`.
   */
  transform(text: string | null | undefined): Int32Array {
    return this.vocabulary.encode(this.analyze(text));
  }

  /**
   * The smoothed inverse document frequency of a token id: `ln((1 + N) / (1 + df)) + 1`.
   *
   * @throws {StateError} before `fit`.
   */
  idf(id: number): number {
    const v = this.vocabulary;
    return Math.log((1 + v.documents) / (1 + v.documentFrequencyOf(id))) + 1;
  }

  /**
   * The L2-normalised TF-IDF vector of `text` over the vocabulary (see the class notes); OOV tokens are left
   * out, and text with no known token gives an empty vector.
   *
   * @throws {StateError} before `fit`.
   */
  tfidf(text: string | null | undefined): SparseVector {
    const ids = this.transform(text);
    const tf = new Map<number, number>();
    for (const id of ids) if (id !== 0) tf.set(id, (tf.get(id) ?? 0) + 1);
    const indices = Int32Array.from([...tf.keys()].sort((a, b) => a - b));
    const weights = new Float64Array(indices.length);
    let norm = 0;
    for (let i = 0; i < indices.length; i++) {
      const w = tf.get(indices[i]!)! * this.idf(indices[i]!);
      weights[i] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    const values = new Float32Array(indices.length);
    for (let i = 0; i < indices.length; i++) values[i] = weights[i]! / norm;
    return { indices, values };
  }

  /** The saved form (options and vocabulary). */
  toJSON(): PreprocessorJSON {
    return {
      format: 'reelrec.preprocessor',
      version: 1,
      tokenizer: this.tokenizerName,
      stemmer: this.stemmerName,
      stopWords: Array.isArray(this.stopWordSpec) ? [...this.stopWordSpec] : this.stopWordSpec,
      ngrams: this.ngrams,
      ngramSeparator: this.ngramSeparator,
      minTokenLength: this.minTokenLength,
      vocabulary: this.vocab === null ? null : this.vocab.toJSON(),
    };
  }

  /**
   * Restores a preprocessor saved by {@link Preprocessor.toJSON}. The built-in tokenizer is rebuilt; a custom
   * tokenizer, and any stemmer (Porter included, e.g. `await loadNaturalStemmer()`), must be passed in `parts`
   * with the name it was saved under.
   *
   * @throws {ConfigError} when a needed part is missing or has another name.
   * @throws {ModelFormatError} when `json` is not a saved preprocessor.
   */
  static fromJSON(
    json: PreprocessorJSON,
    parts: { tokenizer?: Tokenizer; stemmer?: Stemmer } = {},
  ): Preprocessor {
    const what = 'reelrec.preprocessor';
    expectStamp(json, what, 1);
    expectFormat(typeof json.tokenizer === 'string', what, 'tokenizer must be a string');
    expectFormat(
      json.stemmer === null || typeof json.stemmer === 'string',
      what,
      'stemmer must be a string or null',
    );
    let tokenizer = parts.tokenizer;
    if (tokenizer === undefined) {
      if (json.tokenizer === 'unicode') tokenizer = new UnicodeTokenizer();
      else if (json.tokenizer === 'unicode-keep-possessives')
        tokenizer = new UnicodeTokenizer({ possessives: 'keep' });
      else
        throw new ConfigError(
          'parts.tokenizer',
          `the tokenizer "${json.tokenizer}" it was saved with`,
          undefined,
        );
    } else if ((tokenizer.name ?? 'custom') !== json.tokenizer) {
      throw new ConfigError(
        'parts.tokenizer',
        `a tokenizer named "${json.tokenizer}"`,
        tokenizer.name ?? 'custom',
      );
    }
    let stemmer: Stemmer | null = null;
    if (json.stemmer !== null) {
      if (parts.stemmer === undefined) {
        const hint = json.stemmer === 'porter' ? ' (await loadNaturalStemmer())' : '';
        throw new ConfigError(
          'parts.stemmer',
          `the stemmer "${json.stemmer}" it was saved with${hint}`,
          undefined,
        );
      }
      if ((parts.stemmer.name ?? 'custom') !== json.stemmer) {
        throw new ConfigError(
          'parts.stemmer',
          `a stemmer named "${json.stemmer}"`,
          parts.stemmer.name ?? 'custom',
        );
      }
      stemmer = parts.stemmer;
    }
    const stopWords = choiceOptionOrList(json.stopWords);
    const pre = new Preprocessor({
      tokenizer,
      stemmer,
      stopWords,
      ngrams: json.ngrams,
      ngramSeparator: json.ngramSeparator,
      minTokenLength: json.minTokenLength,
    });
    if (json.vocabulary !== null) pre.vocab = Vocabulary.fromJSON(json.vocabulary);
    return pre;
  }

  private stem(token: string): string {
    let s = this.stemCache.get(token);
    if (s === undefined) {
      s = this.stemmer!.stem(token);
      if (this.stemCache.size >= STEM_CACHE_LIMIT) this.stemCache.clear();
      this.stemCache.set(token, s);
    }
    return s;
  }
}

function choiceOptionOrList(value: unknown): 'english' | 'none' | string[] {
  if (isStringArray(value)) return value;
  expectFormat(
    value === 'english' || value === 'none',
    'reelrec.preprocessor',
    "stopWords must be 'english', 'none' or a string array",
  );
  return value;
}
