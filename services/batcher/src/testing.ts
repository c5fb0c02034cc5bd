/**
 * Integration-test helpers: start the built batcher against a test Redis with a fresh prefix and
 * temp data dir, write entries as the producers do, read the segment through a read-only
 * connection, and poll for a condition.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Channels, createChannels } from '@tap/channels';
import { openSegmentReadOnly, openSegmentView } from '@tap/domain';
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
import type Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import { CONSUMED_KINDS } from './apply/apply-batch.js';

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'tap-batcher-'));

export interface BatcherSetup {
  redisUrl: string;
  prefix: string;
  dataDir: string;
  channels: Channels;
}

export function newSetup(redisUrl: string): BatcherSetup {
  const prefix = freshPrefix();
  return { redisUrl, prefix, dataDir: tempDataDir(), channels: createChannels(prefix) };
}

export async function startBatcher(
  setup: BatcherSetup,
  env: Record<string, string> = {},
): Promise<{ daemon: Started; healthUrl: string }> {
  const port = await freePort();
  const daemon = startDaemon('batcher', {
    REDIS_URL: setup.redisUrl,
    TAP_KEY_PREFIX: setup.prefix,
    OPS_PORT: String(port),
    DATA_DIR: setup.dataDir,
    LOG_LEVEL: 'warn',
    // The fixtures' bets lie in the past: the dead-man sweep would void them all. Tests of the sweep
    // turn it on.
    DEAD_MAN_SWEEP_INTERVAL_MS: '0',
    ...env,
  });
  return { daemon, healthUrl: `http://127.0.0.1:${port}/healthz` };
}

export async function startHealthyBatcher(setup: BatcherSetup, env: Record<string, string> = {}) {
  const started = await startBatcher(setup, env);
  await waitForHealthy(started.healthUrl, 15_000);
  return Object.assign(started.daemon, { metricsUrl: started.healthUrl.replace('/healthz', '/metrics') });
}

/** The current segment through a read-only connection (as tapctl and the API read it). */
export function openSegmentReadonly(dataDir: string): Database.Database {
  const view = openSegmentView(dataDir, { closedMax: 0 });
  try {
    const current = view.segments()[0];
    if (!current) throw new Error(`no segment in ${dataDir}`);
    return openSegmentReadOnly(current.path, 1_000);
  } finally {
    view.close();
  }
}

/** The admission step of ingest-api without its checks; lives in the test kit (the restore drill uses it too). */
export { admitBet, admitBetWhenReady } from '@tap/testkit';

export async function eventually<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function newRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3 });
}

/** Decoded entries of a stream, in order (events and dead letters). */
export async function streamJson<T = Record<string, unknown>>(redis: Redis, stream: string): Promise<T[]> {
  const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('d') + 1]!) as T);
}

/**
 * A real redis-server and one client for the enclosing `describe`: started before its tests,
 * stopped after them. Read `url` and `redis` inside the tests (they exist only once started).
 */
export function redisForSuite(): { readonly url: string; readonly redis: Redis } {
  let server: TestRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = newRedis(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redisForSuite: read url and redis inside a test');
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get redis() {
      return started(client);
    },
  };
}

/** Entries delivered to the batcher group but not yet acknowledged, over every consumed stream. */
export async function pendingTotal(redis: Redis, setup: BatcherSetup): Promise<number> {
  let total = 0;
  for (const kind of CONSUMED_KINDS) {
    total += (
      (await redis.xpending(setup.channels.streams[kind], setup.channels.groups.batcher)) as [number]
    )[0];
  }
  return total;
}
