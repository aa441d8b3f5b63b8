#!/usr/bin/env node
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
// Checks the package as a user gets it: packs it, inspects the tarball, installs it from the tarball into a
// scratch consumer project (with the required tfjs peers from the npm registry) and uses it from ESM, from CJS
// and through the `reelrec` bin.
//
//   node scripts/check-package.mjs            # builds (npm pack runs `prepack`), then checks
//   node scripts/check-package.mjs --no-build # dist/ is fresh: skip the build
//
// Exits 1 when a check fails (every failure is listed), 0 otherwise. REELREC_KEEP_SCRATCH=1 keeps the scratch
// folders for a look afterwards.
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import {
  cleanup,
  formatBytes,
  npmInstall,
  pack,
  REQUIRED_PEERS,
  readJson,
  run,
  scratchDir,
  writeConsumer,
} from './lib/pack.mjs';

const build = !process.argv.includes('--no-build');
const failures = [];
const ok = (msg) => console.log(`  ok    ${msg}`);
const fail = (msg) => {
  failures.push(msg);
  console.log(`  FAIL  ${msg}`);
};
const warn = (msg) => console.log(`  warn  ${msg}`);

// Files that must never ship: MovieLens and IMDb data (their licences forbid redistribution).
const DATA_FILE =
  /(^|\/)(u\.(data|item|user|genre|occupation|info)|u[1-5]\.(base|test)|u[ab]\.(base|test)|(ratings|movies|users|tags|links)\.(csv|dat)|genome-(scores|tags)\.csv|movielens100k_details\.json)$/i;
// Besides dist/, only what npm puts in every package.
const ALWAYS_INCLUDED = /^(package\.json|README(\.md)?|LICEN[CS]E(\.md|\.txt)?|CHANGELOG\.md)$/i;
const REQUIRED_FILES = [
  'package.json',
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/browser/index.js',
  'dist/cli.js',
];

/** Every module specifier a bundle imports: static `import … from`, `export … from`, `import()` and `require()`. */
function importedSpecifiers(code) {
  const specs = new Set();
  const patterns = [
    /^\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.add(m[1]);
  return [...specs].sort();
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isNodeOnly = (spec) =>
  spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]);

const ESM_CHECK = `import { createRecommender, generateSyntheticCatalog, VERSION } from 'reelrec';
const data = generateSyntheticCatalog({ seed: 1, users: 30, movies: 60, ratingsPerUser: 20, content: false });
const rec = await createRecommender({
  backend: 'cpu',
  seed: 1,
  model: { hiddenSize: 8, embeddingSize: 8 },
  training: { epochs: 1, validation: 'none' },
});
try {
  await rec.fit(data);
  const top = await rec.recommend(data.users[0].id, { k: 3 });
  if (top.length !== 3) throw new Error(\`expected 3 recommendations, got \${top.length}\`);
  console.log(JSON.stringify({ module: 'esm', version: VERSION, top: top.map((r) => r.movieId) }));
} finally {
  rec.dispose();
}
`;

