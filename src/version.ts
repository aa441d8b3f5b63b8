/**
 * The reelrec version (kept equal to package.json's by a test).
 *
 * @example
 * ```ts
 * import { VERSION } from 'reelrec';
 * console.log(VERSION); // e.g. '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
