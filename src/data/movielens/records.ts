/**
 * Record validation shared by every reader (the MovieLens files, the IMDb details and `createDataset`): one
 * {@link RecordReader} per file checks fields, and one {@link LoadCollector} per load turns each rejected record
 * into a thrown {@link DataFormatError} (strict mode) or a counted skip (lenient mode), so that nothing is
 * dropped without being counted.
 *
 * @module
 */
import { ConfigError, DataFormatError, type DataIssueLocation } from '../../errors';
import type { DatasetFormat, FileReport, LoadIssue, LoadReport, RatingScale } from '../types';

/**
 * `'strict'`: the first bad record throws; `'lenient'`: bad records are skipped and counted.
 *
 * @example
 * ```ts
 * import { type LoadMode, loadMovieLens } from 'reelrec';
 * const mode: LoadMode = 'lenient';
 * const data = await loadMovieLens('./data/ml-100k', { mode });
 * ```
 */
export type LoadMode = 'strict' | 'lenient';

/** Detail entries kept in `report.issues` unless told otherwise. */
const DEFAULT_MAX_ISSUES = 100;
/** Largest id: ids are stored in `Int32Array`s. */
const MAX_ID = 2 ** 31 - 1;
/** 2100-01-01T00:00:00Z in Unix seconds: a later timestamp is taken for a unit or parsing error. */
const MAX_TIMESTAMP = 4_102_444_800;
/** Oldest plausible age. */
const MAX_AGE = 120;

/** Where an issue is, without the file (the tally knows it). */
type IssueWhere = Omit<DataIssueLocation, 'file'>;

/** Thrown by {@link RecordReader.reject} in lenient mode to leave the current record; never escapes a read. */
class SkipRecord extends Error {}
const SKIP = new SkipRecord('record skipped');

/**
 * The issues and per-file counts of one load.
 *
 * @example
 * ```ts
 * const collector = new LoadCollector('lenient', 100);
 * const tally = collector.file('u.data', 'ascii');
 * tally.skip('field-count', { line: 3, field: '*', expected: '4 fields', found: '3 fields' });
 * collector.report('./ml-100k', 'ml-100k').files[0]!.skipped; // 1
 * ```
 */
export class LoadCollector {
  readonly files: FileReport[] = [];
  readonly issues: LoadIssue[] = [];
  private issuesOmitted = 0;

  constructor(
    readonly mode: LoadMode,
    readonly maxIssues: number,
  ) {}

  /**
   * Starts the counts of one file. `strict`: its bad records throw even in lenient mode (a file such as `u.genre`
   * that fixes the layout of another cannot lose a record without breaking that one).
   */
  file(name: string, encoding: string, strict = false): FileTally {
    const report: FileReport = {
      file: name,
      encoding,
      lines: 0,
      accepted: 0,
      flagged: 0,
      skipped: 0,
      reasons: {},
    };
    this.files.push(report);
    return new FileTally(this, report, strict ? 'strict' : this.mode);
  }

  /** Keeps the issue's detail while under the cap; counts it either way. */
  note(issue: LoadIssue): void {
    if (this.issues.length < this.maxIssues) this.issues.push(issue);
    else this.issuesOmitted++;
  }

  report(source: string, format: DatasetFormat): LoadReport {
    return {
      source,
      format,
      mode: this.mode,
      files: this.files,
      issues: this.issues,
      issuesOmitted: this.issuesOmitted,
    };
  }
}

/**
 * The counts of one file and the way its issues are handled.
 *
 * @example
 * ```ts
 * const tally = new LoadCollector('strict', 100).file('u.item', 'latin1');
 * tally.kept(false); // one record accepted
 * ```
 */
export class FileTally {
  constructor(
    private readonly collector: LoadCollector,
    readonly report: FileReport,
    /** How this file's bad records are handled. */
    readonly mode: LoadMode = collector.mode,
  ) {}

  /** A record was kept, with or without a flag. */
  kept(flagged: boolean): void {
    if (flagged) this.report.flagged++;
    else this.report.accepted++;
  }

  /** Rejects a record: throws in strict mode, counts a skip in lenient mode. */
  skip(reason: string, where: IssueWhere): void {
    const location = this.locate(where);
    if (this.mode === 'strict') throw new DataFormatError(reason, location);
    this.report.skipped++;
    this.count(reason);
    this.collector.note({ reason, outcome: 'skipped', ...location });
  }

