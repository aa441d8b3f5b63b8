/**
 * Every error reelrec throws is a {@link ReelrecError} with a stable `code`, so callers can branch on
 * `err.code` instead of parsing messages. A few subclasses carry structured context.
 *
 * @module
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type ReelrecErrorCode =
  | 'DATA_FORMAT'
  | 'DATA_MISSING'
  | 'CONFIG'
  | 'BACKEND'
  | 'MODEL_FORMAT'
  | 'STATE'
  | 'ABORTED'
  | 'DEPENDENCY';

/**
 * Base class of every error reelrec throws.
 *
 * @example
 * ```ts
 * import { ReelrecError, loadMovieLens } from 'reelrec';
 * try {
 *   await loadMovieLens('./no-such-dir');
 * } catch (err) {
 *   if (err instanceof ReelrecError) console.error(err.code, err.message);
 * }
 * ```
 */
export class ReelrecError extends Error {
  /** Machine-readable code; stable across versions. */
  readonly code: ReelrecErrorCode;

  constructor(code: ReelrecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where a bad value was found and what was wrong with it. */
export interface DataIssueLocation {
  /** File name (or a label such as `ratings[]` for in-memory input). */
  file: string;
  /** 1-based line number; 0 when the issue concerns the whole file. */
  line: number;
  /** Field (column) name, or `'*'` for the whole line / file. */
  field: string;
  /** What was expected, in words. */
  expected: string;
  /** What was found (truncated to 80 characters). */
  found: string;
}

/**
 * A rejected input: names the file, line, field, what was expected and what was found.
 *
 * @example
 * ```ts
 * import { DataFormatError, loadMovieLens } from 'reelrec';
 * try {
 *   await loadMovieLens('./data/ml-100k');
 * } catch (err) {
 *   if (err instanceof DataFormatError) {
 *     console.error(`${err.file}:${err.line} ${err.field}: expected ${err.expected}, found ${err.found}`);
 *   }
 * }
 * ```
 */
export class DataFormatError extends ReelrecError implements DataIssueLocation {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  /** Short reason code, e.g. `'field-count'`, `'rating-range'`, `'duplicate'`. */
  readonly reason: string;

  constructor(reason: string, where: DataIssueLocation, options?: { cause?: unknown }) {
    const found = truncate(where.found);
    super(
      'DATA_FORMAT',
      `${where.file}${where.line > 0 ? `:${where.line}` : ''}: ${where.field === '*' ? '' : `field "${where.field}": `}expected ${where.expected}, found ${found} (${reason})`,
      options,
    );
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.expected = where.expected;
    this.found = found;
    this.reason = reason;
  }
}

/**
 * A data set (or a required file of one) could not be found.
 *
 * @example
 * ```ts
 * import { DataMissingError } from 'reelrec';
 * const err = new DataMissingError('no ratings file in ./data', './data');
 * console.log(err.code); // 'DATA_MISSING'
 * ```
 */
export class DataMissingError extends ReelrecError {
  /** The path that was looked at. */
  readonly path: string;
  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super('DATA_MISSING', message, options);
    this.path = path;
  }
}

/**
 * An option had a value outside what it accepts. The message lists the accepted values.
 *
 * @example
 * ```ts
 * import { ConfigError } from 'reelrec';
 * const err = new ConfigError('model.cell', "one of 'rnn', 'lstm', 'gru'", 'tcn');
 * console.log(err.message); // model.cell: expected one of 'rnn', 'lstm', 'gru', found "tcn"
 * ```
 */
export class ConfigError extends ReelrecError {
  /** Dotted path of the option, e.g. `training.epochs`. */
  readonly option: string;
  constructor(option: string, expected: string, found: unknown) {
    super('CONFIG', `${option}: expected ${expected}, found ${describe(found)}`);
    this.option = option;
  }
}

/**
 * A tfjs backend could not be started. `failures` holds every backend that was tried and why it failed.
 *
 * @example
 * ```ts
 * import { BackendError, useBackend } from 'reelrec';
 * try {
 *   await useBackend(['webgpu', 'wasm', 'cpu']);
 * } catch (err) {
 *   if (err instanceof BackendError) for (const f of err.failures) console.error(f.backend, f.reason);
 * }
 * ```
 */
export class BackendError extends ReelrecError {
  /** Each backend tried, in order, with the reason it failed. */
  readonly failures: ReadonlyArray<{
    /** The backend's name, e.g. `'wasm'`. */
    backend: string;
    /** Why it failed to start. */
    reason: string;
  }>;
  constructor(
    message: string,
    failures: ReadonlyArray<{ backend: string; reason: string }>,
    options?: { cause?: unknown },
  ) {
    super('BACKEND', message, options);
    this.failures = failures;
  }
}

/**
 * A saved model could not be loaded: wrong format version, inconsistent weights, unknown parts.
 *
 * @example
 * ```ts
 * import { ModelFormatError, loadRecommender } from 'reelrec';
 * try {
 *   await loadRecommender('./model');
 * } catch (err) {
 *   if (err instanceof ModelFormatError) console.error('cannot load:', err.message);
 * }
 * ```
 */
export class ModelFormatError extends ReelrecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_FORMAT', message, options);
  }
}

/**
 * A method was called in a state that does not allow it (e.g. `recommend` before `fit`, or after `dispose`).
 *
 * @example
 * ```ts
 * import { StateError } from 'reelrec';
 * const err = new StateError('recommend() needs a fitted model: call fit() first');
 * console.log(err.code); // 'STATE'
 * ```
 */
export class StateError extends ReelrecError {
  constructor(message: string) {
    super('STATE', message);
  }
}

/**
 * Work was stopped through an `AbortSignal`.
 *
 * @example
 * ```ts
 * import { AbortedError } from 'reelrec';
 * const err = new AbortedError('training stopped after epoch 3');
 * console.log(err.code); // 'ABORTED'
 * ```
 */
export class AbortedError extends ReelrecError {
  constructor(message = 'aborted') {
    super('ABORTED', message);
  }
}

/**
 * An optional package that a feature needs is not installed. The message names the install command.
 *
 * @example
 * ```ts
 * import { DependencyError } from 'reelrec';
 * const err = new DependencyError('natural', 'text features (plot TF-IDF, stemming)');
 * console.log(err.message); // … npm install natural
 * ```
 */
export class DependencyError extends ReelrecError {
  /** The npm package that is missing. */
  readonly packageName: string;
  constructor(packageName: string, neededFor: string, options?: { cause?: unknown }) {
    super(
      'DEPENDENCY',
      `${neededFor} needs the optional package "${packageName}", which is not installed: run \`npm install ${packageName}\``,
      options,
    );
    this.packageName = packageName;
  }
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value));
  if (value === undefined) return 'undefined';
  try {
    return truncate(JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
