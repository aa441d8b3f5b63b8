/**
 * Loader of the optional charting package of the HTML reports (`vega`, which renders SVG in Node without a DOM
 * or canvas). The browser build swaps this module for `./browser-charts`, so a browser bundle never names it.
 *
 * @module
 */

/** Imports `vega` (an optional peer dependency). */
export function loadVega(): Promise<typeof import('vega')> {
  return import('vega');
}
