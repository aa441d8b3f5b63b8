// Helpers shared by check-package.mjs and install-size.mjs: run a command with a time limit, pack the package
// into a scratch folder, and make a scratch consumer project that installs the tarball from the npm registry.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (this file is scripts/lib/pack.mjs). */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Peers a consumer must install beside reelrec, pinned to the version the package is tested with. */
export const REQUIRED_PEERS = ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-layers@4.22.0'];

/**
 * Runs `cmd args` and resolves with its exit code and output; never rejects on a non-zero exit. The child runs
 * in its own process group, killed whole (SIGKILL) when `timeoutMs` passes.
 */
export function run(cmd, args, { cwd = ROOT, env = process.env, timeoutMs = 300_000, echo = false } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ code: 127, stdout, stderr: `${stderr}${err.message}\n`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr, timedOut });
    });
  });
}

/** A fresh scratch folder under the system temp dir; removed by `cleanup` unless REELREC_KEEP_SCRATCH is set. */
export function scratchDir(prefix) {
  return mkdtempSync(join(tmpdir(), `reelrec-${prefix}-`));
}

export function cleanup(dir) {
  if (process.env.REELREC_KEEP_SCRATCH) {
    console.log(`  (kept ${dir})`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `npm pack` into `dest`. With `build: false` the `prepack` script (a full build) is skipped: use it when dist/ was
 * just built. Returns the tarball path and npm's report (files, size, unpackedSize, entryCount).
 */
export async function pack(dest, { build = true } = {}) {
  const args = ['pack', '--json', '--pack-destination', dest];
  if (!build) args.push('--ignore-scripts');
  const r = await run('npm', args, { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`npm pack failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  // npm prints the prepack script's output before the JSON when scripts run: take the last JSON array.
  const start =
    r.stdout.lastIndexOf('\n[\n') >= 0 ? r.stdout.lastIndexOf('\n[\n') + 1 : r.stdout.indexOf('[');
  const [info] = JSON.parse(r.stdout.slice(start));
  return { tarball: join(dest, info.filename), info };
}

/** A scratch consumer project (package.json only) in `dir`. */
export function writeConsumer(dir, type = 'commonjs') {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'reelrec-consumer', version: '0.0.0', private: true, type }, null, 2)}\n`,
  );
}

/** `npm install` of `specs` into the consumer in `dir`; throws with npm's output on failure. */
export async function npmInstall(dir, specs, { timeoutMs = 600_000 } = {}) {
  const r = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    timeoutMs,
  });
  if (r.code !== 0) {
    throw new Error(
      `npm install ${specs.join(' ')} failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.stderr}${r.stdout}`,
    );
  }
  return r;
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function formatBytes(n) {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
