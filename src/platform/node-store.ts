/**
 * Node-only model folders: atomic writes and safe reads. The browser build swaps this module for
 * `./browser-store`, whose functions explain that a browser saves through a tfjs IO handler instead.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { ConfigError, DataMissingError, ModelFormatError } from '../errors';

/** The manifest file of a model folder. */
export const MODEL_FILE = 'model.json';

/**
 * Writes `files` into the folder `dir` atomically: everything is written and flushed into a new sibling folder,
 * which then replaces `dir` by renames. A crash at any point leaves either the previous model or the new one
 * loadable (see {@link readModelFolder}). Refuses to replace a non-empty folder that holds no model.
 */
export async function writeModelFolder(
  dir: string,
  files: Record<string, Uint8Array | string>,
): Promise<void> {
  const target = resolve(dir);
  const existing = await statOrNull(target);
  if (existing && !existing.isDirectory()) {
    throw new ConfigError('save target', 'a folder path (or a tfjs IO handler)', `${dir} (a file)`);
  }
  if (existing) {
    const names = await readdir(target);
    if (names.length > 0 && !names.includes(MODEL_FILE)) {
      throw new ConfigError(
        'save target',
        `an empty folder or a reelrec model folder (no ${MODEL_FILE} in it)`,
        dir,
      );
    }
  }
  await mkdir(dirname(target), { recursive: true });
  // Time first, so leftovers of interrupted saves sort oldest to newest (readModelFolder takes the last).
  const tag = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = `${target}.tmp-${tag}`;
  await mkdir(temp);
  try {
    for (const [name, content] of Object.entries(files)) {
      const handle = await open(join(temp, name), 'w');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    if (existing) {
      const old = `${target}.old-${tag}`;
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

/** A model folder opened for reading. */
export interface ModelFolder {
  /** The folder actually read (a leftover of an interrupted save when the folder itself was missing). */
  path: string;
  /** The parsed `model.json`. */
  manifest: unknown;
  /** Reads weight files named by the manifest; each path must stay inside the folder. */
  readWeights(paths: readonly string[]): Promise<ArrayBuffer>;
}

/**
 * Opens a model folder. When `dir` is missing but an interrupted save left `dir.old-*` behind, that folder is read.
 */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  let path = resolve(dir);
  if (!(await statOrNull(path))) {
    const parent = dirname(path);
    const prefix = `${basename(path)}.old-`;
    const leftovers = (await readdir(parent).catch(() => [] as string[]))
      .filter((n) => n.startsWith(prefix))
      .sort();
    if (leftovers.length === 0) throw new DataMissingError(`model folder "${dir}" does not exist`, dir);
    path = join(parent, leftovers[leftovers.length - 1]!);
  }
  let text: string;
  try {
    text = await readFile(join(path, MODEL_FILE), 'utf8');
  } catch (err) {
    throw new DataMissingError(`"${dir}" holds no ${MODEL_FILE}: not a reelrec model folder`, dir, {
      cause: err,
    });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`${join(dir, MODEL_FILE)} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    path,
    manifest,
    async readWeights(paths) {
      const parts: Uint8Array[] = [];
      for (const p of paths) parts.push(await readFile(insideFolder(path, p)));
      const total = parts.reduce((n, b) => n + b.byteLength, 0);
      const out = new Uint8Array(total);
      let offset = 0;
      for (const b of parts) {
        out.set(b, offset);
        offset += b.byteLength;
      }
      return out.buffer;
    },
  };
}

/** Resolves a manifest path inside `folder`, refusing absolute paths and any that climb out. */
function insideFolder(folder: string, path: string): string {
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.includes('\0')) {
    throw new ModelFormatError(
      `weight path ${JSON.stringify(path)} is not a relative path inside the model folder`,
    );
  }
  const full = resolve(folder, normalize(path));
  if (!full.startsWith(folder + sep)) {
    throw new ModelFormatError(`weight path ${JSON.stringify(path)} points outside the model folder`);
  }
  return full;
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
