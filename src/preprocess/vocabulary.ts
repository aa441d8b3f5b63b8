/**
 * A token vocabulary fitted on training documents, with deterministic ids and an out-of-vocabulary token.
 *
 * @module
 */
import {
  byCountThenName,
  capOption,
  expectFormat,
  expectStamp,
  intOption,
  isNumberArray,
  isStringArray,
} from './check';

/**
 * Options of {@link Vocabulary.fit}.
 *
 * @example
 * ```ts
 * import { Vocabulary, type VocabularyOptions } from 'reelrec';
 * const options: VocabularyOptions = { minCount: 2, maxSize: 5000 };
 * const vocab = Vocabulary.fit([['a', 'b'], ['a']], options);
 * ```
 */
export interface VocabularyOptions {
  /** A token is kept only if it occurs at least this many times in all (default 1). */
  minCount?: number;
  /** A token is kept only if it occurs in at least this many documents (default 1). */
  minDocs?: number;
  /** At most this many tokens besides the out-of-vocabulary token (default `Infinity`). */
  maxSize?: number;
  /** The out-of-vocabulary token, id 0 (default `'<unk>'`). */
  oovToken?: string;
}

/**
 * The saved form of a {@link Vocabulary} (plain JSON).
 *
 * @example
 * ```ts
 * import { Vocabulary, type VocabularyJSON } from 'reelrec';
 * const json: VocabularyJSON = Vocabulary.fit([['a']]).toJSON();
 * console.log(json.tokens); // ['<unk>', 'a']
 * ```
 */
export interface VocabularyJSON {
  /** Marks the document as a saved vocabulary. */
  format: 'reelrec.vocabulary';
  /** Version of the saved form. */
  version: 1;
  /** {@link VocabularyOptions.oovToken}. */
  oovToken: string;
  /** Tokens by id; `tokens[0]` is the OOV token. */
  tokens: string[];
  /** Occurrences of each token in the fitted documents; `counts[0]` counts the tokens left out. */
  counts: number[];
  /** Documents holding each token; `docFreqs[0]` is 0. */
  docFreqs: number[];
  /** Number of documents fitted on. */
  documents: number;
  /** {@link VocabularyOptions.minCount}. */
  minCount: number;
  /** {@link VocabularyOptions.minDocs}. */
  minDocs: number;
  /** {@link VocabularyOptions.maxSize}; `null` for no cap. */
  maxSize: number | null;
}

/**
 * Maps tokens to integer ids. Id 0 is the out-of-vocabulary (OOV) token; the kept tokens get ids 1, 2, … in a
 * deterministic order: by number of occurrences descending, then by token ascending (code-unit order, so the
 * result does not depend on the locale or on document order). Tokens occurring fewer than `minCount` times or
 * in fewer than `minDocs` documents are left out, then the list is cut at `maxSize`; tokens left out map to
 * the OOV id. Document frequencies are kept for TF-IDF.
 *
 * @example
 * ```ts
 * import { Vocabulary } from 'reelrec';
 * const vocab = Vocabulary.fit([['space', 'alien'], ['alien', 'robot']], { minCount: 1 });
 * console.log(vocab.tokens()); // ['<unk>', 'alien', 'robot', 'space']
 * console.log(vocab.id('alien'), vocab.id('zombie')); // 1 0
 * console.log(Array.from(vocab.encode(['robot', 'zombie']))); // [2, 0]
 * ```
 */
export class Vocabulary {
  /** The out-of-vocabulary token. */
  readonly oovToken: string;
  /** The id of the out-of-vocabulary token: always 0. */
  readonly oovId = 0;
  /** Number of documents the vocabulary was fitted on. */
  readonly documents: number;
  /** The `minCount` it was fitted with. */
  readonly minCount: number;
  /** The `minDocs` it was fitted with. */
  readonly minDocs: number;
  /** The `maxSize` it was fitted with. */
  readonly maxSize: number;
  private readonly list: readonly string[];
  private readonly countList: readonly number[];
  private readonly docFreqList: readonly number[];
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(
    tokens: string[],
    counts: number[],
    docFreqs: number[],
    documents: number,
    oovToken: string,
    minCount: number,
    minDocs: number,
    maxSize: number,
  ) {
    this.list = tokens;
    this.countList = counts;
    this.docFreqList = docFreqs;
    this.documents = documents;
    this.oovToken = oovToken;
    this.minCount = minCount;
    this.minDocs = minDocs;
    this.maxSize = maxSize;
    const ids = new Map<string, number>();
    for (let i = 1; i < tokens.length; i++) ids.set(tokens[i]!, i);
    this.ids = ids;
  }

