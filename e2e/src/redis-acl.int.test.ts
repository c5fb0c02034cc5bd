/**
 * Issue 16, "Redis is one open door to all the money": every daemon runs as its own Redis ACL user
 * (infra/redis-users.acl.in), on a real redis-server started on the shipped infra/redis.conf as
 * scripts/install-redis.sh installs it (its own `aclfile` line loads the users), and each daemon
 * reaches it over its unix socket (REDIS_URL=unix:///…/redis.sock), as in production.
 * The whole bet path works under those users (a bet admitted, accepted and settled, a logout
 * closing the session's socket, no daemon refused a command), and each user is refused what it must not do: ws-gateway writes nothing,
 * ingest-api cannot forge adjustments, settlements, operator entries or prints, no application
 * user may run CONFIG / FLUSHALL / KEYS / MODULE / ACL, and the default user is off.
 */
import { createChannels, encodeEntry } from '@tap/channels';
import { anAdjustment, redisAclUsers, type StackDaemon, startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, LOGIN, nextCell, openSocket, placeBet, signIn } from './trader.js';

const BREAKER_ENV = { BREAKER_RECOVERY_MS: '1000' };
const DAEMONS: StackDaemon[] = [
  'price-ingest',
  'health-monitor',
  'batcher',
  'ingest-api',
  'ws-gateway',
  'resolver',
];

let stack: TestStack;
let admin: Redis;
const users = new Map<string, Redis>();

beforeAll(async () => {
  stack = await startStack({
    acl: true,
    redisSocket: true,
    daemons: DAEMONS,
    env: { 'ingest-api': LOGIN, 'health-monitor': BREAKER_ENV, resolver: BREAKER_ENV },
  });
  admin = new Redis(stack.redis.url);
}, 90_000);
afterAll(async () => {
  for (const client of users.values()) client.disconnect();
  admin.disconnect();
  await stack.stop();
});

/** A connection signed in as `user`, as that daemon's own would be. */
function as(user: string): Redis {
  let client = users.get(user);
  if (!client) {
    const { REDIS_USERNAME, REDIS_PASSWORD } = stack.redis.credentials(user);
    client = new Redis({ port: stack.redis.port, username: REDIS_USERNAME, password: REDIS_PASSWORD });
    users.set(user, client);
  }
  return client;
}

const refused = /^NOPERM/;

