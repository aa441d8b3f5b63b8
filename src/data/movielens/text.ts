/**
 * Bytes to lines, universally (no Node APIs): splits on LF, drops a CR before it and a UTF-8 byte-order mark at
 * the start, decodes with the file's encoding and reports lines that cannot be text (invalid UTF-8, control
 * characters, NUL bytes) instead of passing them on. Data arrives in chunks, so a file of any size is read
 * with memory proportional to one chunk.
 *
 * @module
 */

/** How a file's bytes are decoded. */
export type EncodingPolicy =
  /** UTF-8; invalid sequences are reported line by line (ml-latest CSV files). */
  | 'utf-8'
  /**
   * Latin-1 unless the file turns out to be UTF-8 (ML-100k, ML-1M; re-encoded copies exist). The first block of
   * lines (up to 1 MiB) with a non-ASCII byte decides: UTF-8 when it is valid UTF-8, or when most of its
   * non-ASCII lines are (the others are then reported as `encoding`); Latin-1 otherwise. A later block that is
   * not valid in the chosen encoding has its bad lines reported.
   */
  | 'latin1-or-utf-8';

/** Why a line was not passed on as text. */
export type LineProblem = 'encoding' | 'binary' | 'line-too-long';

/** Receives the lines of one file, in order. */
export interface LineSink {
  /** A decoded line without its terminator; `lineNumber` is the 1-based physical line. */
  line(text: string, lineNumber: number): void;
  /** A line that is not text: `found` describes it. */
  badLine(problem: LineProblem, lineNumber: number, found: string): void;
  /** The file is done; `encoding` is the one it was read with (`'ascii'` when only ASCII bytes were seen). */
  end(encoding: string): void;
}

/** Receives the content of one file: byte chunks, or one string when the caller passed decoded text. */
export interface ContentConsumer {
  bytes(chunk: Uint8Array): void;
  text(content: string): void;
  end(): void;
}

/**
 * Bytes of an unfinished line held while waiting for its end; a line that grows past this is reported as
 * `line-too-long` and dropped (a guard against binary files without line breaks; no MovieLens line comes near).
 *
 * @example
 * ```ts
 * const tooLong = (bytes: Uint8Array) => bytes.length > MAX_LINE_BYTES;
 * ```
 */
export const MAX_LINE_BYTES = 1 << 20;

const LF = 0x0a;
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const CR = 0x0d;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_LOSSY = new TextDecoder('utf-8', { ignoreBOM: true });
/** WHATWG `latin1` is windows-1252: the same as ISO-8859-1 except printable characters in 0x80–0x9F. */
const LATIN1 = new TextDecoder('latin1');
const NON_ASCII = /[\u0080-\uffff]/;
/** C0 controls other than TAB and LF, DEL, and U+FFFD (the mark of an earlier failed decode). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const SUSPICIOUS = /[\x00-\x08\x0b-\x1f\x7f\ufffd]/;

/**
 * Splits a file's content into lines and hands them to a {@link LineSink}.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const splitter = new LineSplitter('utf-8', {
 *   line: (text) => lines.push(text),
 *   badLine: () => {},
 *   end: () => {},
 * });
 * splitter.bytes(new TextEncoder().encode('\uFEFFa,b\r\nc,d\n'));
 * splitter.end(); // lines: ['a,b', 'c,d']
 * ```
 */
export class LineSplitter implements ContentConsumer {
  /** `'ascii'` until a non-ASCII byte decides (Latin-1 or UTF-8), or `'text'` for string content. */
  private encoding: 'ascii' | 'utf-8' | 'latin1' | 'text';
  private carry: Uint8Array | null = null;
  private lineNumber = 0;
  private started = false;
  /** Inside an over-long line: bytes are dropped until its end. */
  private discarding = false;

  constructor(
    policy: EncodingPolicy,
    private readonly sink: LineSink,
  ) {
    this.encoding = policy === 'utf-8' ? 'utf-8' : 'ascii';
  }

  bytes(chunk: Uint8Array): void {
    if (this.discarding) {
      const end = chunk.indexOf(LF);
      if (end === -1) return;
      this.discarding = false;
      chunk = chunk.subarray(end + 1);
    }
    let data = this.carry ? concat(this.carry, chunk) : chunk;
    this.carry = null;
    if (!this.started) {
      if (data.length < BOM.length && BOM.subarray(0, data.length).every((b, i) => b === data[i])) {
        this.carry = new Uint8Array(data); // maybe the start of a byte-order mark: wait for more
        return;
      }
      this.started = true;
      if (BOM.every((b, i) => b === data[i])) {
        data = data.subarray(BOM.length);
        this.encoding = 'utf-8';
      }
    }
    const last = data.lastIndexOf(LF);
    if (last === -1) {
      this.keep(data);
      return;
    }
    this.decodeBlock(data.subarray(0, last));
    if (last + 1 < data.length) this.keep(data.subarray(last + 1));
  }

