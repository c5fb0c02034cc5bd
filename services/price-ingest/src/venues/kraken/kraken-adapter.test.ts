import { describe, expect, it } from 'vitest';
import { readFixture, replayScenario } from '../fake-exchange.js';
import { createKrakenAdapter, parseKrakenFrame } from './kraken-adapter.js';

const session = readFixture('kraken', 'session');
const faults = readFixture('kraken', 'faults');
const parse = (line: string) => parseKrakenFrame(line, 'BTC/USD');
const SESSION_QUOTES = [
  { bidCents: 9_712_130, askCents: 9_712_140, venueTimeMs: Date.parse('2025-11-24T14:03:10.481Z') },
  { bidCents: 9_712_200, askCents: 9_712_210, venueTimeMs: Date.parse('2025-11-24T14:03:11.020Z') },
  { bidCents: 9_712_090, askCents: 9_712_100, venueTimeMs: Date.parse('2025-11-24T14:03:11.390Z') },
];

describe('parseKrakenFrame', () => {
  it('reads a recorded session: status, subscribe ack, ticker snapshot, heartbeats and updates', () => {
    expect(session.map((line) => parse(line).kind)).toEqual([
      'ignored',
      'ack',
      'quote',
      'heartbeat',
      'quote',
      'quote',
      'heartbeat',
    ]);
    expect(session.map(parse).filter((f) => f.kind === 'quote')).toEqual(
      SESSION_QUOTES.map((q) => ({ kind: 'quote', ...q })),
    );
  });

  it('classifies a failed subscription, foreign symbol, truncated, other-channel and broken frames', () => {
    expect(faults.map((line) => parse(line))).toEqual([
      { kind: 'error', message: 'Currency pair not supported BTC/XYZ' },
      { kind: 'ignored' },
      { kind: 'malformed', reason: 'not_json' },
      { kind: 'unexpected', reason: 'channel_book' },
      { kind: 'malformed', reason: 'bad_bid' },
      { kind: 'malformed', reason: 'crossed_quote' },
      { kind: 'ignored' },
      expect.objectContaining({ kind: 'quote', bidCents: 9_712_420, askCents: 9_712_430 }),
    ]);
  });

  it('subscribes to the ticker on best-bid-offer changes', () => {
    const adapter = createKrakenAdapter({ url: 'wss://example/v2', symbol: 'BTC/USD' });
    expect(adapter.subscribeFrames().map((f) => JSON.parse(f))).toEqual([
      {
        method: 'subscribe',
        params: { channel: 'ticker', symbol: ['BTC/USD'], event_trigger: 'bbo', snapshot: true },
        req_id: 1,
      },
    ]);
  });
});

describe('kraken through a fake exchange', () => {
  it('subscribes, counts every frame and reconnects after the server drops it', async () => {
    const result = await replayScenario(
      (url) => createKrakenAdapter({ url, symbol: 'BTC/USD' }),
      [[...session, ...faults], session],
    );
    expect(result.received).toHaveLength(2);
    expect(result.quotes.map(({ bidCents, askCents }) => [bidCents, askCents])).toEqual([
      ...SESSION_QUOTES.map((q) => [q.bidCents, q.askCents]),
      [9_712_420, 9_712_430],
      ...SESSION_QUOTES.map((q) => [q.bidCents, q.askCents]),
    ]);
    expect(result.kinds).toEqual({
      ignored: 4,
      ack: 2,
      quote: 7,
      heartbeat: 4,
      error: 1,
      malformed: 3,
      unexpected: 1,
    });
    expect(result.reconnects).toBe(1);
  });
});
