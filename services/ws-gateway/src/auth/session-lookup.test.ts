import { describe, expect, it } from 'vitest';
import { sessionVerdict, sha256hex } from './session-lookup.js';

describe('sessionVerdict', () => {
  it('accepts a stored lower-cased address as the user id', () => {
    const userId = '0x00000000000000000000000000000000000000aa';
    expect(sessionVerdict(userId, 'h')).toEqual({ ok: true, userId, sessionHash: 'h' });
  });

  it('refuses a missing session', () => {
    expect(sessionVerdict(null, 'h')).toEqual({ ok: false, code: 'session_invalid' });
  });

  it('refuses a stored value that is not a user id', () => {
    expect(sessionVerdict('0x00000000000000000000000000000000000000AA', 'h')).toMatchObject({ ok: false });
    expect(sessionVerdict('', 'h')).toMatchObject({ ok: false });
  });
});

describe('sha256hex', () => {
  it('hashes the token as ingest-api does (hex of the UTF-8 bytes)', () => {
    expect(sha256hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
