/**
 * Browser stand-in for `./node-state`: a search's `statePath` needs a file system. In a browser, pass a
 * `stateStore` (e.g. one backed by `localStorage`) instead.
 *
 * @module
 */
import { ConfigError } from '../errors';

function unavailable(): never {
  throw new ConfigError(
    'statePath',
    'a stateStore in a browser (e.g. { read: async () => localStorage.getItem(key), write: async (t) => localStorage.setItem(key, t) }); files need Node',
    'a file path',
  );
}

/**
 * Not available in browsers: throws a {@link ConfigError} naming the alternative.
 *
 * @example
 * ```ts
 * import { readTextFile } from './platform/browser-state';
 * await readTextFile('tune.json'); // throws ConfigError
 * ```
 */
export async function readTextFile(_path: string): Promise<string | null> {
  unavailable();
}

/**
 * Not available in browsers: throws a {@link ConfigError} naming the alternative.
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from './platform/browser-state';
 * await writeTextFileAtomic('tune.json', '{}'); // throws ConfigError
 * ```
 */
export async function writeTextFileAtomic(_path: string, _text: string): Promise<void> {
  unavailable();
}
