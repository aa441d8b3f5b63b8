/**
 * The seam between parsing and I/O. A format reader is a generator that yields one {@link FileRequest} per file
 * it wants, in order, and is resumed with whether the file was found; a driver does the I/O: from disk,
 * streaming (`loadMovieLens`), or from memory (`parseMovieLens`). The parsers are the same either way.
 *
 * @module
 */
import type { Movie, RatingScale, RatingTable, User } from '../types';
import type { IdCatalog } from './catalog';
import { CsvRecords } from './csv';
import { DelimitedRecords, type RecordFileOptions } from './lines';
import { type FileTally, type LoadCollector, type RecordHandler, RecordReader } from './records';
import { type ContentConsumer, concat, decodeUtf8, type EncodingPolicy, isBlank, LineSplitter } from './text';

/** A format reader's request for one file. */
export interface FileRequest {
  /** Path relative to the data directory (may lead out of it, e.g. `../x-imdb-details/…`). */
  readonly file: string;
  /** A missing required file stops the load with a `DataMissingError`. */
  readonly required: boolean;
  /** Starts reading: called only when the file exists; the driver feeds the consumer and ends it. */
  open(): ContentConsumer;
}

/** A format reader: yields file requests, is resumed with whether each file was found, returns `T`. */
export type Reader<T> = Generator<FileRequest, T, boolean>;

/** How a line-based file is read. */
export interface LineFileSpec extends RecordFileOptions {
  required: boolean;
  /** Column names, in file order: the field count and the names errors report. */
  columns: readonly string[];
  /** Bad records throw even in lenient mode (a file that fixes another's layout, like `u.genre`). */
  strict?: boolean;
}

/**
 * Makes file requests whose records are counted in one {@link LoadCollector}.
 *
 * @example
 * ```ts
 * function* readGenres(s: ReadSession): Reader<string[]> {
 *   const names: string[] = [];
 *   yield s.delimited('u.genre', '|', { required: true, columns: ['genre', 'index'] }, (r, f) => {
 *     names.push(r.text(0, f[0]!));
 *   });
 *   return names;
 * }
 * ```
 */
export class ReadSession {
  constructor(readonly collector: LoadCollector) {}

  /** A file of one record a line, fields split on `separator`, Latin-1 unless it is UTF-8. */
  delimited(
    file: string,
    separator: string,
    spec: LineFileSpec,
    handle: RecordHandler<string[]>,
  ): FileRequest {
    return this.lines(
      file,
      'latin1-or-utf-8',
      spec,
      (reader) => new DelimitedRecords(reader, separator, handle, spec),
    );
  }

  /** A UTF-8 CSV file whose header must be exactly `spec.columns`. */
  csv(file: string, spec: LineFileSpec, handle: RecordHandler<string[]>): FileRequest {
    return this.lines(file, 'utf-8', spec, (reader) => new CsvRecords(reader, handle, spec));
  }

  /** A UTF-8 file read whole (a JSON side file); `handle` gets its text once it is complete. */
  whole(file: string, required: boolean, handle: (text: string, tally: FileTally) => void): FileRequest {
    return {
      file,
      required,
      open: () => {
        const tally = this.collector.file(file, 'utf-8');
        return new WholeText(tally, handle);
      },
    };
  }

  private lines(
    file: string,
    policy: EncodingPolicy,
    spec: LineFileSpec,
    sink: (reader: RecordReader) => DelimitedRecords | CsvRecords,
  ): FileRequest {
    return {
      file,
      required: spec.required,
      open: () => {
        const tally = this.collector.file(file, policy === 'utf-8' ? 'utf-8' : 'ascii', spec.strict);
        return new LineSplitter(policy, sink(new RecordReader(tally, spec.columns)));
      },
    };
  }
}

/** Collects a small file's content, then decodes it as UTF-8 and hands it on. */
class WholeText implements ContentConsumer {
  private chunks: Uint8Array[] = [];
  private content: string | null = null;

  constructor(
    private readonly tally: FileTally,
    private readonly handle: (text: string, tally: FileTally) => void,
  ) {}

  bytes(chunk: Uint8Array): void {
    this.chunks.push(new Uint8Array(chunk));
  }

  text(content: string): void {
    this.content = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
    this.tally.report.encoding = 'text';
  }

  end(): void {
    const text = this.content ?? decodeUtf8(concat(...this.chunks));
    this.chunks = [];
    if (text === null) {
      this.tally.fail('encoding', { line: 0, field: '*', expected: 'UTF-8 text', found: 'invalid UTF-8' });
    }
    for (const line of text.split('\n')) if (!isBlank(line)) this.tally.report.lines++;
    this.handle(text, this.tally);
  }
}

/** What every format reader returns: the parts of a data set before the IMDb join and final sorting. */
export interface DatasetParts {
  movies: IdCatalog<Movie>;
  users: User[];
  ratings: RatingTable;
  genres: string[];
  ratingScale: RatingScale;
  /** The file the movies came from, for messages. */
  movieFile: string;
}