  /** Rejects a record that was counted as accepted earlier (a duplicate found after the file was read). */
  retract(reason: string, where: IssueWhere): void {
    this.skip(reason, where);
    this.report.accepted--;
  }

  /** Notes a suspicious detail of a record that is kept; the record's flagged count is the reader's. */
  flag(reason: string, where: IssueWhere): void {
    this.count(reason);
    this.collector.note({ reason, outcome: 'flagged', ...this.locate(where) });
  }

  /** A problem with the whole file: throws in both modes. */
  fail(reason: string, where: IssueWhere): never {
    throw new DataFormatError(reason, this.locate(where));
  }

  /** Fails with `empty-file` unless at least one record was kept. */
  requireRecords(): void {
    const { lines, accepted, flagged, skipped } = this.report;
    if (accepted + flagged > 0) return;
    this.fail('empty-file', {
      line: 0,
      field: '*',
      expected: 'at least one valid record',
      found: lines === 0 ? 'no data lines' : `${lines} data lines, ${skipped} records skipped, none kept`,
    });
  }

  private count(reason: string): void {
    this.report.reasons[reason] = (this.report.reasons[reason] ?? 0) + 1;
  }

  private locate(where: IssueWhere): DataIssueLocation {
    return { file: this.report.file, ...where, found: truncate(where.found) };
  }
}

/** Validates one record at a time. `T` is what a record is (fields of a line, an object, a row index). */
export type RecordHandler<T> = (reader: RecordReader, record: T) => void;

/**
 * Reads the records of one file: runs a handler per record and counts the record as accepted, flagged or
 * skipped. The handler reads fields through the checks below; a failed check rejects the record (strict: a
 * thrown {@link DataFormatError}; lenient: a counted skip, and the handler stops there).
 *
 * Checks take the column by index into `columns` (its name is what errors report), the parsed value, and the
 * raw value to show when the check fails.
 *
 * @example
 * ```ts
 * const tally = new LoadCollector('strict', 100).file('u.data', 'ascii');
 * const reader = new RecordReader(tally, ['user id', 'item id', 'rating', 'timestamp']);
 * reader.read(1, '0\t1\t5\t881250949'.split('\t'), (r, f) => r.id(0, parseInteger(f[0]!), f[0]));
 * // throws DataFormatError: u.data:1: field "user id": expected an integer id from 1 to 2147483647, found "0"
 * ```
 */
export class RecordReader {
  /** 1-based line of the record being read (for in-memory input: its index + 1). */
  line = 0;
  private flagged = false;

  constructor(
    readonly tally: FileTally,
    readonly columns: readonly string[],
  ) {}

  /** Runs `handle` on one record. Returns whether the record was kept. */
  read<T>(line: number, record: T, handle: RecordHandler<T>): boolean {
    this.line = line;
    this.flagged = false;
    try {
      handle(this, record);
    } catch (err) {
      if (err === SKIP) return false;
      throw err;
    }
    this.tally.kept(this.flagged);
    return true;
  }

  /** Rejects the current record. */
  reject(reason: string, column: number | string, expected: string, found: string): never {
    this.tally.skip(reason, { line: this.line, field: this.columnName(column), expected, found });
    throw SKIP;
  }

  /** Flags the current record: it is kept and counted as flagged. */
  flag(reason: string, column: number | string, expected: string, found: string): void {
    this.flagged = true;
    this.tally.flag(reason, { line: this.line, field: this.columnName(column), expected, found });
  }

  /** Checks that a line split into as many fields as there are columns. */
  fieldCount(fields: readonly string[]): void {
    const n = this.columns.length;
    if (fields.length !== n) {
      this.reject(
        'field-count',
        '*',
        `${n} fields (${this.columns.join(', ')})`,
        `${fields.length} fields ${describeValue(fields)}`,
      );
    }
  }

  /** A required text field, trimmed; rejects an empty one (`missing-value`). */
  text(column: number, value: string): string {
    const text = value.trim();
    if (text === '') this.reject('missing-value', column, 'a non-empty value', describeValue(value));
    return text;
  }

  /** A positive int32 id (`invalid-id`). */
  id(column: number, value: number, raw: unknown): number {
    if (!(Number.isInteger(value) && value >= 1 && value <= MAX_ID)) {
      this.reject('invalid-id', column, `an integer id from 1 to ${MAX_ID}`, describeValue(raw));
    }
    return value;
  }

