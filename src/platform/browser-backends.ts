/**
 * Browser stand-in for `./node-backends`: the native `tensorflow` backend exists only in Node.
 *
 * @module
 */

/** Always fails: `@tensorflow/tfjs-node` runs only in Node. */
export function loadTensorflowBackend(): Promise<unknown> {
  return Promise.reject(new Error('the tensorflow backend (@tensorflow/tfjs-node) runs only in Node'));
}
