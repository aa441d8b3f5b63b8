#!/usr/bin/env node
// Runs every examples/*.ts in name order with tsx (`node --import tsx`), one at a time, each with a time limit,
// and prints one line per example. Exits 1 when any example fails or times out.
//
//   npm run examples                    # all of them
//   npm run examples -- quickstart      # only the examples whose file name contains one of the arguments
//
// An example that cannot run here (e.g. it needs MovieLens and REELREC_DATA is unset) skips itself: it prints a
// line starting with `SKIP:` and the reason, and exits 0. It is then reported as skipped, not passed.
// Environment: REELREC_EXAMPLE_TIMEOUT_S (default 300) is the limit per example; REELREC_EXAMPLES_VERBOSE=1
// prints every example's output (otherwise only a failing example's output is shown).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'examples');
const timeoutS = Number(process.env.REELREC_EXAMPLE_TIMEOUT_S ?? 300);
const verbose = Boolean(process.env.REELREC_EXAMPLES_VERBOSE);
const filters = process.argv.slice(2);

if (!existsSync(DIR)) {
  console.log('run-examples: no examples/ folder: nothing to run');
  process.exit(0);
}
const files = readdirSync(DIR)
  .filter((f) => /\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.log(
    `run-examples: no example matches${filters.length ? ` ${filters.join(', ')}` : ''} in examples/`,
  );
  process.exit(filters.length ? 1 : 0);
}

function runExample(file) {
  return new Promise((done) => {
    const started = performance.now();
    // Own process group, so a timeout kills the example and anything it started.
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', file)], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? 1, signal, timedOut, output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

let passed = 0;
let skipped = 0;
const failed = [];
console.log(`run-examples: ${files.length} example(s), at most ${timeoutS} s each`);
for (const file of files) {
  const r = await runExample(file);
  const time = `${r.seconds.toFixed(1)} s`;
  const skip = r.output.match(/^SKIP:\s*(.*)$/m);
  if (r.code === 0 && !r.timedOut && skip) {
    skipped++;
    console.log(`  skip  examples/${file} (${time}): ${skip[1]}`);
  } else if (r.code === 0 && !r.timedOut) {
    passed++;
    console.log(`  ok    examples/${file} (${time})`);
  } else {
    failed.push(file);
    const why = r.timedOut
      ? `timed out after ${timeoutS} s`
      : r.signal
        ? `killed by ${r.signal}`
        : `exit ${r.code}`;
    console.log(`  FAIL  examples/${file} (${time}): ${why}`);
    console.log(indent(r.output.split('\n').slice(-40).join('\n')));
    continue;
  }
  if (verbose && r.output.trim()) console.log(indent(r.output));
}
// Deliberately not the `N passed, N failed` form: .ci/run's last line (the test count) is the one CI reads.
console.log(`run-examples: ${passed} ok, ${failed.length} failed, ${skipped} skipped`);
process.exit(failed.length ? 1 : 0);
