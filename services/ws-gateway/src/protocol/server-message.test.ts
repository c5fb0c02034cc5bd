import { describe, expect, it } from 'vitest';
import {
  breakerMessage,
  errorMessage,
  eventMessage,
  pongMessage,
  readyMessage,
  resyncMessage,
  serverMessageSchema,
  tickMessage,
} from './server-message.js';

const USER = '0x00000000000000000000000000000000000000aa';

describe('server messages', () => {
  it('serializes each message as the wire schema describes it', () => {
    const messages = [
      readyMessage(USER, 1_764_000_000_000),
      tickMessage({ id: 7, t: 1_764_000_000_100, priceCents: 9_512_345, venues: 3, sigma: 0.0004 }),
      breakerMessage({ state: 'open', reason: 'no_heartbeat', since: 1_764_000_000_000 }),
      resyncMessage('events_trimmed'),
      errorMessage('session_invalid'),
      pongMessage(1_764_000_000_000),
      eventMessage(
        { type: 'balance', userId: USER, balanceMicros: 5, refType: 'deposit', refId: 'a' },
        '1-0',
      ),
    ];
    for (const message of messages)
      expect(serverMessageSchema.safeParse(JSON.parse(message)).success).toBe(true);
  });

  it('renames the print price to p and keeps the print id', () => {
    const tick = tickMessage({
      id: 7,
      t: 1_764_000_000_100,
      priceCents: 9_512_345,
      venues: 3,
      sigma: 0.0004,
    });
    expect(JSON.parse(tick)).toEqual({
      type: 'tick',
      t: 1_764_000_000_100,
      p: 9_512_345,
      sigma: 0.0004,
      id: 7,
    });
  });

  it('sends an event as the stream entry plus its stream id', () => {
    const event = {
      type: 'bet',
      userId: USER,
      betId: '01JAB00000000000000000000A',
      status: 'accepted',
      balanceMicros: 1_000,
    } as const;
    expect(JSON.parse(eventMessage(event, '1764000000000-4'))).toEqual({ ...event, id: '1764000000000-4' });
  });

  it('uses the default message of an error code', () => {
    expect(JSON.parse(errorMessage('session_invalid'))).toEqual({
      type: 'error',
      error: 'session_invalid',
      message: 'missing, expired or revoked session token',
    });
  });
});
