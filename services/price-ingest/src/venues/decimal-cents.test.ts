import { describe, expect, it } from 'vitest';
import { decimalToCents, priceFieldToCents } from './decimal-cents.js';

describe('decimalToCents', () => {
  it('converts decimal strings to exact cents', () => {
    expect(decimalToCents('97123.45')).toBe(9_712_345);
    expect(decimalToCents('97123.45000000')).toBe(9_712_345);
    expect(decimalToCents('97123.4')).toBe(9_712_340);
    expect(decimalToCents('97123')).toBe(9_712_300);
    expect(decimalToCents('0.01')).toBe(1);
  });

  it('rounds half-up beyond the cent', () => {
    expect(decimalToCents('97123.455')).toBe(9_712_346);
    expect(decimalToCents('97123.4549999')).toBe(9_712_345);
    expect(decimalToCents('97123.995')).toBe(9_712_400);
    expect(decimalToCents('0.005')).toBe(1);
  });

  it('is exact where float arithmetic is not', () => {
    // 1.005 * 100 = 100.49999999999999 in binary floating point.
    expect(decimalToCents('1.005')).toBe(101);
    expect(decimalToCents('0.29')).toBe(29);
  });

  it('refuses anything that is not a plain positive decimal', () => {
    for (const bad of ['', '-1.00', '+1', '1e5', '1.2.3', 'abc', ' 1', '0', '0.004', '12345678901234']) {
      expect(decimalToCents(bad), bad).toBeNull();
    }
  });
});

describe('priceFieldToCents', () => {
  it('accepts JSON numbers through their shortest decimal text', () => {
    expect(priceFieldToCents(97123.45)).toBe(9_712_345);
    expect(priceFieldToCents(97123.1)).toBe(9_712_310);
    expect(priceFieldToCents(0.29)).toBe(29);
  });

  it('refuses other types and non-finite numbers', () => {
    for (const bad of [null, undefined, true, {}, Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      expect(priceFieldToCents(bad)).toBeNull();
    }
  });
});
