#!/usr/bin/env node
// What installing reelrec costs a user: packs the package, then installs the tarball with its required peers
// (@tensorflow/tfjs-core, @tensorflow/tfjs-layers) into two scratch consumer projects, (a) without and (b) with
// the optional `natural`, and reports the size of node_modules (bytes of file contents, as `du -sb`), the number
// of packages, and whether database drivers (mongoose, pg, redis, memjs) came along.
//
//   npm run size                      # builds (npm pack runs `prepack`), then measures
//   node scripts/install-size.mjs --no-build --json
//
// Needs the npm registry; not part of CI.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
const asJson = process.argv.includes('--json');
const DRIVERS = ['mongoose', 'pg', 'redis', 'memjs'];

/** Bytes of every file under `dir` (symlinks counted by their own size, as `du -sb` does), and the files. */
function diskUsage(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        bytes += lstatSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** Every installed package folder (node_modules/<name> or node_modules/@scope/<name>, at any depth). */
function packages(nodeModules) {
  const found = [];
  const visit = (nm) => {
    if (!existsSync(nm)) return;
    for (const entry of readdirSync(nm, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? readdirSync(join(nm, entry.name), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(nm, entry.name, e.name))
        : [join(nm, entry.name)];
      for (const dir of dirs) {
        if (!existsSync(join(dir, 'package.json'))) continue;
        found.push({ dir, name: readJson(join(dir, 'package.json')).name });
        visit(join(dir, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return found;
}

async function measure(label, tarball, extra) {
  const dir = scratchDir('size');
  try {
    writeConsumer(dir);
    const specs = [tarball, ...REQUIRED_PEERS, ...extra];
    const started = performance.now();
    await npmInstall(dir, specs);
    const seconds = (performance.now() - started) / 1000;
    const nm = join(dir, 'node_modules');
    const { bytes, files } = diskUsage(nm);
    const du = await run('du', ['-sb', nm]);
    const duBytes = du.code === 0 ? Number(du.stdout.split(/\s/)[0]) : null;
    const pkgs = packages(nm);
    const names = new Set(pkgs.map((p) => p.name));
    const drivers = Object.fromEntries(DRIVERS.map((d) => [d, names.has(d)]));
    // The largest packages, by their own folder (nested node_modules excluded from the parent).
    const sizes = pkgs
      .map((p) => {
        let own = 0;
        const walk = (d) => {
          for (const e of readdirSync(d, { withFileTypes: true })) {
            const q = join(d, e.name);
            if (e.isDirectory()) {
              if (e.name !== 'node_modules') walk(q);
            } else own += lstatSync(q).size;
          }
        };
        walk(p.dir);
        return { name: p.name, bytes: own };
      })
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 8);
    return {
      label,
      install: specs.map((s) => (s === tarball ? 'reelrec (tarball)' : s)),
      duBytes: duBytes ?? bytes,
      files,
      packages: pkgs.length,
      distinctPackages: names.size,
      drivers,
      largest: sizes,
      installSeconds: Number(seconds.toFixed(1)),
    };
  } finally {
    cleanup(dir);
  }
}

const packDir = scratchDir('size-pack');
try {
  const { tarball, info } = await pack(packDir, { build });
  const results = [
    await measure('(a) reelrec + tfjs-core + tfjs-layers', tarball, []),
    await measure('(b) (a) + natural', tarball, ['natural']),
  ];
  if (asJson) {
    console.log(
      JSON.stringify(
        { tarball: { bytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount }, results },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `tarball: ${formatBytes(info.size)} (${info.entryCount} files, ${formatBytes(info.unpackedSize)} unpacked)`,
    );
    for (const r of results) {
      const mb = (r.duBytes / 1e6).toFixed(1);
      console.log(`${r.label}`);
      console.log(`  npm install ${r.install.join(' ')}`);
      console.log(
        `  node_modules: ${mb} MB (${formatBytes(r.duBytes)}, du -sb), ${r.files} files, ${r.packages} packages`,
      );
      console.log(
        `  database drivers: ${DRIVERS.map((d) => `${d} ${r.drivers[d] ? 'PRESENT' : 'absent'}`).join(', ')}`,
      );
      console.log(`  largest: ${r.largest.map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ')}`);
    }
  }
} finally {
  cleanup(packDir);
}
