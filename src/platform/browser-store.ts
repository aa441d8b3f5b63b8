/**
 * Browser stand-in for `./node-store`: model folders need a file system. In a browser, save and load through a
 * tfjs IO handler or URL instead (`'indexeddb://my-model'`, `'localstorage://my-model'`, an HTTP URL).
 *
 * @module
 */
import { ConfigError } from '../errors';
import type { ModelFolder } from './node-store';

/** The manifest file of a model folder. */
export const MODEL_FILE = 'model.json';

function unavailable(): never {
  throw new ConfigError(
    'model location',
    "a tfjs IO handler or URL in a browser (e.g. 'indexeddb://my-model'); folders need Node",
    'a folder path',
  );
}

/** Not available in browsers: throws a {@link ConfigError} naming the alternative. */
export async function writeModelFolder(
  _dir: string,
  _files: Record<string, Uint8Array | string>,
): Promise<void> {
  unavailable();
}

/** Not available in browsers: throws a {@link ConfigError} naming the alternative. */
export async function readModelFolder(_dir: string): Promise<ModelFolder> {
  unavailable();
}
