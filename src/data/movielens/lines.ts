/**
 * Lines to records: the {@link LineSink}s that turn a file's lines into records for a {@link RecordHandler}.
 * `DelimitedRecords` reads `|`, tab and `::` files (one record a line); `CsvRecords` (in `./csv`) reads CSV.
 *
 * @module
 */

import type { RecordHandler, RecordReader } from './records';
import { isBlank, type LineProblem, type LineSink } from './text';

/** What to do at the end of a file. */
export interface RecordFileOptions {
  /** Whether a file without any kept record is fine (otherwise: `empty-file`). */
  allowEmpty?: boolean;
  /** Runs after the last record, before the empty check (e.g. the duplicate pass over ratings). */
  finish?: (reader: RecordReader) => void;
}

/**
 * The part every record file shares: counts non-blank lines, reports lines that are not text, and at the end
 * records the encoding, runs `finish` and checks that something was kept. Subclasses say how lines make records.
 *
 * @example
 * ```ts
 * class OneFieldPerLine extends LineRecords {
 *   protected feed(text: string, lineNumber: number): void {
 *     if (!isBlank(text)) this.reader.read(lineNumber, [text], this.handle);
 *   }
 * }
 * ```
 */
export abstract class LineRecords implements LineSink {
  /** The handler, after a check that the record has as many fields as there are columns. */
  protected readonly handle: RecordHandler<string[]>;

  constructor(
    protected readonly reader: RecordReader,
    handle: RecordHandler<string[]>,
    protected readonly options: RecordFileOptions = {},
  ) {
    this.handle = (r, fields) => {
      r.fieldCount(fields);
      handle(r, fields);
    };
  }

  line(text: string, lineNumber: number): void {
    if (!isBlank(text)) this.reader.tally.report.lines++;
    this.feed(text, lineNumber);
  }

  badLine(problem: LineProblem, lineNumber: number, found: string): void {
    this.reader.tally.report.lines++;
    this.beforeBadLine();
    this.reader.tally.skip(problem, {
      line: lineNumber,
      field: '*',
      expected: EXPECTED_TEXT[problem],
      found,
    });
  }

  end(encoding: string): void {
    const tally = this.reader.tally;
    tally.report.encoding = encoding;
    this.flush();
    this.options.finish?.(this.reader);
    if (!this.options.allowEmpty) tally.requireRecords();
  }

  /** Takes one line (blank ones included: a quoted CSV field may hold them). */
  protected abstract feed(text: string, lineNumber: number): void;
  /** Settles pending records before a bad line is reported, so issues come in file order. */
  protected beforeBadLine(): void {}
  /** Settles pending records at the end of the file. */
  protected flush(): void {}
}

const EXPECTED_TEXT: Record<LineProblem, string> = {
  encoding: 'text in the file’s encoding',
  binary: 'text without control characters',
  'line-too-long': 'a line of text',
};

/**
 * One record a line, fields split on a fixed separator (`|` in ML-100k, tab in `u.data`, `::` in ML-1M). The
 * field count is checked before the handler runs.
 *
 * @example
 * ```ts
 * const tally = new LoadCollector('strict', 100).file('u.genre', 'ascii');
 * const genres: string[] = [];
 * const sink = new DelimitedRecords(new RecordReader(tally, ['name', 'index']), '|', (r, f) => {
 *   genres.push(r.text(0, f[0]!));
 * });
 * const splitter = new LineSplitter('latin1-or-utf-8', sink);
 * splitter.text('unknown|0\nAction|1\n');
 * splitter.end(); // genres: ['unknown', 'Action']
 * ```
 */
export class DelimitedRecords extends LineRecords {
  constructor(
    reader: RecordReader,
    private readonly separator: string,
    handle: RecordHandler<string[]>,
    options: RecordFileOptions = {},
  ) {
    super(reader, handle, options);
  }

  protected feed(text: string, lineNumber: number): void {
    if (!isBlank(text)) this.reader.read(lineNumber, text.split(this.separator), this.handle);
  }
}
