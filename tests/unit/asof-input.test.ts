// The as-of field applies only a whole, real, plausible date: the values a date input passes through while a year
// is typed digit by digit are refused, the finished one is taken.
import { describe, expect, it } from 'vitest';
import { asOfCeiling, plausibleAsOf } from '../../src/notebook/asof-input.ts';

const today = new Date(Date.UTC(2026, 11, 7));

describe('plausibleAsOf', () => {
  it('refuses the years a date input holds while 2022 is typed, and takes 2022', () => {
    expect(['0002-06-01', '0020-06-01', '0202-06-01', '2022-06-01'].map((v) => plausibleAsOf(v, today))).toEqual([null, null, null, '2022-06-01']);
  });

  it('refuses an empty (incomplete) value, impossible days and dates outside 1900 to ten years ahead', () => {
    expect(asOfCeiling(today)).toBe('2036-12-31');
    for (const v of ['', '2022-02-30', '2023-02-29', '2022-13-01', '1899-12-31', '2037-01-01', '20220-06-01', '2022-6-1']) expect({ v, day: plausibleAsOf(v, today) }).toEqual({ v, day: null });
    for (const v of ['1900-01-01', '2024-02-29', '2036-12-31', '2011-12-10']) expect(plausibleAsOf(v, today)).toBe(v);
  });
});
