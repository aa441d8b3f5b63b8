/**
 * Small option and saved-state checks shared by preprocess, features and profile (internal; not part of the
 * public surface).
 *
 * @module
 * @internal
 */
import { ConfigError, ModelFormatError } from '../errors';

/**
 * An integer ≥ `min`, or `fallback` when `value` is undefined.
 *
 * @example
 * ```ts
 * const dims = intOption('features.textDims', options.textDims, 32, 1); // throws ConfigError for 0 or 1.5
 * ```
 */
export function intOption(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(option, `an integer ≥ ${min}`, value);
  }
  return value;
}

/**
 * An integer ≥ `min` or `Infinity`, or `fallback` when `value` is undefined.
 *
 * @example
 * ```ts
 * const cap = capOption('features.maxCast', options.maxCast, 500);
 * ```
 */
export function capOption(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(option, `an integer ≥ ${min} or Infinity`, value);
  }
  return value;
}

/**
 * A finite number ≥ `min`, or `fallback` when `value` is undefined.
 *
 * @example
 * ```ts
 * const shrink = numberOption('profile.affinityShrinkage', options.affinityShrinkage, 1, 0);
 * ```
 */
export function numberOption(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(option, `a finite number ≥ ${min}`, value);
  }
  return value;
}

/**
 * A boolean, or `fallback` when `value` is undefined.
 *
 * @example
 * ```ts
 * const genres = boolOption('features.genres', options.genres, true);
 * ```
 */
export function boolOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'true or false', value);
  return value;
}

/**
 * One of `choices`, or `fallback` when `value` is undefined.
 *
 * @example
 * ```ts
 * const order = choiceOption('encoder.order', options.order, ['frequency', 'alphabetical'] as const, 'frequency');
 * ```
 */
export function choiceOption<T extends string>(
  option: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(option, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}

/**
 * Throws a {@link ModelFormatError} naming `what` unless `ok`.
 *
 * @example
 * ```ts
 * expectFormat(Array.isArray(json.tokens), 'reelrec.vocabulary', 'tokens must be an array');
 * ```
 */
export function expectFormat(ok: boolean, what: string, detail: string): asserts ok {
  if (!ok) throw new ModelFormatError(`${what}: ${detail}`);
}

/**
 * Checks the `format` and `version` stamp of saved JSON.
 *
 * @example
 * ```ts
 * expectStamp(json, 'reelrec.vocabulary', 1); // ModelFormatError on another format or version
 * ```
 */
export function expectStamp(json: unknown, format: string, version: number): void {
  expectFormat(typeof json === 'object' && json !== null, format, 'expected an object');
  const { format: f, version: v } = json as { format?: unknown; version?: unknown };
  expectFormat(f === format, format, `expected format "${format}", found ${JSON.stringify(f)}`);
  expectFormat(v === version, format, `expected version ${version}, found ${JSON.stringify(v)}`);
}

/**
 * True when `value` is an array of strings.
 *
 * @example
 * ```ts
 * isStringArray(['a', 'b']); // true
 * ```
 */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * True when `value` is an array of finite numbers.
 *
 * @example
 * ```ts
 * isNumberArray([1, Number.NaN]); // false
 * ```
 */
export function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * Orders by count descending, then by string ascending (code-unit order, independent of the locale).
 *
 * @example
 * ```ts
 * [['b', 1], ['a', 1], ['c', 2]].sort(byCountThenName); // c, a, b
 * ```
 */
export function byCountThenName(a: [string, number], b: [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
