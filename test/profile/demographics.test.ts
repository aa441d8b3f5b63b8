import { describe, expect, it } from 'vitest';
import { AGE_BANDS, ageBand, ZIP_REGIONS, zipRegion } from '../../src/profile/demographics';

describe('ageBand', () => {
  it('maps ages in years to the ML-1M bands, boundaries included', () => {
    expect([0, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 73].map(ageBand)).toEqual([
      '<18',
      '<18',
      '18-24',
      '18-24',
      '25-34',
      '25-34',
      '35-44',
      '35-44',
      '45-49',
      '45-49',
      '50-55',
      '50-55',
      '56+',
      '56+',
    ]);
    expect(ageBand(24.9)).toBe('18-24');
  });

  it('maps ML-1M age codes (lower bounds, 1 for under 18) to their own band', () => {
    expect([1, 18, 25, 35, 45, 50, 56].map(ageBand)).toEqual([...AGE_BANDS]);
  });

  it('gives null for missing or invalid ages', () => {
    expect([null, undefined, -1, Number.NaN, Number.POSITIVE_INFINITY].map(ageBand)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('zipRegion', () => {
  it('takes the first digit of a US zip, "other" for non-numeric codes, null when missing', () => {
    expect(zipRegion('94043')).toBe('9');
    expect(zipRegion('01040')).toBe('0');
    expect(zipRegion(' 55117-1234')).toBe('5');
    expect(zipRegion('T8H1N')).toBe('other'); // Canadian postal code in ML-100k
    expect(zipRegion('E2A4H')).toBe('other');
    expect(zipRegion('')).toBeNull();
    expect(zipRegion('  ')).toBeNull();
    expect(zipRegion(null)).toBeNull();
    expect(ZIP_REGIONS).toHaveLength(11);
  });
});
