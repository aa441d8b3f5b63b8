/**
 * Demographic buckets: age bands and zip-code regions.
 *
 * @module
 */

/**
 * The age bands of MovieLens 1M (whose `age` field holds the band's lower bound: 1, 18, 25, 35, 45, 50, 56).
 *
 * @example
 * ```ts
 * import { AGE_BANDS } from 'reelrec';
 * console.log(AGE_BANDS.length); // 7
 * ```
 */
export const AGE_BANDS = Object.freeze(['<18', '18-24', '25-34', '35-44', '45-49', '50-55', '56+'] as const);

/**
 * One of {@link AGE_BANDS}.
 *
 * @example
 * ```ts
 * import type { AgeBand } from 'reelrec';
 * const band: AgeBand = '25-34';
 * ```
 */
export type AgeBand = (typeof AGE_BANDS)[number];

const LOWER_BOUNDS = [18, 25, 35, 45, 50, 56];

/**
 * The age band of an age in years (ML-100k) or of an ML-1M age code (the band's lower bound, 1 for under 18),
 * or `null` for a missing or invalid age (not a finite number ≥ 0).
 *
 * @example
 * ```ts
 * import { ageBand } from 'reelrec';
 * console.log(ageBand(17), ageBand(18), ageBand(49), ageBand(50), ageBand(73), ageBand(null)); // '<18' '18-24' '45-49' '50-55' '56+' null
 * ```
 */
export function ageBand(age: number | null | undefined): AgeBand | null {
  if (typeof age !== 'number' || !Number.isFinite(age) || age < 0) return null;
  let i = 0;
  while (i < LOWER_BOUNDS.length && age >= LOWER_BOUNDS[i]!) i++;
  return AGE_BANDS[i]!;
}

/**
 * The regions a zip code falls in: the ten first digits of a US zip code (`'0'` New England … `'9'` the West
 * Coast), `'other'` for a code that does not start with a digit (e.g. a Canadian postal code).
 *
 * @example
 * ```ts
 * import { ZIP_REGIONS } from 'reelrec';
 * console.log(ZIP_REGIONS.length); // 11
 * ```
 */
export const ZIP_REGIONS = Object.freeze([
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  'other',
] as const);

/**
 * One of {@link ZIP_REGIONS}.
 *
 * @example
 * ```ts
 * import type { ZipRegion } from 'reelrec';
 * const region: ZipRegion = '9';
 * ```
 */
export type ZipRegion = (typeof ZIP_REGIONS)[number];

/**
 * The region of a zip code: its first digit (US zip codes), `'other'` when it starts with anything else, or
 * `null` when it is missing or blank.
 *
 * @example
 * ```ts
 * import { zipRegion } from 'reelrec';
 * console.log(zipRegion('94043'), zipRegion('T8H1N'), zipRegion(''), zipRegion(null)); // '9' 'other' null null
 * ```
 */
export function zipRegion(zip: string | null | undefined): ZipRegion | null {
  if (typeof zip !== 'string') return null;
  const z = zip.trim();
  if (z.length === 0) return null;
  const c = z[0]!;
  return c >= '0' && c <= '9' ? (c as ZipRegion) : 'other';
}
