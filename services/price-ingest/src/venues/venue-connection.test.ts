import { createLogger, Registry } from '@tap/runtime';
import { freePort } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { createIngestMetrics } from '../ingest-metrics.js';
import { readFixture, startFakeExchange, waitFor } from './fake-exchange.js';
import { createKrakenAdapter } from './kraken/kraken-adapter.js';
import { startVenueConnection } from './venue-connection.js';
import type { Quote } from './venue-frame.js';

const log = createLogger('price-ingest-test', 'silent');
const total = async (metric: { get(): Promise<{ values: { value: number }[] }> }) =>
  (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);

describe('startVenueConnection', () => {
  it('drops a connection that goes silent and reconnects', async () => {
    const snapshot = readFixture('kraken', 'session')[2]!;
    const exchange = await startFakeExchange({
      subscribeFrames: 1,
      // The first connection is accepted and then never hears a thing (a half-open socket).
      onSubscribed: (socket, connection) => {
        if (connection > 0) socket.send(snapshot);
      },
    });
    const metrics = createIngestMetrics(new Registry());
    const quotes: Quote[] = [];
    const connection = startVenueConnection({
      adapter: createKrakenAdapter({ url: exchange.url, symbol: 'BTC/USD' }),
      backoff: { baseMs: 10, maxMs: 50 },
      silenceMs: 200,
      handshakeTimeoutMs: 1_000,
      onQuote: (_venue, quote) => quotes.push(quote),
      metrics,
      log,
    });
    try {
      await waitFor(() => quotes.length === 1, 3_000);
      expect(exchange.received).toHaveLength(2);
      expect(await total(metrics.reconnects)).toBe(1);
      expect(connection.connected()).toBe(true);
    } finally {
      await connection.close();
      await exchange.close();
    }
  });

  it('keeps retrying, within the backoff bound, while the venue is unreachable, and stops on close', async () => {
    const port = await freePort();
    const metrics = createIngestMetrics(new Registry());
    const connection = startVenueConnection({
      adapter: createKrakenAdapter({ url: `ws://127.0.0.1:${port}`, symbol: 'BTC/USD' }),
      backoff: { baseMs: 10, maxMs: 40 },
      silenceMs: 1_000,
      handshakeTimeoutMs: 1_000,
      onQuote: () => {},
      metrics,
      log,
      random: () => 0.999,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const attempts = await total(metrics.reconnects);
    // Delays 9, 19, 39, 39… ms: at least 8 attempts in 500 ms, and never a busy loop.
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(attempts).toBeLessThan(40);
    expect(connection.connected()).toBe(false);
    await connection.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await total(metrics.reconnects)).toBeLessThanOrEqual(attempts + 1);
  });
});
