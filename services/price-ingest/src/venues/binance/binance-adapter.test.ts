import { describe, expect, it } from 'vitest';
import { readFixture, replayScenario } from '../fake-exchange.js';
import { createBinanceAdapter, parseBinanceFrame } from './binance-adapter.js';

const session = readFixture('binance', 'session');
const faults = readFixture('binance', 'faults');
const parse = (line: string) => parseBinanceFrame(line, 'BTCUSDT');
const SESSION_QUOTES = [
  { bidCents: 9_711_801, askCents: 9_711_802 },
  { bidCents: 9_711_801, askCents: 9_711_802 },
  { bidCents: 9_711_955, askCents: 9_711_956 },
  { bidCents: 9_712_000, askCents: 9_712_001 },
];

describe('parseBinanceFrame', () => {
  it('reads a recorded session: the SUBSCRIBE ack and bookTicker updates', () => {
    expect(session.map((line) => parse(line))).toEqual([
      { kind: 'ack' },
      { kind: 'quote', bidCents: 9_711_801, askCents: 9_711_802, sequence: 71_227_581_364 },
      { kind: 'quote', bidCents: 9_711_801, askCents: 9_711_802, sequence: 71_227_581_371 },
      { kind: 'quote', bidCents: 9_711_955, askCents: 9_711_956, sequence: 71_227_581_390 },
      { kind: 'quote', bidCents: 9_712_000, askCents: 9_712_001, sequence: 71_227_581_402 },
    ]);
  });

  it('classifies error, foreign-symbol, truncated, other-response, unknown and broken frames', () => {
    expect(faults.map((line) => parse(line))).toEqual([
      { kind: 'error', message: '2: Invalid request: request ID must be an unsigned integer' },
      { kind: 'ignored', sequence: 71_227_581_410 },
      { kind: 'malformed', reason: 'not_json' },
      { kind: 'ignored' },
      { kind: 'unexpected', reason: 'unknown_shape' },
      { kind: 'quote', bidCents: 9_709_000, askCents: 9_709_001, sequence: 71_227_581_401 },
      { kind: 'malformed', reason: 'bad_bid', sequence: 71_227_581_420 },
      { kind: 'quote', bidCents: 9_712_150, askCents: 9_712_151, sequence: 71_227_581_425 },
    ]);
  });

  it('subscribes to the lower-case bookTicker stream', () => {
    const adapter = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'btcusdt' });
    expect(adapter.subscribeFrames().map((f) => JSON.parse(f))).toEqual([
      { method: 'SUBSCRIBE', params: ['btcusdt@bookTicker'], id: 1 },
    ]);
  });
});

describe('binance through a fake exchange', () => {
  it('subscribes, answers pings, drops a reordered update and reconnects after the server drops it', async () => {
    const result = await replayScenario(
      (url) => createBinanceAdapter({ url, symbol: 'btcusdt' }),
      [[...session, ...faults], session],
    );
    expect(result.received.map((frames) => frames.map((f) => JSON.parse(f).method))).toEqual([
      ['SUBSCRIBE'],
      ['SUBSCRIBE'],
    ]);
    expect(result.pongs).toBe(2);
    expect(result.quotes).toEqual([
      ...SESSION_QUOTES,
      { bidCents: 9_712_150, askCents: 9_712_151 },
      ...SESSION_QUOTES,
    ]);
    expect(result.kinds).toEqual({
      ack: 2,
      quote: 9,
      error: 1,
      ignored: 2,
      malformed: 2,
      unexpected: 1,
      out_of_order: 1,
    });
    expect(result.gaps).toBe(0);
    expect(result.reconnects).toBe(1);
  });
});
