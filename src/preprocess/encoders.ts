/**
 * One-hot and multi-hot encoders for categorical values (genres, occupations, directors, …): fitted on
 * training values, they encode anything; what was not seen at fit time is "unknown".
 *
 * @module
 */
import { ConfigError } from '../errors';
import {
  byCountThenName,
  capOption,
  choiceOption,
  expectFormat,
  expectStamp,
  intOption,
  isStringArray,
} from './check';

/**
 * What an encoder does with a value it was not fitted on (or a missing value): `'zeros'` encodes it as an
 * all-zero row; `'slot'` adds a last column, named by `unknownLabel` (default `'<unk>'`), set to 1 for it.
 *
 * @example
 * ```ts
 * import { OneHotEncoder, type UnknownPolicy } from 'reelrec';
 * const unknown: UnknownPolicy = 'slot';
 * const enc = new OneHotEncoder(['M', 'F'], { unknown });
 * console.log(Array.from(enc.encode('X'))); // [0, 0, 1]
 * ```
 */
export type UnknownPolicy = 'zeros' | 'slot';

/**
 * Options of the encoders' constructors.
 *
 * @example
 * ```ts
 * import { MultiHotEncoder, type EncoderOptions } from 'reelrec';
 * const options: EncoderOptions = { unknown: 'slot', unknownLabel: 'other' };
 * const enc = new MultiHotEncoder(['Action', 'Drama'], options);
 * ```
 */
export interface EncoderOptions {
  /** Default `'zeros'`. */
  unknown?: UnknownPolicy;
  /** Name of the unknown column under `unknown: 'slot'` (default `'<unk>'`). */
  unknownLabel?: string;
}

/**
 * Options of the encoders' `fit`.
 *
 * @example
 * ```ts
 * import { MultiHotEncoder, type CategoricalFitOptions } from 'reelrec';
 * const options: CategoricalFitOptions = { minCount: 2, maxCategories: 100 };
 * const directors = MultiHotEncoder.fit([['Lean'], ['Lean', 'Kubrick'], ['Kubrick']], options);
 * console.log(directors.categories); // ['Kubrick', 'Lean']
 * ```
 */
export interface CategoricalFitOptions extends EncoderOptions {
  /** A category is kept only if it occurs in at least this many rows (default 1). */
  minCount?: number;
  /** At most this many categories are kept, the most frequent first (default `Infinity`). */
  maxCategories?: number;
  /**
   * Column order: `'frequency'` (rows holding the value, descending, then value ascending; the default),
   * `'alphabetical'` (code-unit order), or `'first-seen'`. The cap always keeps the most frequent.
   */
  order?: 'frequency' | 'alphabetical' | 'first-seen';
}

/**
 * The saved form of a {@link OneHotEncoder} or {@link MultiHotEncoder}.
 *
 * @example
 * ```ts
 * import { OneHotEncoder, type CategoricalEncoderJSON } from 'reelrec';
 * const json: CategoricalEncoderJSON = new OneHotEncoder(['a', 'b']).toJSON();
 * console.log(json.categories); // ['a', 'b']
 * ```
 */
export interface CategoricalEncoderJSON {
  /** Which encoder saved it. */
  format: 'reelrec.one-hot' | 'reelrec.multi-hot';
  /** Version of the saved form. */
  version: 1;
  /** The fitted categories, in column order. */
  categories: string[];
  /** What unseen and missing values become. */
  unknown: UnknownPolicy;
  /** Name of the unknown column under `unknown: 'slot'`. */
  unknownLabel: string;
}

/**
 * A value to encode: a category name, or `null` / `undefined` for a missing value (encoded as unknown).
 *
 * @example
 * ```ts
 * import { type CategoryValue, OneHotEncoder } from 'reelrec';
 * const v: CategoryValue = null;
 * new OneHotEncoder(['a', 'b'], { unknown: 'slot' }).index(v); // 2, the unknown slot
 * ```
 */
export type Value = string | null | undefined;

