import { encodeEntry } from '@tap/channels';
import { type EventEntry, serverMessageSchema } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import {
  breakerMessage,
  errorMessage,
  eventMessage,
  pongMessage,
  readyMessage,
  resyncMessage,
  tickMessage,
} from './server-message.js';

const USER = '0x00000000000000000000000000000000000000aa';
const BET_ID = '01JAB00000000000000000000A';
const STREAM_ID = '1764000000000-4';

const ACCEPTED: EventEntry = {
  type: 'bet',
  userId: USER,
  betId: BET_ID,
  status: 'accepted',
  balanceMicros: 1_000,
  bet: { t0: 1, p0: 2, windowMs: 3, bandCents: 4, stakeMicros: 5, multiplierBp: 6 },
};
/** The event kinds and optional fields the batcher writes, in its key orders. */
const EVENTS: EventEntry[] = [
  { type: 'balance', userId: USER, balanceMicros: 5, refType: 'deposit', refId: 'a' },
  { type: 'bet', userId: USER, betId: BET_ID, status: 'rejected', reason: 'internal', balanceMicros: 0 },
  {
    type: 'bet',
    userId: USER,
    betId: BET_ID,
    status: 'won',
    balanceMicros: 3_150_000,
    payoutMicros: 2_150_000,
  },
  { type: 'bet', userId: USER, betId: BET_ID, status: 'void', balanceMicros: 1, reason: 'breaker_open' },
  ACCEPTED,
  // A next-tick bet's: it names its fill print.
  { ...ACCEPTED, fillPrint: { id: 7, t: 1_764_000_000_100 } },
  { type: 'balance', userId: USER, balanceMicros: 0, refType: 'adjustment', refId: 'quote " and \\ and ü' },
];
/** An entry's JSON as the batcher writes it, and as other writers might: spaced out, keys reversed. */
const TEXTS: ((event: EventEntry) => string)[] = [
  (event) => encodeEntry('events', event)[1],
  (event) => `${JSON.stringify(event, null, 2)}\n`,
  (event) => JSON.stringify(Object.fromEntries(Object.entries(event).reverse())),
];

describe('server messages', () => {
  it('serializes each message as the wire schema describes it', () => {
    const messages = [
      readyMessage(USER, 1_764_000_000_000, '1764000000000-3'),
      tickMessage({
        id: 7,
        t: 1_764_000_000_100,
        priceCents: 9_512_345,
        venues: 3,
        sigma: 0.0004,
        simulated: false,
      }),
      breakerMessage({ state: 'open', reason: 'no_heartbeat', since: 1_764_000_000_000 }),
      resyncMessage('events_trimmed'),
      errorMessage('session_invalid'),
      pongMessage(1_764_000_000_000),
      ...EVENTS.map((event) => {
        const built = eventMessage('1-0', encodeEntry('events', event));
        return built.ok ? built.message : '';
      }),
    ];
    for (const message of messages)
      expect(serverMessageSchema.safeParse(JSON.parse(message)).success).toBe(true);
  });

  it('renames the print price to p and keeps the print id, σ and η', () => {
    const tick = tickMessage({
      id: 7,
      t: 1_764_000_000_100,
      priceCents: 9_512_345,
      venues: 3,
      sigma: 0.0004,
      noise: 0.00006,
      simulated: false,
    });
    expect(JSON.parse(tick)).toEqual({
      type: 'tick',
      t: 1_764_000_000_100,
      p: 9_512_345,
      sigma: 0.0004,
      noise: 0.00006,
      id: 7,
    });
  });

  it('carries the filtered index and its error when the print has them', () => {
    const tick = tickMessage({
      id: 7,
      t: 1_764_000_000_100,
      priceCents: 9_512_345,
      venues: 3,
      sigma: 0.0004,
      noise: 0.00006,
      filteredCents: 9_512_301,
      filteredNoise: 0.00004,
      simulated: false,
    });
    expect(JSON.parse(tick)).toMatchObject({
      p: 9_512_345,
      filteredCents: 9_512_301,
      filteredNoise: 0.00004,
    });
    expect(serverMessageSchema.safeParse(JSON.parse(tick)).success).toBe(true);
  });

  it('sends η 0 for a print from before pricing-v2 (no noise field)', () => {
    const tick = tickMessage({
      id: 7,
      t: 1_764_000_000_100,
      priceCents: 9_512_345,
      venues: 3,
      sigma: 0.0004,
      simulated: false,
    });
    expect(JSON.parse(tick)).toMatchObject({ sigma: 0.0004, noise: 0 });
  });

  it('sends an event as the stream entry plus its stream id, whatever the spacing and key order', () => {
    for (const event of EVENTS)
      for (const text of TEXTS) {
        const built = eventMessage(STREAM_ID, ['d', text(event)]);
        expect(built).toMatchObject({ ok: true, event });
        const message = built.ok ? built.message : '';
        expect(JSON.parse(message)).toEqual({ ...event, id: STREAM_ID });
        expect(serverMessageSchema.safeParse(JSON.parse(message)).success).toBe(true);
      }
  });

  it("writes the batcher's events byte for byte as serializing the decoded event would", () => {
    for (const event of EVENTS) {
      const fields = encodeEntry('events', event);
      const built = eventMessage(STREAM_ID, fields);
      const text = fields[1];
      expect(built.ok && built.message).toBe(JSON.stringify({ ...JSON.parse(text), id: STREAM_ID }));
    }
  });

  it('refuses a malformed event entry instead of building its message', () => {
    const event = EVENTS[0] as EventEntry;
    const refusals = [
      ['d', '{nope'],
      ['x', JSON.stringify(event)],
      ['d', JSON.stringify({ ...event, balanceMicros: 1.5 })],
      ['d', JSON.stringify({ ...event, type: 'tick' })],
      ['d', '[]'],
    ];
    for (const fields of refusals)
      expect(eventMessage(STREAM_ID, fields)).toMatchObject({ ok: false, code: 'entry_malformed' });
  });

  it('refuses an event entry that carries an id of its own, so a client only sees the stream id', () => {
    const built = eventMessage(STREAM_ID, ['d', JSON.stringify({ ...EVENTS[0], id: '9-9' })]);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.reason).toContain("'id'");
  });

  it('uses the default message of an error code', () => {
    expect(JSON.parse(errorMessage('session_invalid'))).toEqual({
      type: 'error',
      error: 'session_invalid',
      message: 'missing, expired or revoked session token',
    });
  });
});
