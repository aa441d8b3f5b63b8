/**
 * CSV records (RFC 4180) for the ml-latest family, read line by line so that a bad record costs one record,
 * never the rest of the file.
 *
 * Quoting is csv-parse's job (its self-contained browser build, so this module runs anywhere). A line with no
 * double quote cannot hold a quoted field, and RFC 4180 reads it as exactly its comma-separated fields: such
 * lines (every line of `ratings.csv`) are split directly, which is about 50 times faster than a csv-parse call
 * per line; the test suite checks that both readings agree. A line with quotes, together with the following
 * lines while a quoted field is open, is one record and goes to csv-parse.
 *
 * @module
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { LineRecords } from './lines';
import { describeValue, type RecordHandler, type RecordReader } from './records';
import { isBlank } from './text';

/** A quoted field left open for more physical lines than this is taken as unterminated. */
const MAX_RECORD_LINES = 32;

const CSV_OPTIONS = { relax_column_count: true, record_delimiter: '\n' } as const;
const QUOTE = '"';

/**
 * The fields of one CSV record, parsed by csv-parse.
 *
 * @throws csv-parse's `CsvError` when the quoting is broken.
 * @example
 * ```ts
 * parseCsvRecord('1,"American President, The (1995)",Comedy|Drama');
 * // ['1', 'American President, The (1995)', 'Comedy|Drama']
 * ```
 */
export function parseCsvRecord(text: string): string[] {
  const rows = parse(text, CSV_OPTIONS);
  if (rows.length !== 1) throw new Error(`expected one CSV record, found ${rows.length}`);
  return rows[0]!;
}

/**
 * Reads a CSV file with a header: checks the header (a mismatch fails the file in both modes, as its columns
 * cannot be trusted), then hands each record's fields to the handler after checking their count.
 *
 * Multi-line records (a quoted field holding a line break) are read whole. A quote still open after
 * {@link MAX_RECORD_LINES} lines or at the end of the file rejects the line that opened it
 * (`unterminated-quote`); the lines after it are read again as records of their own.
 *
 * @example
 * ```ts
 * const tally = new LoadCollector('strict', 100).file('movies.csv', 'utf-8');
 * const titles: string[] = [];
 * const sink = new CsvRecords(new RecordReader(tally, ['movieId', 'title', 'genres']), (r, f) => {
 *   titles.push(f[1]!);
 * });
 * const splitter = new LineSplitter('utf-8', sink);
 * splitter.text('movieId,title,genres\n11,"American President, The (1995)",Comedy\n');
 * splitter.end(); // titles: ['American President, The (1995)']
 * ```
 */
export class CsvRecords extends LineRecords {
  private headerSeen = false;
  /** Lines of a record whose quoted field is still open. */
  private open: string[] = [];
  private openLines: number[] = [];
  private openQuotes = 0;
  private readonly parsed: RecordHandler<string> = (r, text) => this.handle(r, parseOrReject(r, text));

  protected feed(text: string, lineNumber: number): void {
    if (this.open.length === 0) {
      if (isBlank(text)) return;
      const quotes = countQuotes(text);
      if (quotes === 0) this.record(text, lineNumber, false);
      else if (quotes % 2 === 0) this.record(text, lineNumber, true);
      else this.startOpen(text, lineNumber, quotes);
      return;
    }
    this.open.push(text);
    this.openLines.push(lineNumber);
    this.openQuotes += countQuotes(text);
    if (this.openQuotes % 2 === 0) {
      const line = this.openLines[0]!;
      const record = this.open.join('\n');
      this.clearOpen();
      this.record(record, line, true);
    } else if (this.open.length > MAX_RECORD_LINES) {
      this.unterminated();
    }
  }

  protected override beforeBadLine(): void {
    // A bad line inside an open quoted field ends that record: settle it first so issues stay in file order.
    if (this.open.length > 0) this.unterminated();
  }

  protected override flush(): void {
    while (this.open.length > 0) this.unterminated();
  }

  private startOpen(text: string, lineNumber: number, quotes: number): void {
    this.open = [text];
    this.openLines = [lineNumber];
    this.openQuotes = quotes;
  }

  private clearOpen(): void {
    this.open = [];
    this.openLines = [];
    this.openQuotes = 0;
  }

  private record(text: string, lineNumber: number, quoted: boolean): void {
    if (!this.headerSeen) {
      this.checkHeader(text, lineNumber);
      return;
    }
    if (quoted) this.reader.read(lineNumber, text, this.parsed);
    else this.reader.read(lineNumber, text.split(','), this.handle);
  }

  /** Rejects the line that opened an unterminated quoted field and reads the lines after it again. */
  private unterminated(): void {
    const lines = this.open;
    const numbers = this.openLines;
    this.clearOpen();
    if (!this.headerSeen) this.checkHeader(lines[0]!, numbers[0]!);
    else {
      this.reader.read(numbers[0]!, lines[0]!, (r, text) =>
        r.reject(
          'unterminated-quote',
          '*',
          `a closing double quote within ${MAX_RECORD_LINES} lines`,
          describeValue(text),
        ),
      );
    }
    for (let i = 1; i < lines.length; i++) this.feed(lines[i]!, numbers[i]!);
  }

  /** The first record must be the header. */
  private checkHeader(text: string, lineNumber: number): void {
    this.reader.tally.report.lines--; // the header is not a data line
    const expected = this.reader.columns.join(',');
    let found: string | null;
    try {
      found = parseCsvRecord(text)
        .map((f) => f.trim())
        .join(',');
    } catch {
      found = null;
    }
    if (found !== expected) {
      this.reader.tally.fail('header', {
        line: lineNumber,
        field: '*',
        expected: `the header ${expected}`,
        found: describeValue(text),
      });
    }
    this.headerSeen = true;
  }
}

function parseOrReject(r: RecordReader, text: string): string[] {
  try {
    return parseCsvRecord(text);
  } catch (err) {
    const unterminated = (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED';
    return r.reject(
      unterminated ? 'unterminated-quote' : 'csv-quote',
      '*',
      'RFC 4180 quoting: a quoted field is "…" with "" for a quote inside',
      describeValue(text),
    );
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf(QUOTE); i !== -1; i = text.indexOf(QUOTE, i + 1)) n++;
  return n;
}
