import { describe, expect, it } from 'vitest';
import { apiError, ERROR_CODES, statusOf } from './error-codes.js';
import { payoutMicros, userIdOf } from './units.js';

describe('units', () => {
  it('floors the payout in integers', () => {
    expect(payoutMicros(1_000_000, 23_500)).toBe(2_350_000);
    expect(payoutMicros(333_333, 10_501)).toBe(350_032);
    expect(payoutMicros(100_000_000, 500_000)).toBe(5_000_000_000);
  });

  it('compares addresses lower-cased', () => {
    expect(userIdOf('0xAbCdEf0000000000000000000000000000000001')).toBe(
      '0xabcdef0000000000000000000000000000000001',
    );
  });
});

describe('error codes', () => {
  it('builds an API error body with the default message', () => {
    expect(apiError('quote_moved', undefined, { multiplierBp: 20_000 })).toEqual({
      error: 'quote_moved',
      message: 'the multiplier moved below your minimum',
      multiplierBp: 20_000,
    });
    expect(statusOf('trading_halted')).toBe(503);
  });

  it('gives every code a 4xx/5xx status or the 202 of an async restore', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(status === 202 || (status >= 400 && status < 600), code).toBe(true);
    }
  });
});
