/**
 * Progress for long CLI steps: a bar on stderr when stderr is a terminal, nothing otherwise (so piped output and
 * `--json` stay clean).
 *
 * @module
 */
import cliProgress from 'cli-progress';

/** Reports progress of a step with a known number of units. */
export interface Progress {
  /** Starts (or restarts) a bar of `total` units with a label. */
  start(label: string, total: number): void;
  /** Moves to `done` units, with an optional short status (e.g. the loss). */
  update(done: number, status?: string): void;
  /** Ends the current bar. */
  stop(): void;
  /** A line of information (shown above the bar on a terminal; dropped when quiet). */
  note(text: string): void;
}

class TerminalProgress implements Progress {
  private bar: cliProgress.SingleBar | null = null;

  start(label: string, total: number): void {
    this.stop();
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(28).slice(0, 28)} [{bar}] {percentage}% {value}/{total} {status}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(1, total), 0, { status: '' });
  }

  update(done: number, status = ''): void {
    this.bar?.update(done, { status });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  note(text: string): void {
    if (this.bar) {
      // Print above the bar: clear its line first.
      process.stderr.write(`\r\x1b[K${text}\n`);
      this.bar.render?.();
    } else {
      process.stderr.write(`${text}\n`);
    }
  }
}

const silent: Progress = {
  start() {},
  update() {},
  stop() {},
  note() {},
};

/** A terminal progress bar on a TTY stderr, otherwise a reporter that prints nothing. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new TerminalProgress() : silent;
}
