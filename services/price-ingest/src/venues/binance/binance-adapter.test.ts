import { describe, expect, it } from 'vitest';
import { readFixture, replayScenario } from '../fake-exchange.js';
import { createBinanceAdapter, parseBinanceFrame, toUsd, usdtRateOf } from './binance-adapter.js';

const session = readFixture('binance', 'session');
const faults = readFixture('binance', 'faults');
const combined = readFixture('binance', 'combined');
const parse = (line: string) => parseBinanceFrame(line, 'BTCUSDT');
/** A USDC/USDT update: mid 0.99985 USDT per USD. */
const RATE = '{"u":8804111200,"s":"USDCUSDT","b":"0.99980000","B":"1000.0","a":"0.99990000","A":"1000.0"}';
/** The session's BTC/USDT quotes in USD at 0.99985 (bid rounded down, ask up). */
const SESSION_QUOTES = [
  { bidCents: 9_713_257, askCents: 9_713_259 },
  { bidCents: 9_713_257, askCents: 9_713_259 },
  { bidCents: 9_713_412, askCents: 9_713_414 },
  { bidCents: 9_713_457, askCents: 9_713_459 },
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

  it('subscribes to the lower-case bookTicker stream, and to the USDC/USDT rate for a USDT symbol', () => {
    const usdt = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'btcusdt' });
    expect(usdt.subscribeFrames().map((f) => JSON.parse(f))).toEqual([
      { method: 'SUBSCRIBE', params: ['btcusdt@bookTicker', 'usdcusdt@bookTicker'], id: 1 },
    ]);
    const usdc = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'btcusdc' });
    expect(usdc.subscribeFrames().map((f) => JSON.parse(f))).toEqual([
      { method: 'SUBSCRIBE', params: ['btcusdc@bookTicker'], id: 1 },
    ]);
  });

  it('reads the combined-stream envelope {stream, data} like a raw frame', () => {
    expect(combined.map((line) => parse(line))).toEqual([
      { kind: 'ack' },
      { kind: 'ignored', sequence: 8_804_111_234 },
      { kind: 'quote', bidCents: 9_711_801, askCents: 9_711_802, sequence: 71_227_581_364 },
      { kind: 'quote', bidCents: 9_711_955, askCents: 9_711_956, sequence: 71_227_581_390 },
    ]);
  });
});

describe('USDT to USD', () => {
  it('converts BTC/USDT quotes at the last USDC/USDT mid, from raw or combined frames', () => {
    const adapter = createBinanceAdapter({ url: 'wss://example/stream', symbol: 'btcusdt' });
    expect(combined.map((line) => adapter.parse(line))).toEqual([
      { kind: 'ack' },
      { kind: 'ignored' },
      { kind: 'quote', ...SESSION_QUOTES[0], sequence: 71_227_581_364 },
      { kind: 'quote', ...SESSION_QUOTES[2], sequence: 71_227_581_390 },
    ]);
  });

  it('passes no USDT quote before a rate is known', () => {
    const adapter = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'btcusdt' });
    expect(adapter.parse(session[1]!)).toEqual({ kind: 'ignored', sequence: 71_227_581_364 });
    expect(toUsd({ kind: 'quote', bidCents: 100, askCents: 101 }, null)).toEqual({ kind: 'ignored' });
  });

  it('refuses a rate that is no stablecoin quote (beyond ±5 %)', () => {
    expect(usdtRateOf(RATE)).toBeCloseTo(0.99985, 12);
    expect(usdtRateOf(RATE.replace('0.99980000', '0.90000000'))).toBeNull();
    expect(usdtRateOf(session[1]!)).toBeNull();
  });

  it('uses a USDC symbol as is', () => {
    const adapter = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'btcusdt' });
    const usdc = createBinanceAdapter({ url: 'wss://example/ws', symbol: 'BTCUSDT'.replace('USDT', 'USDC') });
    const frame = session[1]!.replace('BTCUSDT', 'BTCUSDC');
    expect(usdc.parse(frame)).toEqual({
      kind: 'quote',
      bidCents: 9_711_801,
      askCents: 9_711_802,
      sequence: 71_227_581_364,
    });
    expect(adapter.parse(frame)).toEqual({ kind: 'ignored', sequence: 71_227_581_364 });
  });
});

describe('binance through a fake exchange', () => {
  it('subscribes, answers pings, drops a reordered update and reconnects after the server drops it', async () => {
    const result = await replayScenario(
      (url) => createBinanceAdapter({ url, symbol: 'btcusdt' }),
      [
        [RATE, ...session, ...faults],
        [RATE, ...session],
      ],
    );
    expect(result.received.map((frames) => frames.map((f) => JSON.parse(f).method))).toEqual([
      ['SUBSCRIBE'],
      ['SUBSCRIBE'],
    ]);
    expect(result.pongs).toBe(2);
    expect(result.quotes).toEqual([
      ...SESSION_QUOTES,
      { bidCents: 9_713_607, askCents: 9_713_609 },
      ...SESSION_QUOTES,
    ]);
    expect(result.kinds).toEqual({
      ack: 2,
      quote: 9,
      error: 1,
      ignored: 4,
      malformed: 2,
      unexpected: 1,
      out_of_order: 1,
    });
    expect(result.gaps).toBe(0);
    expect(result.reconnects).toBe(1);
  });
});
