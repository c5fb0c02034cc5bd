import { describe, expect, it } from 'vitest';
import { readFixture, replayScenario } from '../fake-exchange.js';
import { createCoinbaseAdapter, parseCoinbaseFrame } from './coinbase-adapter.js';

const session = readFixture('coinbase', 'session');
const faults = readFixture('coinbase', 'faults');
const parse = (line: string) => parseCoinbaseFrame(line, 'BTC-USD');
const SESSION_QUOTES = [
  { bidCents: 9_712_344, askCents: 9_712_345 },
  { bidCents: 9_712_500, askCents: 9_712_501 },
  { bidCents: 9_712_499, askCents: 9_712_500 },
  { bidCents: 9_712_612, askCents: 9_712_613 },
];

describe('parseCoinbaseFrame', () => {
  it('reads a recorded session: ticker snapshot, subscription acks, heartbeats and updates', () => {
    expect(session.map((line) => parse(line).kind)).toEqual([
      'quote',
      'ack',
      'ack',
      'heartbeat',
      'quote',
      'quote',
      'heartbeat',
      'quote',
    ]);
    expect(parse(session[0]!)).toEqual({
      kind: 'quote',
      bidCents: 9_712_344,
      askCents: 9_712_345,
      venueTimeMs: Date.parse('2025-11-24T14:03:10.104Z'),
      sequence: 0,
    });
    expect(parse(session[3]!)).toEqual({ kind: 'heartbeat', sequence: 3 });
  });

  it('classifies error, foreign-product, truncated, unknown-channel and broken-price frames', () => {
    expect(faults.map((line) => parse(line))).toEqual([
      { kind: 'error', message: 'failure to subscribe' },
      { kind: 'ignored', sequence: 8 },
      { kind: 'malformed', reason: 'not_json' },
      { kind: 'unexpected', reason: 'channel_candles', sequence: 10 },
      expect.objectContaining({ kind: 'quote', bidCents: 9_712_749, askCents: 9_712_750, sequence: 12 }),
      expect.objectContaining({ kind: 'quote', sequence: 11 }),
      { kind: 'malformed', reason: 'bad_ask', sequence: 13 },
      { kind: 'malformed', reason: 'crossed_quote', sequence: 14 },
      { kind: 'heartbeat', sequence: 15 },
      expect.objectContaining({ kind: 'quote', bidCents: 9_712_800, askCents: 9_712_801, sequence: 16 }),
    ]);
  });

  it('subscribes to the ticker and heartbeats channels for the product', () => {
    const adapter = createCoinbaseAdapter({ url: 'wss://example', productId: 'BTC-USD' });
    expect(adapter.subscribeFrames().map((f) => JSON.parse(f))).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker' },
      { type: 'subscribe', product_ids: ['BTC-USD'], channel: 'heartbeats' },
    ]);
  });
});

describe('coinbase through a fake exchange', () => {
  it('subscribes, counts every frame, handles gaps and reconnects after the server drops it', async () => {
    const result = await replayScenario(
      (url) => createCoinbaseAdapter({ url, productId: 'BTC-USD' }),
      [[...session, ...faults], session],
    );
    expect(result.received).toHaveLength(2);
    for (const frames of result.received) {
      expect(frames.map((f) => JSON.parse(f).channel)).toEqual(['ticker', 'heartbeats']);
    }
    expect(result.quotes.map(({ bidCents, askCents }) => ({ bidCents, askCents }))).toEqual([
      ...SESSION_QUOTES,
      { bidCents: 9_712_749, askCents: 9_712_750 },
      { bidCents: 9_712_800, askCents: 9_712_801 },
      ...SESSION_QUOTES,
    ]);
    expect(result.kinds).toEqual({
      quote: 10,
      ack: 4,
      heartbeat: 5,
      error: 1,
      ignored: 1,
      malformed: 3,
      unexpected: 1,
      out_of_order: 1,
    });
    // 8 → 10 (the truncated frame was 9) and 10 → 12; 11 then arrives late and is dropped.
    expect(result.gaps).toBe(2);
    expect(result.reconnects).toBe(1);
  });
});