/** Picks the categories `fit` keeps, in column order. */
function chooseCategories(rows: Iterable<Iterable<string>>, options: CategoricalFitOptions): string[] {
  const minCount = intOption('encoder.minCount', options.minCount, 1, 1);
  const maxCategories = capOption('encoder.maxCategories', options.maxCategories, Number.POSITIVE_INFINITY);
  const order = choiceOption(
    'encoder.order',
    options.order,
    ['frequency', 'alphabetical', 'first-seen'] as const,
    'frequency',
  );
  const counts = new Map<string, number>(); // insertion order = first seen
  for (const row of rows) {
    for (const v of new Set(row)) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const kept = [...counts].filter(([, c]) => c >= minCount);
  const firstSeen = new Map(kept.map(([v], i) => [v, i]));
  const chosen = [...kept].sort(byCountThenName).slice(0, maxCategories);
  if (order === 'alphabetical') chosen.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (order === 'first-seen') chosen.sort(([a], [b]) => firstSeen.get(a)! - firstSeen.get(b)!);
  return chosen.map(([v]) => v);
}

/**
 * Shared state and behaviour of {@link OneHotEncoder} and {@link MultiHotEncoder}: the fitted categories,
 * the unknown policy, column lookup and names.
 *
 * @example
 * ```ts
 * import { type CategoricalEncoder, OneHotEncoder } from 'reelrec';
 * const enc: CategoricalEncoder = new OneHotEncoder(['a', 'b'], { unknown: 'slot' });
 * console.log(enc.dim, enc.index('b'), enc.index('z'), enc.featureNames('x:')); // 3 1 2 ['x:a', 'x:b', 'x:<unk>']
 * ```
 */
export abstract class CategoricalEncoder {
  /** The fitted categories, in column order. */
  readonly categories: readonly string[];
  /** What unseen and missing values become. */
  readonly unknown: UnknownPolicy;
  /** Name of the unknown column under `unknown: 'slot'`. */
  readonly unknownLabel: string;
  /** The column of each fitted category. */
  protected readonly columns: ReadonlyMap<string, number>;

  constructor(categories: readonly string[], options: EncoderOptions = {}) {
    if (!isStringArray(categories))
      throw new ConfigError('encoder.categories', 'an array of strings', categories);
    if (new Set(categories).size !== categories.length) {
      throw new ConfigError('encoder.categories', 'distinct categories', categories);
    }
    this.categories = Object.freeze([...categories]);
    this.unknown = choiceOption('encoder.unknown', options.unknown, ['zeros', 'slot'] as const, 'zeros');
    this.unknownLabel = options.unknownLabel ?? '<unk>';
    this.columns = new Map(categories.map((c, i) => [c, i]));
  }

  /** Number of columns: the categories, plus one under `unknown: 'slot'`. */
  get dim(): number {
    return this.categories.length + (this.unknown === 'slot' ? 1 : 0);
  }

  /**
   * The column of `value`: its category's column, the unknown slot (under `'slot'`), or -1 (under `'zeros'`)
   * when it was not fitted or is missing.
   */
  index(value: Value): number {
    const i = value == null ? undefined : this.columns.get(value);
    if (i !== undefined) return i;
    return this.unknown === 'slot' ? this.categories.length : -1;
  }

  /** Column names: `prefix + category`, and `prefix + unknownLabel` for the slot. */
  featureNames(prefix = ''): string[] {
    const names = this.categories.map((c) => `${prefix}${c}`);
    if (this.unknown === 'slot') names.push(`${prefix}${this.unknownLabel}`);
    return names;
  }

  /** The saved form under the subclass's `format` tag (what `toJSON` returns). */
  protected saved(format: CategoricalEncoderJSON['format']): CategoricalEncoderJSON {
    return {
      format,
      version: 1,
      categories: [...this.categories],
      unknown: this.unknown,
      unknownLabel: this.unknownLabel,
    };
  }
}

function parseSaved(json: CategoricalEncoderJSON, format: CategoricalEncoderJSON['format']): EncoderOptions {
  expectStamp(json, format, 1);
  expectFormat(isStringArray(json.categories), format, 'categories must be a string array');
  expectFormat(
    json.unknown === 'zeros' || json.unknown === 'slot',
    format,
    "unknown must be 'zeros' or 'slot'",
  );
  expectFormat(typeof json.unknownLabel === 'string', format, 'unknownLabel must be a string');
  return { unknown: json.unknown, unknownLabel: json.unknownLabel };
}

/**
 * Encodes one categorical value per row as a one-hot vector. A value not fitted (or `null`/`undefined`) is
 * an all-zero row by default, or sets the trailing unknown slot with `{ unknown: 'slot' }`.
 *
 * @example
 * ```ts
 * import { OneHotEncoder } from 'reelrec';
 * const enc = OneHotEncoder.fit(['student', 'writer', 'student'], { unknown: 'slot' });
 * console.log(enc.categories); // ['student', 'writer'] (most frequent first)
 * console.log(Array.from(enc.encode('writer'))); // [0, 1, 0]
 * console.log(Array.from(enc.encode('pilot'))); // [0, 0, 1]
 * console.log(Array.from(enc.transform(['student', null]))); // [1, 0, 0, 0, 0, 1]
 * ```
 */
export class OneHotEncoder extends CategoricalEncoder {
  /**
   * Fits on values; `null`/`undefined` are not counted.
   *
   * @throws {ConfigError} for a bad option.
   */
  static fit(values: Iterable<Value>, options: CategoricalFitOptions = {}): OneHotEncoder {
    const rows: string[][] = [];
    for (const v of values) if (v != null) rows.push([v]);
    return new OneHotEncoder(chooseCategories(rows, options), options);
  }

  /** Writes the encoding of `value` into `target` from `offset` (the `dim` columns must be zero already). */
  encodeInto(target: Float32Array, offset: number, value: Value): void {
    const i = this.index(value);
    if (i >= 0) target[offset + i] = 1;
  }

  /** The encoding of one value. */
  encode(value: Value): Float32Array {
    const out = new Float32Array(this.dim);
    this.encodeInto(out, 0, value);
    return out;
  }

  /** The encodings of `values`, row-major (`values.length × dim`). */
  transform(values: readonly Value[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(values.length * dim);
    for (let r = 0; r < values.length; r++) this.encodeInto(out, r * dim, values[r]);
    return out;
  }

  /** The saved form. */
  toJSON(): CategoricalEncoderJSON {
    return this.saved('reelrec.one-hot');
  }

  /**
   * Restores an encoder saved by {@link OneHotEncoder.toJSON}.
   *
   * @throws {ModelFormatError} when `json` is not a saved one-hot encoder.
   */
  static fromJSON(json: CategoricalEncoderJSON): OneHotEncoder {
    return new OneHotEncoder(json.categories, parseSaved(json, 'reelrec.one-hot'));
  }
}

/**
 * Encodes a set of categorical values per row as a multi-hot vector (e.g. a movie's genres or cast). Fitting
 * counts each value once per row. Unfitted values set nothing by default, or the trailing unknown slot with
 * `{ unknown: 'slot' }`; an empty row is all zeros, a missing row (`null`/`undefined`) is unknown.
 *
 * @example
 * ```ts
 * import { MultiHotEncoder } from 'reelrec';
 * const genres = new MultiHotEncoder(['Action', 'Comedy', 'Drama']);
 * console.log(Array.from(genres.encode(['Drama', 'Action']))); // [1, 0, 1]
 * console.log(Array.from(genres.encode(['Western']))); // [0, 0, 0]
 * ```
 */
export class MultiHotEncoder extends CategoricalEncoder {
  /**
   * Fits on rows of values; a missing row is skipped.
   *
   * @throws {ConfigError} for a bad option.
   */
  static fit(
    rows: Iterable<readonly string[] | null | undefined>,
    options: CategoricalFitOptions = {},
  ): MultiHotEncoder {
    const kept: (readonly string[])[] = [];
    for (const row of rows) if (row != null) kept.push(row);
    return new MultiHotEncoder(chooseCategories(kept, options), options);
  }

  /** Writes the encoding of `values` into `target` from `offset` (the `dim` columns must be zero already). */
  encodeInto(target: Float32Array, offset: number, values: readonly Value[] | null | undefined): void {
    if (values == null) {
      if (this.unknown === 'slot') target[offset + this.categories.length] = 1;
      return;
    }
    for (const v of values) {
      const i = this.index(v);
      if (i >= 0) target[offset + i] = 1;
    }
  }

  /** The encoding of one row of values. */
  encode(values: readonly Value[] | null | undefined): Float32Array {
    const out = new Float32Array(this.dim);
    this.encodeInto(out, 0, values);
    return out;
  }

  /** The encodings of `rows`, row-major (`rows.length × dim`). */
  transform(rows: readonly (readonly Value[] | null | undefined)[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(rows.length * dim);
    for (let r = 0; r < rows.length; r++) this.encodeInto(out, r * dim, rows[r]);
    return out;
  }

  /** The saved form. */
  toJSON(): CategoricalEncoderJSON {
    return this.saved('reelrec.multi-hot');
  }

  /**
   * Restores an encoder saved by {@link MultiHotEncoder.toJSON}.
   *
   * @throws {ModelFormatError} when `json` is not a saved multi-hot encoder.
   */
  static fromJSON(json: CategoricalEncoderJSON): MultiHotEncoder {
    return new MultiHotEncoder(json.categories, parseSaved(json, 'reelrec.multi-hot'));
  }
}
