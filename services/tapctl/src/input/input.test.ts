import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { parseTimeMs } from './time.js';

describe('parseAddress', () => {
  it('lower-cases a checksummed address into the user id', () => {
    expect(parseAddress('0x52908400098527886E0F7030069857D2E4169EE7')).toEqual({
      ok: true,
      userId: '0x52908400098527886e0f7030069857d2e4169ee7',
    });
  });

  it.each([
    '',
    '0x123',
    '52908400098527886E0F7030069857D2E4169EE7',
    '0x52908400098527886E0F7030069857D2E4169EEG',
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toMatchObject({ ok: false, code: 'address_invalid' });
  });
});

describe('parseTimeMs', () => {
  it('reads epoch milliseconds and ISO dates', () => {
    expect(parseTimeMs('1764072000000')).toBe(1_764_072_000_000);
    expect(parseTimeMs('2026-11-25T12:00:00Z')).toBe(Date.parse('2026-11-25T12:00:00Z'));
    expect(parseTimeMs('2026-11-25')).toBe(Date.parse('2026-11-25'));
  });

  it('refuses anything else', () => {
    expect(parseTimeMs('yesterday')).toBeUndefined();
    expect(parseTimeMs('2026-13-45')).toBeUndefined();
  });
});