describe('Redis ACL users per daemon', () => {
  it('run the whole bet path: a bet admitted, accepted on the WebSocket and settled, logout closing the socket, no command refused', async () => {
    const channels = createChannels(stack.prefix);
    const breakerClosed = async () => (await admin.hget(channels.keys.breakerState, 'state')) === 'closed';
    for (const deadline = Date.now() + 30_000; !(await breakerClosed()); ) {
      if (Date.now() > deadline) throw new Error('the breaker did not close within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const trader = await signIn(stack);
    await deposit(stack, admin, trader.userId, 10_000_000);
    const socket = await openSocket(stack, trader.token);
    const price = JSON.parse((await admin.get(channels.keys.priceLast)) ?? '{}') as { priceCents: number };
    const placed = await placeBet(stack, trader.token, {
      ...nextCell(price.priceCents),
      minMultiplierBp: 10_000,
    });
    expect(placed, JSON.stringify(placed.body)).toMatchObject({ status: 202 });
    const betId = placed.body.betId;
    expect(await socket.waitFor((e) => e.type === 'bet' && e.betId === betId)).toMatchObject({
      status: 'accepted',
    });
    const settled = await socket.waitFor(
      (e) => e.betId === betId && ['won', 'lost', 'void'].includes(String(e.status)),
      40_000,
    );
    expect(settled.betId).toBe(betId);
    // Logout publishes the revoked session (ingest-api's one channel); ws-gateway closes its socket.
    const logout = await fetch(`${stack.apiUrl}/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trader.token}` },
    });
    expect(logout.status).toBe(200);
    await socket.waitFor((e) => e.type === 'error' && e.error === 'session_invalid', 5_000);
    for (const name of DAEMONS) {
      expect(stack.daemon(name).lines.filter((line) => /NOPERM|WRONGPASS|NOAUTH/.test(line))).toEqual([]);
    }
    // Every daemon came in over the unix socket as its own user; only this test's clients use TCP.
    const socketPath = new URL(stack.redis.socketUrl!).pathname;
    const clients = String(await admin.client('LIST'))
      .trim()
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2))));
    for (const name of DAEMONS) {
      const own = clients.filter((c) => c.user === name);
      expect(own.length, name).toBeGreaterThan(0);
      for (const client of own) expect(client.addr, name).toBe(`${socketPath}:0`);
    }
  }, 90_000);

  it('refuses each daemon what it must not do', async () => {
    const { streams, keys } = createChannels(stack.prefix);
    const forged = ['d', '{"forged":true}'];
    const xadd = (user: string, stream: string) => as(user).xadd(stream, '*', ...forged);
    await expect(xadd('ws-gateway', streams.bets)).rejects.toThrow(refused);
    await expect(as('ws-gateway').set(keys.session('f'.repeat(64)), '0xattacker')).rejects.toThrow(refused);
    for (const stream of [
      streams.adjustments,
      streams.settlements,
      streams.operator,
      streams.prices,
      streams.events,
    ]) {
      await expect(xadd('ingest-api', stream)).rejects.toThrow(refused);
    }
    await expect(as('ingest-api').hset(keys.breakerState, 'state', 'closed')).rejects.toThrow(refused);
    await expect(as('ingest-api').set(keys.balanceCacheReady, '1')).rejects.toThrow(refused);
    await expect(as('ingest-api').del(keys.frozen('0xabc'))).rejects.toThrow(refused);
    await expect(as('ingest-api').del(keys.walletLimit('0xabc'))).rejects.toThrow(refused);
    await expect(xadd('price-ingest', streams.bets)).rejects.toThrow(refused);
    await expect(xadd('price-ingest', streams.settlements)).rejects.toThrow(refused);
    await expect(xadd('health-monitor', streams.prices)).rejects.toThrow(refused);
    await expect(xadd('resolver', streams.adjustments)).rejects.toThrow(refused);
    await expect(xadd('resolver', streams.bets)).rejects.toThrow(refused);
    await expect(as('integrity-cron').hset(keys.wallet('0xabc'), 'balance', '1')).rejects.toThrow(refused);
    // Forged money entries never landed.
    const adjustment = encodeEntry(
      'adjustments',
      anAdjustment({ userId: '0x000000000000000000000000000000000000dead', reason: 'forged' }),
    );
    await expect(as('ingest-api').xadd(streams.adjustments, '*', ...adjustment)).rejects.toThrow(refused);
    const all = await admin.xrange(streams.adjustments, '-', '+');
    expect(all.filter(([, fields]) => fields.join().includes('forged'))).toEqual([]);
  });

  it('lets the operator (tapctl) and integrity-cron do their own work', async () => {
    const { streams, keys } = createChannels(stack.prefix);
    await expect(as('tapctl').xlen(streams.deadLetter)).resolves.toBeGreaterThanOrEqual(0);
    await expect(as('tapctl').set(keys.frozen('0xdead'), '{"drill":true}', 'PX', 1)).resolves.toBe('OK');
    await expect(
      as('tapctl').eval("return redis.call('EXISTS', KEYS[1])", 1, keys.frozen('0xabc')),
    ).resolves.toBe(0);
    await expect(as('integrity-cron').ping()).resolves.toBe('PONG');
    await expect(as('integrity-cron').scan('0', 'MATCH', `${stack.prefix}balance:*`)).resolves.toHaveLength(
      2,
    );
    await expect(as('integrity-cron').scan('0', 'MATCH', '*')).resolves.toHaveLength(2);
  });

  it('gives no application user CONFIG, FLUSHALL, KEYS, MODULE, ACL or DEBUG, and leaves the default user off', async () => {
    const applicationUsers = redisAclUsers().filter((name) => name !== 'default' && name !== 'admin');
    expect(applicationUsers).toContain('ws-gateway');
    for (const user of applicationUsers) {
      const client = as(user);
      await expect(client.config('SET', 'maxmemory', '1'), user).rejects.toThrow(refused);
      await expect(client.call('CONFIG', 'GET', 'requirepass'), user).rejects.toThrow(refused);
      await expect(client.flushall(), user).rejects.toThrow(refused);
      await expect(client.keys('*'), user).rejects.toThrow(refused);
      await expect(client.call('MODULE', 'LIST'), user).rejects.toThrow(refused);
      await expect(client.call('ACL', 'LIST'), user).rejects.toThrow(refused);
      await expect(client.call('DEBUG', 'SLEEP', '0'), user).rejects.toThrow(/NOPERM|not allowed/);
    }
    const socketPath = new URL(stack.redis.socketUrl!).pathname;
    for (const address of [{ port: stack.redis.port }, { path: socketPath }]) {
      const anonymous = new Redis({ ...address, lazyConnect: true, enableReadyCheck: false });
      await anonymous.connect().catch(() => undefined);
      await expect(anonymous.get(createChannels(stack.prefix).keys.priceLast)).rejects.toThrow(
        /NOAUTH|WRONGPASS|NOPERM/,
      );
      anonymous.disconnect();
    }
  });
});
