/**
 * The revocation subscriber is ready before it subscribes (runtime `subscribeWhenReady`): a
 * connection whose SUBSCRIBE went out in the middle of ioredis' handshake was dropped and remade at
 * the gateway's start, and a logout notice published in that gap closed its sockets only at the
 * next recheck, as `session_expired` (e2e logout-race, CI). Real redis-server.
 */
import { createLogger, createRedis, type Redis, subscribeWhenReady } from '@tap/runtime';
import { startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestRedis;
const opened: Redis[] = [];
const log = createLogger('subscribe-test', 'silent');

beforeAll(async () => {
  server = await startRedis();
}, 30_000);
afterAll(async () => {
  for (const redis of opened) redis.disconnect();
  await server?.stop();
});

/** A fresh connection as daemons make them, counting its ready and error events. */
function connection(name: string) {
  const redis = createRedis({ REDIS_URL: server.url }, log, name);
  opened.push(redis);
  const seen = { ready: 0, reconnects: 0, errors: [] as string[], messages: [] as string[] };
  redis.on('ready', () => {
    seen.ready += 1;
  });
  redis.on('reconnecting', () => {
    seen.reconnects += 1;
  });
  redis.on('error', (err: Error) => seen.errors.push(err.message));
  redis.on('message', (_channel: string, message: string) => seen.messages.push(message));
  return { redis, seen };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('subscribeWhenReady', () => {
  it('keeps its first connection and hears every message published from the moment it returns', async () => {
    const publisher = connection('publisher').redis;
    const { redis, seen } = connection('subscriber');
    await subscribeWhenReady(redis, 'notices');
    for (let i = 0; i < 20; i++) {
      await publisher.publish('notices', String(i));
      await sleep(10);
    }
    await sleep(200);
    expect(seen.messages).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(seen).toMatchObject({ ready: 1, reconnects: 0, errors: [] });
  });

  it('is needed: a SUBSCRIBE sent once connected but not yet ready goes out within the handshake, which fails', async () => {
    const { redis, seen } = connection('eager-subscriber');
    // Connected, handshake (CLIENT SETNAME, INFO) not yet answered: where the gateway subscribed.
    await new Promise((resolve) => redis.once('connect', () => resolve(redis.subscribe('notices'))));
    await sleep(500);
    // Its handshake's next command (CLIENT SETINFO, or INFO: the ready check) is refused in
    // subscriber mode and ioredis drops the connection: messages published meanwhile are lost.
    expect(seen.reconnects).toBeGreaterThan(0);
  });
});
