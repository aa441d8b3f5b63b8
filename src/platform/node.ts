/**
 * Node-only primitives: file-system access for the loaders. Everything here is small and does no parsing; the
 * parsers (`src/data/movielens/*`) are universal and receive bytes from these functions. The browser build
 * swaps this module for `./browser`, which exports the same names with the same types.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { DataMissingError } from '../errors';

/** Bytes read per chunk by {@link readFileChunks} unless told otherwise (1 MiB). */
const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Whether `path` names an existing regular file (a directory or a broken link gives `false`).
 *
 * @example
 * ```ts
 * import { fileExists } from './platform/node';
 * if (await fileExists('./data/ml-100k/u.data')) console.log('ML-100k ratings found');
 * ```
 */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The names of the entries of a directory, sorted.
 *
 * @throws {@link DataMissingError} when `path` does not exist or is not a directory.
 * @example
 * ```ts
 * import { listDirectory } from './platform/node';
 * const names = await listDirectory('./data/ml-100k'); // ['README', 'u.data', 'u.genre', …]
 * ```
 */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOTDIR'
        ? 'is not a directory'
        : code === 'ENOENT'
          ? 'does not exist'
          : `cannot be read (${code})`;
    throw new DataMissingError(`data directory "${path}" ${what}`, path, { cause: err });
  }
}

/**
 * Streams a file as byte chunks (1 MiB each by default), so memory stays proportional to one chunk whatever
 * the file's size. The readers split and decode the chunks themselves (universally), so the same code reads
 * bytes handed over in memory.
 *
 * @example
 * ```ts
 * import { readFileChunks } from './platform/node';
 * let bytes = 0;
 * for await (const chunk of readFileChunks('./data/ml-25m/ratings.csv')) bytes += chunk.length;
 * ```
 */
export async function* readFileChunks(
  path: string,
  options: { chunkBytes?: number } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  for await (const chunk of stream) yield chunk as Uint8Array;
}

/**
 * Resolves a path against the working directory (or, when several are given, right to left like
 * `path.resolve`).
 *
 * @example
 * ```ts
 * import { resolvePath } from './platform/node';
 * resolvePath('/data/ml-100k', '../ml-100k-imdb-details'); // '/data/ml-100k-imdb-details'
 * ```
 */
export function resolvePath(...segments: string[]): string {
  return resolve(...segments);
}

/**
 * The relative path from directory `from` to `to`.
 *
 * @example
 * ```ts
 * import { relativePath } from './platform/node';
 * relativePath('/data/ml-100k', '/data/extra/details.json'); // '../extra/details.json'
 * ```
 */
export function relativePath(from: string, to: string): string {
  return relative(from, to);
}

/**
 * The last segment of a path.
 *
 * @example
 * ```ts
 * import { baseName } from './platform/node';
 * baseName('/data/ml-100k'); // 'ml-100k'
 * ```
 */
export function baseName(path: string): string {
  return basename(path);
}
