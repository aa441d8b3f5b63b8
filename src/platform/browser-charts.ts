/**
 * Browser stand-in for `./node-charts`: the HTML reports are drawn in Node (the CLI, scripts), so a browser
 * bundle does not carry the charting package.
 *
 * @module
 */
import { ReelrecError } from '../errors';

/** Always fails with a `CONFIG` {@link ReelrecError}: HTML reports are drawn in Node. */
export function loadVega(): Promise<typeof import('vega')> {
  return Promise.reject(
    new ReelrecError(
      'CONFIG',
      'resultToHtml() draws its charts with the optional package "vega" in Node.js, not in a browser: write the report from Node (or the reelrec CLI) and open the file',
    ),
  );
}