  /**
   * Fits a vocabulary on tokenized documents (each an array of tokens). A token equal to the OOV token counts
   * as left out.
   *
   * @throws {ConfigError} for a bad option.
   */
  static fit(documents: Iterable<readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    const minCount = intOption('vocabulary.minCount', options.minCount, 1, 1);
    const minDocs = intOption('vocabulary.minDocs', options.minDocs, 1, 1);
    const maxSize = capOption('vocabulary.maxSize', options.maxSize, Number.POSITIVE_INFINITY, 0);
    const oovToken = options.oovToken ?? '<unk>';
    const counts = new Map<string, number>();
    const docFreqs = new Map<string, number>();
    let n = 0;
    let total = 0;
    for (const doc of documents) {
      n++;
      const seen = new Set<string>();
      for (const token of doc) {
        total++;
        counts.set(token, (counts.get(token) ?? 0) + 1);
        if (!seen.has(token)) {
          seen.add(token);
          docFreqs.set(token, (docFreqs.get(token) ?? 0) + 1);
        }
      }
    }
    counts.delete(oovToken);
    const kept = [...counts]
      .filter(([token, c]) => c >= minCount && docFreqs.get(token)! >= minDocs)
      .sort(byCountThenName)
      .slice(0, maxSize);
    const tokens = [oovToken];
    const countList = [0];
    const dfList = [0];
    let keptTotal = 0;
    for (const [token, c] of kept) {
      tokens.push(token);
      countList.push(c);
      dfList.push(docFreqs.get(token)!);
      keptTotal += c;
    }
    countList[0] = total - keptTotal;
    return new Vocabulary(tokens, countList, dfList, n, oovToken, minCount, minDocs, maxSize);
  }

  /** Number of ids, the OOV token included. */
  get size(): number {
    return this.list.length;
  }

  /** The id of `token`, or 0 (the OOV id) when it is not in the vocabulary. */
  id(token: string): number {
    return this.ids.get(token) ?? 0;
  }

  /** True when `token` has its own id. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /**
   * The token of `id`.
   *
   * @throws {RangeError} when `id` is not in `0..size-1`.
   */
  token(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.list.length) {
      throw new RangeError(`token id ${id} is outside 0..${this.list.length - 1}`);
    }
    return this.list[id]!;
  }

  /** Occurrences of `token` in the fitted documents (0 when not kept; the OOV token counts those left out). */
  count(token: string): number {
    if (token === this.oovToken) return this.countList[0]!;
    const id = this.ids.get(token);
    return id === undefined ? 0 : this.countList[id]!;
  }

  /** Number of fitted documents that hold `token` (0 when not kept). */
  documentFrequency(token: string): number {
    const id = this.ids.get(token);
    return id === undefined ? 0 : this.docFreqList[id]!;
  }

  /** Document frequency by id (0 for the OOV id). */
  documentFrequencyOf(id: number): number {
    return this.docFreqList[id] ?? 0;
  }

  /** All tokens by id (`[0]` is the OOV token). */
  tokens(): string[] {
    return [...this.list];
  }

  /** Ids of `tokens`, OOV tokens as 0. */
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.ids.get(tokens[i]!) ?? 0;
    return out;
  }

  /** Tokens of `ids`. */
  decode(ids: ArrayLike<number>): string[] {
    const out = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.token(ids[i]!);
    return out;
  }

  /** The saved form; `Vocabulary.fromJSON(v.toJSON())` gives an equal vocabulary. */
  toJSON(): VocabularyJSON {
    return {
      format: 'reelrec.vocabulary',
      version: 1,
      oovToken: this.oovToken,
      tokens: [...this.list],
      counts: [...this.countList],
      docFreqs: [...this.docFreqList],
      documents: this.documents,
      minCount: this.minCount,
      minDocs: this.minDocs,
      maxSize: Number.isFinite(this.maxSize) ? this.maxSize : null,
    };
  }

  /**
   * Restores a vocabulary saved by {@link Vocabulary.toJSON}.
   *
   * @throws {ModelFormatError} when `json` is not a saved vocabulary.
   */
  static fromJSON(json: VocabularyJSON): Vocabulary {
    const what = 'reelrec.vocabulary';
    expectStamp(json, what, 1);
    const { tokens, counts, docFreqs } = json;
    expectFormat(
      isStringArray(tokens) && tokens.length >= 1,
      what,
      'tokens must be a non-empty string array',
    );
    expectFormat(tokens[0] === json.oovToken, what, 'tokens[0] must be the OOV token');
    expectFormat(new Set(tokens).size === tokens.length, what, 'tokens must be distinct');
    expectFormat(isNumberArray(counts) && counts.length === tokens.length, what, 'one count per token');
    expectFormat(isNumberArray(docFreqs) && docFreqs.length === tokens.length, what, 'one docFreq per token');
    expectFormat(
      Number.isInteger(json.documents) && json.documents >= 0,
      what,
      'documents must be an integer',
    );
    return new Vocabulary(
      [...tokens],
      [...counts],
      [...docFreqs],
      json.documents,
      json.oovToken,
      json.minCount,
      json.minDocs,
      json.maxSize ?? Number.POSITIVE_INFINITY,
    );
  }
}