  /** A rating on the scale: a number (`rating-not-number`), in range (`rating-range`), on a step (`rating-step`). */
  rating(column: number, value: number, raw: unknown, scale: RatingScale): number {
    if (!Number.isFinite(value)) this.reject('rating-not-number', column, 'a number', describeValue(raw));
    if (value < scale.min || value > scale.max) {
      this.reject('rating-range', column, `a rating from ${scale.min} to ${scale.max}`, describeValue(raw));
    }
    const steps = (value - scale.min) / scale.step;
    if (Math.abs(steps - Math.round(steps)) > 1e-9) {
      this.reject(
        'rating-step',
        column,
        `a rating in steps of ${scale.step} from ${scale.min}`,
        describeValue(raw),
      );
    }
    return value;
  }

  /** A Unix time in seconds: an integer (`invalid-timestamp`) from 1970 to 2100 (`timestamp-range`). */
  timestamp(column: number, value: number, raw: unknown): number {
    if (!Number.isInteger(value))
      this.reject('invalid-timestamp', column, 'an integer Unix time in seconds', describeValue(raw));
    if (value < 0 || value > MAX_TIMESTAMP) {
      this.reject(
        'timestamp-range',
        column,
        `a Unix time from 0 (1970) to ${MAX_TIMESTAMP} (2100)`,
        describeValue(raw),
      );
    }
    return value;
  }

  /** An age in years, an integer from 0 to 120, or one of `codes` when given (`invalid-age`). */
  age(column: number, value: number, raw: unknown, codes?: ReadonlySet<number>): number {
    const ok = codes ? codes.has(value) : Number.isInteger(value) && value >= 0 && value <= MAX_AGE;
    if (!ok) {
      const expected = codes ? `an age code, one of ${[...codes].join(', ')}` : `an age from 0 to ${MAX_AGE}`;
      this.reject('invalid-age', column, expected, describeValue(raw));
    }
    return value;
  }

  /** `'M'` or `'F'` (`invalid-gender`). */
  gender(column: number, value: unknown): 'M' | 'F' {
    if (value !== 'M' && value !== 'F')
      this.reject('invalid-gender', column, '"M" or "F"', describeValue(value));
    return value;
  }

  private columnName(column: number | string): string {
    return typeof column === 'string' ? column : (this.columns[column] ?? String(column));
  }
}

/**
 * A decimal integer (optional minus sign, digits only), or `NaN`. Faster than a regular expression and
 * stricter than `Number()` (which accepts `''`, `' 1'`, `'0x10'`, `'1e3'`).
 *
 * @example
 * ```ts
 * parseInteger('881250949'); // 881250949
 * parseInteger('3.0'); // NaN
 * ```
 */
export function parseInteger(text: string): number {
  const n = text.length;
  const negative = text.charCodeAt(0) === 0x2d;
  let i = negative ? 1 : 0;
  if (i === n) return Number.NaN;
  let value = 0;
  for (; i < n; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

const DECIMAL = /^[-+]?\d+(?:\.\d+)?$/;

/**
 * A plain decimal number (`4`, `3.5`, `-1`), or `NaN`.
 *
 * @example
 * ```ts
 * parseDecimal('3.5'); // 3.5
 * parseDecimal('3,5'); // NaN
 * ```
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/**
 * The number a value is, or `NaN` when it is not a number (for checks on in-memory input).
 *
 * @example
 * ```ts
 * numberOrNaN(4); // 4
 * numberOrNaN('4'); // NaN
 * ```
 */
export function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * Checks the `mode` and `maxIssues` options shared by the loaders.
 *
 * @throws {@link ConfigError} for a value outside what they accept.
 * @example
 * ```ts
 * resolveCommonOptions({ mode: 'lenient' }); // { mode: 'lenient', maxIssues: 100 }
 * ```
 */
export function resolveCommonOptions(options: { mode?: unknown; maxIssues?: unknown }): {
  mode: LoadMode;
  maxIssues: number;
} {
  const mode = options.mode ?? 'strict';
  if (mode !== 'strict' && mode !== 'lenient') throw new ConfigError('mode', "'strict' or 'lenient'", mode);
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  if (typeof maxIssues !== 'number' || !Number.isInteger(maxIssues) || maxIssues < 0) {
    throw new ConfigError('maxIssues', 'an integer ≥ 0', maxIssues);
  }
  return { mode, maxIssues };
}

/**
 * A value as an issue's `found` shows it: strings quoted (so `""` and `" 1"` are visible), others as JSON.
 *
 * @example
 * ```ts
 * describeValue('3.3'); // '"3.3"'
 * describeValue(null); // 'null'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