  text(content: string): void {
    this.started = true;
    this.encoding = 'text';
    let text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
    if (text === '') return;
    // As with bytes, a final LF ends the last line rather than starting an empty one.
    if (text.endsWith('\n')) text = text.slice(0, -1);
    this.emit(text);
  }

  end(): void {
    if (this.carry) this.decodeBlock(this.carry);
    this.carry = null;
    this.sink.end(this.encoding);
  }

  /** Keeps the bytes of an unfinished line for the next chunk (a copy: the chunk's buffer may be reused). */
  private keep(bytes: Uint8Array): void {
    if (bytes.length > MAX_LINE_BYTES) {
      this.sink.badLine('line-too-long', ++this.lineNumber, `a line of more than ${MAX_LINE_BYTES} bytes`);
      this.discarding = true;
      return;
    }
    this.carry = new Uint8Array(bytes);
  }

  /** Decodes complete lines (without the final LF); falls back to line-by-line when the block is not valid. */
  private decodeBlock(block: Uint8Array): void {
    if (this.encoding === 'latin1') {
      this.emit(LATIN1.decode(block));
      return;
    }
    let text: string;
    try {
      text = UTF8.decode(block);
    } catch {
      // The first non-ASCII block is not all UTF-8: Latin-1, unless most of its non-ASCII lines are UTF-8 (a
      // UTF-8 file with a few corrupt lines, which are then reported).
      if (this.encoding === 'ascii') this.encoding = mostlyUtf8(block) ? 'utf-8' : 'latin1';
      if (this.encoding === 'latin1') this.emit(LATIN1.decode(block));
      else this.decodeLineByLine(block);
      return;
    }
    if (this.encoding === 'ascii' && NON_ASCII.test(text)) this.encoding = 'utf-8';
    this.emit(text);
  }

  /** Decodes a block that holds invalid UTF-8 one line at a time, reporting the lines that fail. */
  private decodeLineByLine(block: Uint8Array): void {
    for (const bytes of byteLines(block)) {
      try {
        this.emit(UTF8.decode(bytes));
      } catch {
        this.sink.badLine(
          'encoding',
          ++this.lineNumber,
          `invalid UTF-8: ${UTF8_LOSSY.decode(trimCr(bytes))}`,
        );
      }
    }
  }

  /** Passes on each line of decoded text, after dropping a final CR and checking for control characters. */
  private emit(text: string): void {
    const lines = text.split('\n');
    const check = SUSPICIOUS.test(text);
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      const lineNumber = ++this.lineNumber;
      const problem = check ? describeSuspicious(line) : null;
      if (problem) this.sink.badLine(problem.problem, lineNumber, problem.found);
      else this.sink.line(line, lineNumber);
    }
  }
}

/**
 * Whether a line holds nothing but spaces, tabs or CRs.
 *
 * @example
 * ```ts
 * isBlank(' \t'); // true
 * isBlank(' x'); // false
 * ```
 */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
  }
  return true;
}

/**
 * Decodes a whole small file (a JSON side file) as UTF-8, dropping a byte-order mark.
 *
 * @returns the text, or `null` when the bytes are not valid UTF-8.
 * @example
 * ```ts
 * decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])); // 'a'
 * decodeUtf8(new Uint8Array([0xff])); // null
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    const text = UTF8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

/**
 * Concatenates byte arrays into a new one.
 *
 * @example
 * ```ts
 * concat(new Uint8Array([1]), new Uint8Array([2, 3])); // Uint8Array [1, 2, 3]
 * ```
 */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether most lines of a block that hold non-ASCII bytes are valid UTF-8. */
function mostlyUtf8(block: Uint8Array): boolean {
  let valid = 0;
  let invalid = 0;
  for (const bytes of byteLines(block)) {
    try {
      if (NON_ASCII.test(UTF8.decode(bytes))) valid++;
    } catch {
      invalid++;
    }
  }
  return valid > invalid;
}

/** The lines of a block of bytes (split on LF; the last line has no LF after it). */
function* byteLines(block: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start <= block.length; ) {
    let end = block.indexOf(LF, start);
    if (end === -1) end = block.length;
    yield block.subarray(start, end);
    start = end + 1;
  }
}

function trimCr(bytes: Uint8Array): Uint8Array {
  return bytes[bytes.length - 1] === CR ? bytes.subarray(0, -1) : bytes;
}

function describeSuspicious(line: string): { problem: LineProblem; found: string } | null {
  const match = SUSPICIOUS.exec(line);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const where = `at column ${match.index + 1} of ${JSON.stringify(line)}`;
  return code === 0xfffd
    ? { problem: 'encoding', found: `U+FFFD (a replacement character from a failed decode) ${where}` }
    : {
        problem: 'binary',
        found: `control character U+${code.toString(16).toUpperCase().padStart(4, '0')} ${where}`,
      };
}
