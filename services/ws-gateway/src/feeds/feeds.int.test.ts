import { aPrint, startRedis, TEST_USER, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TestClient, type TestGateway } from '../test-gateway.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects `count` authenticated clients, each with a session of its own, `parallel` at a time. */
async function connectMany(gateway: TestGateway, count: number, parallel = 100): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  while (clients.length < count) {
    const batch = Math.min(parallel, count - clients.length);
    const tokens = await Promise.all(Array.from({ length: batch }, () => gateway.session(TEST_USER)));
    clients.push(...(await Promise.all(tokens.map((token) => TestClient.ready(gateway.url, token)))));
  }
  return clients;
}

const tickIds = (client: TestClient, from: number) =>
  client.messages.filter((m) => m.type === 'tick' && Number(m.id) >= from).map((m) => Number(m.id));

describe('ws-gateway fan-out', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(() => redis?.stop());

  it('delivers every tick of a 10 s run at 10 ticks/s to 1,000 clients, in order', async () => {
    // Every test client comes from 127.0.0.1: the per-address cap (default 100) is lifted here.
    const gateway = await startTestGateway(redis, { WS_CONNECTIONS_PER_IP_MAX: '10000' });
    try {
      const clients = await connectMany(gateway, 1_000);
      expect((await gateway.health()).clients).toBe(1_000);
      const firstId = 1_000_000;
      const expected = Array.from({ length: 100 }, (_, i) => firstId + i);
      const startedAt = Date.now();
      for (const id of expected) {
        await gateway.appendPrint(aPrint({ id, t: startedAt + (id - firstId) * 100 }));
        await sleep(startedAt + (id - firstId + 1) * 100 - Date.now());
      }
      // 100,000 frames land in this one test process: on a loaded host its 1,000 sockets are read
      // late, so wait generously, and on failure say which clients lack what (and whether the
      // gateway dropped or closed them) rather than print one client's messages.
      const incomplete = () => clients.filter((c) => tickIds(c, firstId).length < expected.length);
      const deadline = Date.now() + 30_000;
      while (incomplete().length > 0 && Date.now() < deadline) await sleep(100);
      const lacking = incomplete();
      expect({
        incomplete: lacking.length,
        drops: await gateway.metric('tap_ws_gateway_backpressure_drops_total'),
        firstIncomplete: lacking[0] && {
          ticks: tickIds(lacking[0], firstId).length,
          last: lacking[0].messages.slice(-2),
        },
      }).toEqual({ incomplete: 0, drops: 0, firstIncomplete: undefined });
      for (const client of clients) expect(tickIds(client, firstId)).toEqual(expected);
      expect(await gateway.metric('tap_ws_gateway_messages_published_total')).toBeGreaterThanOrEqual(100);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await gateway.stop();
    }
  }, 60_000);

  it('drops a client that stops reading once its send buffer passes the limit; others keep receiving', async () => {
    // Reads of 100 prints (~15 KB of ticks) keep each publish burst under half the 64 KB limit, so
    // the guard's sweep sees the buffer climb and the drop is counted whoever closes the socket. With
    // the default 1,000 one burst could overshoot the limit and uWS close it unseen (a flaky 0).
    const gateway = await startTestGateway(redis, {
      WS_SEND_BUFFER_BYTES_MAX: '65536',
      WS_READ_COUNT_MAX: '100',
    });
    try {
      const [slow, ...fast] = await connectMany(gateway, 3);
      if (!slow) throw new Error('no clients');
      const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      // The kernel's socket buffers take several MB first; keep flooding until the gateway drops it.
      let written = 0;
      const firstId = 2_000_000;
      while ((await gateway.metric('tap_ws_gateway_backpressure_drops_total')) === 0 && written < 600_000) {
        const batch = gateway.redis.pipeline();
        for (let i = 0; i < 10_000; i++, written++) {
          batch.xadd(
            gateway.channels.streams.prices,
            '*',
            'd',
            JSON.stringify(aPrint({ id: firstId + written })),
          );
        }
        await batch.exec();
        await sleep(200);
      }
      // On a loaded machine the gateway may still be working through the stream when the writing
      // stops; the drop comes when it reaches the backlog's end, so wait for it.
      const deadline = Date.now() + 20_000;
      while (
        (await gateway.metric('tap_ws_gateway_backpressure_drops_total')) === 0 &&
        Date.now() < deadline
      ) {
        await sleep(200);
      }
      expect(await gateway.metric('tap_ws_gateway_backpressure_drops_total')).toBe(1);
      const after = firstId + written;
      await gateway.appendPrint(aPrint({ id: after }));
      for (const client of fast) {
        await client.until(() => (tickIds(client, after).length === 1 ? true : undefined), 20_000);
        const ids = tickIds(client, firstId);
        expect(ids).toHaveLength(written + 1);
        expect(ids.every((id, i) => id === firstId + i)).toBe(true);
      }
      socket.resume();
      expect((await slow.closed).code).toBe(1006);
      expect(tickIds(slow, firstId).length).toBeLessThan(written);
      expect((await gateway.health()).clients).toBe(2);
    } finally {
      await gateway.stop();
    }
  }, 90_000);

  it('starts while Redis already holds a fresh breaker state (a restart while health-monitor runs)', async () => {
    const since = Date.now();
    const gateway = await startTestGateway(redis, {}, async (r, channels) => {
      await r.hset(channels.keys.breakerState, {
        state: 'closed',
        reason: 'healthy',
        since,
        heartbeatAt: since,
      });
    });
    try {
      const [client] = await connectMany(gateway, 1);
      expect(client?.messages[1]).toMatchObject({
        type: 'breaker',
        state: 'closed',
        reason: 'healthy',
        since,
      });
    } finally {
      await gateway.stop();
    }
  });

  it('sends the current breaker state at auth and every change to every client', async () => {
    const since = Date.now();
    const gateway = await startTestGateway(redis, { WS_BREAKER_STALE_MS: '1500', WS_BREAKER_POLL_MS: '100' });
    try {
      await gateway.setBreaker({ state: 'closed', reason: 'healthy', since }, Date.now(), {
        announce: false,
      });
      await sleep(300);
      const heartbeat = setInterval(
        () => void gateway.redis.hset(gateway.channels.keys.breakerState, 'heartbeatAt', Date.now()),
        200,
      );
      const clients = await connectMany(gateway, 50);
      for (const client of clients) {
        expect(client.messages[1]).toEqual({ type: 'breaker', state: 'closed', reason: 'healthy', since });
      }
      await gateway.setBreaker({ state: 'open', reason: 'stale_prices', since: since + 1 }, Date.now());
      const opened = { type: 'breaker', state: 'open', reason: 'stale_prices', since: since + 1 };
      await Promise.all(
        clients.map((c) => c.waitFor((m) => m.type === 'breaker' && m.reason === 'stale_prices')),
      );
      for (const client of clients) expect(client.ofType('breaker').slice(1)).toEqual([opened]);
      // health-monitor stops: its heartbeat goes stale, and trading reads as halted everywhere.
      clearInterval(heartbeat);
      await gateway.setBreaker({ state: 'closed', reason: 'healthy', since: since + 2 }, Date.now());
      await Promise.all(clients.map((c) => c.waitFor((m) => m.reason === 'no_heartbeat', 5_000)));
      for (const client of clients) {
        expect(
          client
            .ofType('breaker')
            .slice(1)
            .map((m) => `${m.state}/${m.reason}`),
        ).toEqual(['open/stale_prices', 'closed/healthy', 'open/no_heartbeat']);
      }
    } finally {
      await gateway.stop();
    }
  }, 30_000);
});
