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

  it('takes an address without a checksum (one case throughout) as typed', () => {
    expect(parseAddress('0x52908400098527886e0f7030069857d2e4169ee7')).toMatchObject({ ok: true });
    expect(parseAddress('0xDE709F2102306220921060314715629080E2FB77')).toEqual({
      ok: true,
      userId: '0xde709f2102306220921060314715629080e2fb77',
    });
  });

  it('refuses a mixed-case address whose EIP-55 checksum does not match', () => {
    // The EIP-55 test vector above with one letter's case flipped (…D2E4169EE7 → …d2E4169EE7).
    const result = parseAddress('0x52908400098527886E0F7030069857d2E4169EE7');
    expect(result).toMatchObject({ ok: false, code: 'address_invalid' });
    expect(!result.ok && result.message).toContain('EIP-55');
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
