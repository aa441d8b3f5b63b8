/**
 * Browser stand-ins for `./node`: the same names and types, each throwing a `CONFIG` {@link ReelrecError} that
 * says the function needs Node. In a browser, read the files yourself (e.g. `fetch` or a file input) and hand
 * their contents to `parseMovieLens(files)`, which runs the same parsers in memory.
 *
 * @module
 */
import { ReelrecError } from '../errors';

function needsNode(name: string): ReelrecError {
  return new ReelrecError(
    'CONFIG',
    `${name}() reads the file system and needs Node.js; in a browser, load the files yourself (fetch or a file ` +
      'input) and pass their contents to parseMovieLens(files)',
  );
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { fileExists } from './platform/browser';
 * fileExists('u.data'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function fileExists(_path: string): Promise<boolean> {
  throw needsNode('fileExists');
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { listDirectory } from './platform/browser';
 * listDirectory('./data'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function listDirectory(_path: string): Promise<string[]> {
  throw needsNode('listDirectory');
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { readFileChunks } from './platform/browser';
 * readFileChunks('ratings.csv'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function readFileChunks(
  _path: string,
  _options: { chunkBytes?: number } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  throw needsNode('readFileChunks');
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { resolvePath } from './platform/browser';
 * resolvePath('data'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function resolvePath(..._segments: string[]): string {
  throw needsNode('resolvePath');
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { relativePath } from './platform/browser';
 * relativePath('/a', '/b'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function relativePath(_from: string, _to: string): string {
  throw needsNode('relativePath');
}

/**
 * Needs Node: throws a `CONFIG` error in a browser.
 *
 * @example
 * ```ts
 * import { baseName } from './platform/browser';
 * baseName('/data/ml-100k'); // throws ReelrecError (code 'CONFIG')
 * ```
 */
export function baseName(_path: string): string {
  throw needsNode('baseName');
}
