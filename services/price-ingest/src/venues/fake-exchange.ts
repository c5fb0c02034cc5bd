/**
 * Test support: a local fake exchange (a `ws` WebSocketServer on 127.0.0.1, random port) that
 * replays recorded frames in a venue's documented format, plus `replayScenario`, which runs a real
 * venue connection against it. Each connection receives its script once the client has sent its
 * subscription frames; every connection but the last is then dropped by the server, so the
 * adapter's reconnect path runs too. Not part of the daemon bundle.
 */
import { readFileSync } from 'node:fs';
import { createLogger, Registry } from '@tap/runtime';
import { type WebSocket, WebSocketServer } from 'ws';
import { createIngestMetrics } from '../ingest-metrics.js';
import { startVenueConnection } from './venue-connection.js';
import type { Quote, VenueAdapter } from './venue-frame.js';

export function readFixture(venue: string, name: string): string[] {
  const text = readFileSync(new URL(`./${venue}/fixtures/${name}.jsonl`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.length > 0);
}

export interface FakeExchange {
  url: string;
  /** Frames received from clients, per connection. */
  received: string[][];
  pongs: number;
  close(): Promise<void>;
}

export type ConnectionScript = (socket: WebSocket, connection: number) => void;

export async function startFakeExchange(options: {
  subscribeFrames: number;
  onSubscribed: ConnectionScript;
}): Promise<FakeExchange> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const exchange: FakeExchange = {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    received: [],
    pongs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket) => {
    const connection = exchange.received.length;
    const frames: string[] = [];
    exchange.received.push(frames);
    socket.on('pong', () => {
      exchange.pongs += 1;
    });
    socket.on('message', (data) => {
      frames.push(data.toString());
      if (frames.length === options.subscribeFrames) options.onSubscribed(socket, connection);
    });
  });
  return exchange;
}

export interface ScenarioResult {
  quotes: Quote[];
  kinds: Record<string, number>;
  gaps: number;
  reconnects: number;
  received: string[][];
  pongs: number;
}

const silentLog = createLogger('price-ingest-test', 'silent');

/** Plays `connections[i]` on the i-th connection; resolves once every frame has been classified. */
export async function replayScenario(
  makeAdapter: (url: string) => VenueAdapter,
  connections: string[][],
): Promise<ScenarioResult> {
  const subscribeFrames = makeAdapter('ws://unused').subscribeFrames().length;
  const exchange = await startFakeExchange({
    subscribeFrames,
    onSubscribed: (socket, connection) => {
      socket.ping();
      for (const line of connections[connection] ?? []) socket.send(line);
      if (connection < connections.length - 1) setTimeout(() => socket.terminate(), 50);
    },
  });
  const metrics = createIngestMetrics(new Registry());
  const quotes: Quote[] = [];
  const adapter = makeAdapter(exchange.url);
  const connection = startVenueConnection({
    adapter,
    backoff: { baseMs: 20, maxMs: 100 },
    silenceMs: 5_000,
    handshakeTimeoutMs: 2_000,
    onQuote: (_venue, quote) => quotes.push(quote),
    metrics,
    log: silentLog,
  });
  const total = connections.reduce((sum, lines) => sum + lines.length, 0);
  try {
    // Each connection is pinged once; its pong may reach the server after the last frame was
    // classified (a loaded machine), so the scenario also waits for every pong.
    await waitFor(
      async () => sumOf(await metrics.venueFrames.get()) === total && exchange.pongs >= connections.length,
      5_000,
    );
    const kinds: Record<string, number> = {};
    for (const value of (await metrics.venueFrames.get()).values) {
      kinds[String(value.labels.kind)] = value.value;
    }
    return {
      quotes,
      kinds,
      gaps: sumOf(await metrics.sequenceGaps.get()),
      reconnects: sumOf(await metrics.reconnects.get()),
      received: exchange.received,
      pongs: exchange.pongs,
    };
  } finally {
    await connection.close();
    await exchange.close();
  }
}

function sumOf(metric: { values: { value: number }[] }): number {
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
