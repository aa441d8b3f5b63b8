/**
 * Loader of the Node-only tfjs backend. The browser build swaps this module for `./browser-backends`, so a
 * browser bundle never names `@tensorflow/tfjs-node`.
 *
 * @module
 */

/** Imports `@tensorflow/tfjs-node`, which registers the `tensorflow` backend. */
export function loadTensorflowBackend(): Promise<unknown> {
  return import('@tensorflow/tfjs-node');
}
