import { createChannels } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { type FakeExchange, readFixture, startFakeExchange, waitFor } from './venues/fake-exchange.js';

/** Streams the fixture's first quote every 50 ms, renumbering what the venue numbers. */
function streamQuote(line: string, renumber: (frame: Record<string, unknown>, n: number) => void) {
  return (socket: WebSocket) => {
    let n = 0;
    const timer = setInterval(() => {
      const frame = JSON.parse(line) as Record<string, unknown>;
      renumber(frame, n);
      n += 1;
      socket.send(JSON.stringify(frame));
    }, 50);
    socket.on('close', () => clearInterval(timer));
  };
}

describe('price-ingest with venue adapters against fake exchanges', () => {
  let redis: TestRedis;
  let client: Redis;
  let daemon: Started;
  let opsPort: number;
  const exchanges: Record<string, FakeExchange> = {};
  const channels = createChannels(freshPrefix());

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    exchanges.coinbase = await startFakeExchange({
      subscribeFrames: 2,
      onSubscribed: streamQuote(readFixture('coinbase', 'session')[0]!, (f, n) => {
        f.sequence_num = n;
      }),
    });
    const binanceQuotes = streamQuote(readFixture('binance', 'session')[1]!, (f, n) => {
      f.u = 1_000 + n;
    });
    exchanges.binance = await startFakeExchange({
      subscribeFrames: 1,
      // The USDC/USDT rate first (as a combined-stream frame): BTC/USDT is converted to USD with it.
      onSubscribed: (socket) => {
        socket.send(readFixture('binance', 'combined')[1]!);
        binanceQuotes(socket);
      },
    });
    exchanges.kraken = await startFakeExchange({
      subscribeFrames: 1,
      onSubscribed: streamQuote(readFixture('kraken', 'session')[2]!, () => {}),
    });
    opsPort = await freePort();
    daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: channels.prefix,
      OPS_PORT: String(opsPort),
      VENUES: 'coinbase,binance,kraken',
      COINBASE_WS_URL: exchanges.coinbase.url,
      BINANCE_WS_URL: exchanges.binance.url,
      KRAKEN_WS_URL: exchanges.kraken.url,
      VENUE_BACKOFF_BASE_MS: '50',
      VENUE_BACKOFF_MAX_MS: '200',
    });
  });
  afterAll(async () => {
    await daemon.stop('SIGKILL');
    for (const exchange of Object.values(exchanges)) await exchange.close();
    client.disconnect();
    await redis.stop();
  });

  const lastPrint = async () =>
    JSON.parse((await client.get(channels.keys.priceLast)) ?? 'null') as PrintEntry | null;

  it('prints the median of the three venue mids', async () => {
    const health = await waitForHealthy(`http://127.0.0.1:${opsPort}/healthz`);
    expect(health).toMatchObject({ ok: true, simulated: false, freshVenues: 3 });
    await waitFor(async () => (await lastPrint())?.venues === 3, 5_000);
    // Mids: coinbase 97123.445, binance 97118.015 USDT = 97132.58 USD at 0.99985, kraken 97121.35
    // → the median is coinbase's.
    expect(await lastPrint()).toMatchObject({ priceCents: 9_712_345, venues: 3, simulated: false });
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('tap_price_ingest_simulated{service="price-ingest"} 0');
  });

  it('carries on with two venues when one disappears, and says so in its health', async () => {
    await exchanges.kraken!.close();
    await waitFor(async () => (await lastPrint())?.venues === 2, 5_000);
    // Mean of 97123.445 and 97132.58 = 97128.0125.
    expect(await lastPrint()).toMatchObject({ priceCents: 9_712_801, venues: 2 });
    const health = (await (await fetch(`http://127.0.0.1:${opsPort}/healthz`)).json()) as {
      venues: { venue: string; fresh: boolean; connected: boolean }[];
    };
    expect(health.venues.find((v) => v.venue === 'kraken')).toMatchObject({ fresh: false, connected: false });
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /tap_price_ingest_venue_reconnects_total\{venue="kraken",service="price-ingest"\} [1-9]/,
    );
  });
});
