/**
 * reelrec: movie recommendation with recurrent neural networks on TensorFlow.js.
 *
 * @packageDocumentation
 */

export * from './data/split';
export * from './data/types';
export * from './errors';
export * from './recommend/types';
export { Rng } from './util/random';