const CJS_CHECK = `const { createRecommender, generateSyntheticCatalog, VERSION } = require('reelrec');
(async () => {
  const data = generateSyntheticCatalog({ seed: 2, users: 30, movies: 60, ratingsPerUser: 20, content: false });
  const rec = await createRecommender({
    backend: 'cpu',
    seed: 2,
    model: { hiddenSize: 8, embeddingSize: 8 },
    training: { epochs: 1, validation: 'none' },
  });
  try {
    await rec.fit(data);
    const top = await rec.recommend(data.users[0].id, { k: 3 });
    if (top.length !== 3) throw new Error(\`expected 3 recommendations, got \${top.length}\`);
    console.log(JSON.stringify({ module: 'cjs', version: VERSION, top: top.map((r) => r.movieId) }));
  } finally {
    rec.dispose();
  }
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;

// Writes a tiny ML-100k-format folder with the package's own writer (Latin-1, as ML-100k is).
const WRITE_DATA = `const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { formatMovieLens100k, generateSyntheticCatalog } = require('reelrec');
const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const data = generateSyntheticCatalog({ seed: 3, users: 25, movies: 40, ratingsPerUser: 20 });
for (const [name, text] of Object.entries(formatMovieLens100k(data))) writeFileSync(join(dir, name), text, 'latin1');
console.log(JSON.stringify({ users: data.users.length, movies: data.movies.length, ratings: data.ratings.length }));
`;

async function main() {
  const packDir = scratchDir('pack');
  const consumer = scratchDir('consumer');
  try {
    console.log(`== pack${build ? ' (with prepack build)' : ''}`);
    const { tarball, info } = await pack(packDir, { build });
    const paths = info.files.map((f) => f.path).sort();
    console.log(
      `  ${basename(tarball)}: ${formatBytes(info.size)} packed, ${formatBytes(info.unpackedSize)} unpacked, ${info.entryCount} files`,
    );

    console.log('== tarball contents');
    const data = paths.filter((p) => DATA_FILE.test(p));
    if (data.length) fail(`MovieLens / IMDb data in the tarball: ${data.join(', ')}`);
    else ok('no MovieLens / IMDb data files');
    const stray = paths.filter((p) => !p.startsWith('dist/') && !ALWAYS_INCLUDED.test(p));
    if (stray.length) fail(`files outside dist/ and npm's always-included files: ${stray.join(', ')}`);
    else ok(`only dist/ and ${paths.filter((p) => !p.startsWith('dist/')).join(', ')}`);
    const missing = REQUIRED_FILES.filter((p) => !paths.includes(p));
    if (missing.length) fail(`missing from the tarball: ${missing.join(', ')}`);
    else ok('dist/ has the ESM, CJS, types, browser and CLI builds');
    for (const f of ['README.md', 'LICENSE']) {
      if (!paths.some((p) => p.toUpperCase().startsWith(f.split('.')[0]))) warn(`no ${f} in the tarball`);
    }

    console.log('== consumer project (npm install from the tarball)');
    writeConsumer(consumer);
    await npmInstall(consumer, [tarball, ...REQUIRED_PEERS]);
    const installed = readJson(join(consumer, 'node_modules', 'reelrec', 'package.json'));
    ok(`installed reelrec ${installed.version} with ${REQUIRED_PEERS.join(', ')}`);

    console.log('== browser build imports');
    const browser = readFileSync(
      join(consumer, 'node_modules', 'reelrec', 'dist', 'browser', 'index.js'),
      'utf8',
    );
    const specs = importedSpecifiers(browser);
    const nodeOnly = specs.filter(isNodeOnly);
    if (nodeOnly.length) fail(`dist/browser/index.js imports Node-only modules: ${nodeOnly.join(', ')}`);
    else ok(`dist/browser/index.js imports no Node built-in (imports: ${specs.join(', ')})`);
    // Not a failure (a literal dynamic import that the backend list can avoid), but bundlers try to resolve it.
    const nodePackages = specs.filter(
      (s) => s === '@tensorflow/tfjs-node' || s.startsWith('@tensorflow/tfjs-node/'),
    );
    if (nodePackages.length)
      warn(`dist/browser/index.js names the Node-only package ${nodePackages.join(', ')}`);

    console.log('== ESM import');
    writeFileSync(join(consumer, 'esm-check.mjs'), ESM_CHECK);
    await expectRun('node esm-check.mjs', 'node', ['esm-check.mjs'], consumer, /"module":"esm"/);

    console.log('== CJS require');
    writeFileSync(join(consumer, 'cjs-check.cjs'), CJS_CHECK);
    await expectRun('node cjs-check.cjs', 'node', ['cjs-check.cjs'], consumer, /"module":"cjs"/);

    console.log('== reelrec bin');
    await expectRun(
      'npx reelrec --help',
      'npx',
      ['--no-install', 'reelrec', '--help'],
      consumer,
      /Usage: reelrec/,
    );
    const dataDir = join(consumer, 'ml-100k-tiny');
    mkdirSync(dataDir);
    writeFileSync(join(consumer, 'write-data.cjs'), WRITE_DATA);
    const written = await expectRun(
      'write a tiny ML-100k folder',
      'node',
      ['write-data.cjs', dataDir],
      consumer,
      /"ratings":/,
    );
    const info100k = await expectRun(
      'npx reelrec info --json --data <tiny ML-100k>',
      'npx',
      ['--no-install', 'reelrec', 'info', '--json', '--data', dataDir],
      consumer,
      /"format": "ml-100k"/,
    );
    if (written && info100k) {
      const want = JSON.parse(written.trim().split('\n').pop());
      const got = JSON.parse(info100k);
      if (got.ratings === want.ratings && got.movies === want.movies) {
        ok(`reelrec info read back ${got.ratings} ratings, ${got.movies} movies, ${got.users} users`);
      } else {
        fail(
          `reelrec info read ${got.ratings} ratings / ${got.movies} movies, wrote ${want.ratings} / ${want.movies}`,
        );
      }
    }

    console.log(`== package: ${formatBytes(info.size)} tarball, ${info.entryCount} files`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    cleanup(packDir);
    cleanup(consumer);
  }
  if (failures.length) {
    console.log(`check-package: ${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('check-package: all checks passed');
}

/** Runs a command in the consumer; records a failure unless it exits 0 with output matching `expect`. */
async function expectRun(label, cmd, args, cwd, expect) {
  const r = await run(cmd, args, { cwd, timeoutMs: 180_000 });
  if (r.code === 0 && expect.test(r.stdout)) {
    const firstLine = r.stdout.trim().split('\n')[0];
    ok(`${label}: ${firstLine.length > 100 ? `${firstLine.slice(0, 100)}…` : firstLine}`);
    return r.stdout;
  }
  fail(`${label}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}`);
  const out = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-20).join('\n      ');
  if (out) console.log(`      ${out}`);
  return null;
}

await main();
