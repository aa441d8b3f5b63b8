/**
 * tfjs backends: names, loaders (literal dynamic imports, so bundlers split them) and {@link useBackend}.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { BackendError, ConfigError } from '../errors';
import { loadTensorflowBackend } from '../platform/node-backends';
import { installChainedOps } from './chained-ops';
import { installKernelOverrides } from './kernels';

/** The tfjs backends reelrec knows how to start. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'tensorflow';

/**
 * Every {@link BackendName}, in reelrec's order of preference for training speed.
 *
 * @example
 * ```ts
 * import { BACKEND_NAMES } from 'reelrec';
 * console.log(BACKEND_NAMES.join(' > ')); // tensorflow > webgpu > webgl > wasm > cpu
 * ```
 */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * The npm package that provides each backend.
 *
 * @example
 * ```ts
 * import { BACKEND_PACKAGES } from 'reelrec';
 * console.log(BACKEND_PACKAGES.webgpu); // @tensorflow/tfjs-backend-webgpu
 * ```
 */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** Options of {@link useBackend}. */
export interface BackendOptions {
  /**
   * Where the wasm backend fetches its `.wasm` binaries in a browser (a URL prefix ending in `/`, or a map of
   * file name to URL). In Node the binaries are read from the installed package and this is not needed.
   */
  wasmPaths?: string | Record<string, string>;
}

// Literal import() calls so bundlers see each optional package and can split it out.
const LOADERS: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  tensorflow: loadTensorflowBackend,
};

/**
 * The backends tried when none is named: in Node `wasm` (fast, with reelrec's kernels) then `cpu`; in a
 * browser `webgl`, `wasm`, `cpu`.
 *
 * @example
 * ```ts
 * import { defaultBackends } from 'reelrec';
 * console.log(defaultBackends()); // ['wasm', 'cpu'] in Node
 * ```
 */
export function defaultBackends(): BackendName[] {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  return isNode ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
}

let prepared = false;

/** One-time fixes to the tfjs engine that every backend needs (idempotent). */
function prepareEngine(): void {
  if (prepared) return;
  prepared = true;
  installChainedOps();
  // tfjs-core's Node build registers no gradients; loading tfjs-layers registers them all. Reading a value from
  // it keeps the import from being dropped by a bundler, so any model (not only tfjs-layers ones) can train.
  if (!tfl.version_layers) throw new Error('@tensorflow/tfjs-layers did not load');
}

function isBackendName(name: unknown): name is BackendName {
  return typeof name === 'string' && (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Starts a tfjs backend and makes it the current one. With a list, the first that starts wins; if none starts,
 * the {@link BackendError} lists every backend tried and why it failed. A backend whose package is not
 * installed fails with the install command in its reason.
 *
 * The tfjs backend is process-wide (tfjs has one engine per process): two recommenders in one process share it.
 *
 * @returns the name of the backend now in use.
 * @example
 * ```ts
 * import { useBackend } from 'reelrec';
 * const name = await useBackend(['webgpu', 'wasm', 'cpu']);
 * console.log(`training on ${name}`);
 * ```
 */
export async function useBackend(
  backend: BackendName | readonly BackendName[] = defaultBackends(),
  options: BackendOptions = {},
): Promise<BackendName> {
  const names = typeof backend === 'string' ? [backend] : [...backend];
  if (names.length === 0) throw new ConfigError('backend', 'a backend name or a non-empty list', backend);
  for (const name of names) {
    if (!isBackendName(name)) throw new ConfigError('backend', `one of ${BACKEND_NAMES.join(', ')}`, name);
  }
  prepareEngine();
  const failures: Array<{ backend: string; reason: string }> = [];
  for (const name of names) {
    try {
      await startBackend(name, options);
      return name;
    } catch (err) {
      failures.push({ backend: name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const detail = failures.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  throw new BackendError(`no tfjs backend could be started (${detail})`, failures);
}

async function startBackend(name: BackendName, options: BackendOptions): Promise<void> {
  if (tf.getBackend() === name && tf.findBackend(name)) {
    installKernelOverrides(name);
    return;
  }
  if (!tf.findBackendFactory(name)) {
    let mod: unknown;
    try {
      mod = await LOADERS[name]();
    } catch (err) {
      const pkg = BACKEND_PACKAGES[name];
      const missing =
        err instanceof Error &&
        /Cannot find (module|package)|(Failed to|Could not) resolve|not found/i.test(err.message);
      throw new Error(
        missing ? `package ${pkg} is not installed: run \`npm install ${pkg}\`` : describeError(err),
      );
    }
    if (name === 'wasm' && options.wasmPaths !== undefined) {
      const setWasmPaths = (mod as { setWasmPaths?: (p: unknown) => void }).setWasmPaths;
      setWasmPaths?.(options.wasmPaths);
    }
  }
  if (!tf.findBackendFactory(name))
    throw new Error(`importing ${BACKEND_PACKAGES[name]} did not register a backend`);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new Error(describeError(err));
  }
  if (!ok)
    throw new Error(
      `tf.setBackend('${name}') returned false: the backend failed to initialise on this platform`,
    );
  quietNodeBanner(name);
  installKernelOverrides(name);
}

/** The cpu backend prints a "use tfjs-node" banner on its first tensor in Node; reelrec keeps the console clean. */
function quietNodeBanner(name: BackendName): void {
  const instance = tf.findBackend(name) as { firstUse?: boolean } | null;
  if (instance && 'firstUse' in instance) instance.firstUse = false;
  if (name === 'wasm') {
    // The wasm backend delegates some kernels to cpu code; keep that instance quiet as well.
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
