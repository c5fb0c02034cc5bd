/**
 * Integration-test harness (not part of the bundle): starts the BUILT daemon (`npx tsup` first)
 * against a real redis-server under a fresh key prefix, writes what the other daemons would write
 * (sessions, events, prints, breaker) through `@tap/channels`, and connects `ws` clients.
 */
import { randomBytes } from 'node:crypto';
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import type { BreakerEntry, EventEntry, PrintEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  type Started,
  scrapeMetric,
  startDaemon,
  startRedis,
  TEST_USER,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { sha256hex } from './auth/session-lookup.js';

export type Message = Record<string, unknown> & { type: string };

export interface TestGateway {
  daemon: Started;
  channels: Channels;
  redis: Redis;
  url: string;
  port: number;
  /** A session as ingest-api creates it; returns the token. */
  session(userId: string): Promise<string>;
  appendEvent(event: EventEntry): Promise<string>;
  appendPrint(print: PrintEntry): Promise<string>;
  setBreaker(entry: BreakerEntry, heartbeatAtMs: number, options?: { announce?: boolean }): Promise<void>;
  health(): Promise<Record<string, unknown>>;
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestGateway(
  testRedis: TestRedis,
  env: Record<string, string> = {},
  prepare?: (redis: Redis, channels: Channels) => Promise<void>,
): Promise<TestGateway> {
  const prefix = freshPrefix();
  const channels = createChannels(prefix);
  const redis = new Redis(testRedis.url);
  await prepare?.(redis, channels);
  const port = await freePort();
  const daemon = startDaemon('ws-gateway', {
    REDIS_URL: testRedis.url,
    TAP_KEY_PREFIX: prefix,
    WS_PORT: String(port),
    LOG_LEVEL: 'warn',
    // Every test client comes from 127.0.0.1: the per-address upgrade rate is lifted unless a test
    // sets it (the one that attacks it does).
    WS_UPGRADES_PER_IP_PER_S: '1000000',
    WS_UPGRADE_BURST: '1000000',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthy(`${base}/healthz`);
  return {
    daemon,
    channels,
    redis,
    port,
    url: `ws://127.0.0.1:${port}/v1/ws`,
    async session(userId) {
      const token = randomBytes(32).toString('base64url');
      await redis.set(channels.keys.session(sha256hex(token)), userId, 'EX', 86_400);
      return token;
    },
    async appendEvent(event) {
      return (await redis.xadd(channels.streams.events, '*', ...encodeEntry('events', event))) as string;
    },
    async appendPrint(print) {
      return (await redis.xadd(channels.streams.prices, '*', ...encodeEntry('prices', print))) as string;
    },
    async setBreaker(entry, heartbeatAtMs, options = {}) {
      const { state, reason, since } = entry;
      const multi = redis
        .multi()
        .hset(channels.keys.breakerState, { state, reason, since, heartbeatAt: heartbeatAtMs });
      if (options.announce ?? true)
        multi.xadd(channels.streams.breaker, '*', ...encodeEntry('breaker', entry));
      await multi.exec();
    },
    async health() {
      return (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
    },
    metric: (name) => scrapeMetric(`${base}/metrics`, name),
    async stop() {
      await daemon.stop('SIGTERM');
      redis.disconnect();
    },
  };
}

/** GETs Redis has run so far (INFO commandstats): the gateway's session lookups are its only GETs. */
export async function getCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/^cmdstat_get:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

let eventCount = 0;
/** A balance event of `userId`; each one its own amount and deposit id. */
export function aBalanceEvent(userId = TEST_USER): EventEntry {
  eventCount += 1;
  return {
    type: 'balance',
    userId,
    balanceMicros: eventCount,
    refType: 'deposit',
    refId: `dep-${eventCount}`,
  };
}

/**
 * One redis-server for a test file and a gateway per call on it (each test its own limits, under its
 * own key prefix): registers the file's `beforeAll`/`afterAll`, which start the server and stop
 * every gateway and then the server.
 */
export function gatewaysOnOneRedis(): (env: Record<string, string>) => Promise<TestGateway> {
  let redis: TestRedis | undefined;
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await redis?.stop();
  });
  return async (env) => {
    if (!redis) throw new Error('gatewaysOnOneRedis: call it in a describe block, use it in a test');
    const started = await startTestGateway(redis, env);
    gateways.push(started);
    return started;
  };
}

/** A `ws` client that records every message it receives. */
export class TestClient {
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        for (const wake of this.#waiters) wake();
      });
    });
  }

  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Connects and authenticates; resolves once `ready` arrived. */
  static async ready(url: string, token: string, lastEventId?: string): Promise<TestClient> {
    const client = await TestClient.connect(url);
    client.send({ type: 'auth', token, ...(lastEventId ? { lastEventId } : {}) });
    await client.waitFor((m) => m.type === 'ready');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ofType(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Resolves with the first message matching, waiting up to timeoutMs. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 5_000): Promise<Message> {
    return this.until(() => this.messages.find(match), timeoutMs);
  }

  /** Resolves when `done()` returns something other than undefined, or rejects after timeoutMs. */
  until<T>(done: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = done();
        if (value === undefined) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out; got ${JSON.stringify(this.messages.slice(-5))}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
