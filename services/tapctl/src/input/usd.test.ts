import { describe, expect, it } from 'vitest';
import { formatMicros, parseUsdMicros } from './usd.js';

describe('parseUsdMicros', () => {
  it.each([
    ['1', 1_000_000],
    ['12.5', 12_500_000],
    ['0.000001', 1],
    ['0.1', 100_000],
    ['0.29', 290_000], // 0.29 * 1e6 is 289999.99999999994 in floats
    ['1.005', 1_005_000],
    ['999999999.999999', 999_999_999_999_999],
    ['007', 7_000_000],
  ])('reads %s USD as %i micros', (text, micros) => {
    expect(parseUsdMicros(text)).toEqual({ ok: true, micros });
  });

  it.each([
    '',
    '0',
    '0.0',
    '0.000000',
    '-1',
    '+1',
    '1.0000001',
    '1e3',
    '1,000',
    ' 1',
    '1.',
    '.5',
    'ten',
    '0x10',
    '1000000000',
  ])('refuses %j', (text) => {
    expect(parseUsdMicros(text)).toMatchObject({ ok: false, code: 'amount_invalid' });
  });
});

describe('formatMicros', () => {
  it.each([
    [0, '0.000000'],
    [1, '0.000001'],
    [12_500_000, '12.500000'],
    [-2_000_001, '-2.000001'],
  ])('shows %i micros as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });
});
