/**
 * Node-only small text files written atomically: the state file of a resumable hyperparameter search. The
 * browser build swaps this module for `./browser-state`, whose functions say to pass a state store instead.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The text of a file, or `null` when there is no file at `path`.
 *
 * @example
 * ```ts
 * import { readTextFile } from './platform/node-state';
 * const text = await readTextFile('./tune.json'); // null before the first trial finished
 * ```
 */
export async function readTextFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes `text` to `path` atomically: into a sibling temporary file, flushed, then renamed over `path`. A crash
 * leaves either the previous content or the new one, never a torn file.
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from './platform/node-state';
 * await writeTextFileAtomic('./tune.json', JSON.stringify({ trials: [] }));
 * ```
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
