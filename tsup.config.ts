import { resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * Three builds:
 * - the library for Node and bundlers (ESM + CJS + .d.ts),
 * - the library for browsers (ESM), where Node-only modules (file system, streams) are swapped for
 *   browser versions by `platformAlias`, so a browser bundle never loads `node:fs`,
 * - the `reelrec` CLI (ESM, Node only).
 */
const platformAlias: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'reelrec-browser-platform',
  setup(build) {
    // Every import of `…/platform/node` or `…/platform/node-<part>` is answered with the file
    // `…/platform/browser.ts` or `…/platform/browser-<part>.ts`.
    build.onResolve({ filter: /(^|\/)platform\/node(-[\w]+)?$/ }, (args) => ({
      path: resolve(args.resolveDir, `${args.path.replace(/node(-[\w]+)?$/, 'browser$1')}.ts`),
    }));
  },
};

/** The CLI imports the library through `../index`; in the build that is the sibling bundle `./index.js`. */
const libraryAsExternal: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'reelrec-cli-library',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index$/ }, () => ({ path: './index.js', external: true }));
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
  },
  {
    entry: { 'browser/index': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    treeshake: true,
    esbuildPlugins: [platformAlias],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    esbuildPlugins: [libraryAsExternal],
  },
]);
