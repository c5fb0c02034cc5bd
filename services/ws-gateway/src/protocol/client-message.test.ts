import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_BYTES_MAX, parseClientMessage } from './client-message.js';

const text = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const parse = (value: unknown, isBinary = false) => parseClientMessage(text(value), isBinary);

describe('parseClientMessage', () => {
  it('accepts an auth message with and without a resume id', () => {
    expect(parse({ type: 'auth', token: 'abc' })).toEqual({
      ok: true,
      message: { type: 'auth', token: 'abc' },
    });
    expect(parse({ type: 'auth', token: 'abc', lastEventId: '1764000000000-3' })).toEqual({
      ok: true,
      message: { type: 'auth', token: 'abc', lastEventId: '1764000000000-3' },
    });
  });

  it('accepts a ping', () => {
    expect(parse({ type: 'ping' })).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it('rejects a message that is not JSON', () => {
    expect(parse('{nope')).toEqual({
      ok: false,
      code: 'invalid_body',
      message: 'the message is not JSON text',
    });
  });

  it('rejects text that is not UTF-8', () => {
    expect(parseClientMessage(new Uint8Array([0x22, 0xff, 0x22]), false)).toMatchObject({ ok: false });
  });

  it('rejects binary frames', () => {
    expect(parse({ type: 'ping' }, true)).toMatchObject({ ok: false, code: 'invalid_body' });
  });

  it('rejects unknown message types, naming the field', () => {
    const result = parse({ type: 'subscribe', topic: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'invalid_body' });
    expect(!result.ok && result.message).toContain('type');
  });

  it('rejects unknown fields', () => {
    expect(parse({ type: 'auth', token: 'abc', userId: '0xab' })).toMatchObject({ ok: false });
    expect(parse({ type: 'ping', extra: 1 })).toMatchObject({ ok: false });
  });

  it('rejects wrong types and empty or oversize tokens', () => {
    expect(parse({ type: 'auth', token: 42 })).toMatchObject({ ok: false });
    expect(parse({ type: 'auth', token: '' })).toMatchObject({ ok: false });
    expect(parse({ type: 'auth', token: 'x'.repeat(257) })).toMatchObject({ ok: false });
    expect(parse({ type: 'auth' })).toMatchObject({ ok: false });
    expect(parse(['auth'])).toMatchObject({ ok: false });
    expect(parse(null)).toMatchObject({ ok: false });
  });

  it('rejects a resume id that is not a stream id', () => {
    for (const lastEventId of ['$', '0', '1764000000000', '17-x', '-1-0', 42]) {
      const result = parse({ type: 'auth', token: 'abc', lastEventId });
      expect(result).toMatchObject({ ok: false, code: 'invalid_body' });
      expect(!result.ok && result.message).toContain('lastEventId');
    }
  });

  it('rejects a message over the size limit', () => {
    const big = { type: 'auth', token: 'abc', pad: 'x'.repeat(CLIENT_MESSAGE_BYTES_MAX) };
    expect(parse(big)).toMatchObject({ ok: false, message: expect.stringContaining('4096 bytes') });
  });
});
