import { compareStreamIds, encodeEntry } from '@tap/channels';
import type { EventEntry } from '@tap/domain';
import { startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aBalanceEvent,
  type Message,
  startTestGateway,
  TestClient,
  type TestGateway,
} from '../test-gateway.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';
let counter = 0;
const aBetEvent = (userId: string): EventEntry => {
  counter += 1;
  const betId = `01JAB${String(counter).padStart(21, '0')}`;
  return { type: 'bet', userId, betId, status: 'accepted', balanceMicros: counter };
};
const events = (client: TestClient) =>
  client.messages.filter((m) => m.type === 'bet' || m.type === 'balance');
const ids = (messages: Message[]) => messages.map((m) => m.id as string);

describe('ws-gateway user events and resume', () => {
  let redis: TestRedis;
  let gateway: TestGateway;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    redis = await startRedis();
    // Resumes are rate-limited per session (limits.int.test.ts attacks that); these tests resume a lot.
    gateway = await startTestGateway(redis, { WS_RESUME_BURST: '1000', WS_USER_RESUME_BURST: '1000' });
    tokenA = await gateway.session(A);
    tokenB = await gateway.session(B);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  it('delivers each user only its own events, with their stream ids', async () => {
    const [a, b] = await Promise.all([
      TestClient.ready(gateway.url, tokenA),
      TestClient.ready(gateway.url, tokenB),
    ]);
    const written: [string, EventEntry][] = [];
    for (const event of [aBetEvent(A), aBalanceEvent(B), aBalanceEvent(A), aBetEvent(B)]) {
      written.push([await gateway.appendEvent(event), event]);
    }
    await a.until(() => (events(a).length >= 2 ? true : undefined));
    await b.until(() => (events(b).length >= 2 ? true : undefined));
    const expected = (userId: string) =>
      written.filter(([, e]) => e.userId === userId).map(([id, e]) => ({ ...e, id }));
    expect(events(a)).toEqual(expected(A));
    expect(events(b)).toEqual(expected(B));
    await Promise.all([a.close(), b.close()]);
  });

  it('sends a reconnecting client exactly the events it missed, in order, then live ones', async () => {
    const first = await TestClient.ready(gateway.url, tokenA);
    const seen = await gateway.appendEvent(aBalanceEvent(A));
    await first.waitFor((m) => m.id === seen);
    await first.close();
    const missed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = await gateway.appendEvent(aBalanceEvent(i % 3 === 0 ? B : A));
      if (i % 3 !== 0) missed.push(id);
    }
    const second = await TestClient.ready(gateway.url, tokenA, seen);
    await second.until(() => (events(second).length >= missed.length ? true : undefined));
    const live = await gateway.appendEvent(aBetEvent(A));
    await second.waitFor((m) => m.id === live);
    expect(ids(events(second))).toEqual([...missed, live]);
    await second.close();
  });

  it('gives a client that has seen no event a position in ready it can resume from, missing nothing', async () => {
    // Once a live socket got `before`, the reader has passed it: the next socket's position covers it.
    const watcher = await TestClient.ready(gateway.url, tokenA);
    const before = await gateway.appendEvent(aBalanceEvent(A));
    await watcher.waitFor((m) => m.id === before);
    await watcher.close();
    const first = await TestClient.ready(gateway.url, tokenA);
    const position = first.messages.find((m) => m.type === 'ready')?.eventsId as string;
    // Every event published before the subscription is at or before the position, none after it.
    expect(compareStreamIds(position, before)).toBeGreaterThanOrEqual(0);
    await first.close();
    const missed = [await gateway.appendEvent(aBetEvent(A)), await gateway.appendEvent(aBalanceEvent(A))];
    const second = await TestClient.ready(gateway.url, tokenA, position);
    await second.until(() => (events(second).length >= missed.length ? true : undefined));
    expect(ids(events(second))).toEqual(missed);
    await second.close();
  });

  it('replays from memory: a resume reads nothing from tap:events in Redis', async () => {
    const first = await TestClient.ready(gateway.url, tokenA);
    const seen = await gateway.appendEvent(aBalanceEvent(A));
    await first.waitFor((m) => m.id === seen);
    await first.close();
    const missed = await gateway.appendEvent(aBetEvent(A));
    await gateway.redis.config('RESETSTAT');
    const client = await TestClient.ready(gateway.url, tokenA, seen);
    await client.waitFor((m) => m.id === missed);
    expect(events(client).map((m) => m.id)).toEqual([missed]);
    const stats = String(await gateway.redis.info('commandstats'));
    expect(stats).not.toMatch(/cmdstat_(xrange|xrevrange|xinfo)/);
    await client.close();
  });

  it('after a restart, replays what tap:events still holds (the window is seeded at start)', async () => {
    const written: string[] = [];
    const own = await startTestGateway(redis, {}, async (r, channels) => {
      for (const event of [aBalanceEvent(A), aBetEvent(B), aBetEvent(A), aBalanceEvent(A)]) {
        written.push((await r.xadd(channels.streams.events, '*', ...encodeEntry('events', event))) as string);
      }
    });
    try {
      const token = await own.session(A);
      const client = await TestClient.ready(own.url, token, written[0]);
      await client.waitFor((m) => m.id === written[3]);
      expect(ids(events(client))).toEqual([written[2], written[3]]);
      await client.close();
    } finally {
      await own.stop();
    }
  });

  it('after a restart, resyncs an id older than what tap:events kept once it was trimmed', async () => {
    const written: string[] = [];
    const own = await startTestGateway(redis, {}, async (r, channels) => {
      for (let i = 0; i < 4; i++)
        written.push(
          (await r.xadd(channels.streams.events, '*', ...encodeEntry('events', aBalanceEvent(A)))) as string,
        );
      await r.xtrim(channels.streams.events, 'MAXLEN', 2);
    });
    try {
      const token = await own.session(A);
      const trimmed = await TestClient.ready(own.url, token, written[0]);
      expect(await trimmed.waitFor((m) => m.type === 'resync')).toEqual({
        type: 'resync',
        reason: 'events_trimmed',
      });
      await trimmed.close();
      const kept = await TestClient.ready(own.url, token, written[2]);
      await kept.waitFor((m) => m.id === written[3]);
      expect(ids(events(kept))).toEqual([written[3]]);
      await kept.close();
    } finally {
      await own.stop();
    }
  });

  it('asks for a resync when the id is newer than anything the stream issued', async () => {
    const client = await TestClient.ready(gateway.url, tokenA, '99999999999999-0');
    expect(await client.waitFor((m) => m.type === 'resync')).toEqual({
      type: 'resync',
      reason: 'events_unknown',
    });
    await client.close();
  });

  it('loses and repeats nothing across many reconnects while events keep arriving', async () => {
    const start = await gateway.appendEvent(aBalanceEvent(B));
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) {
        const batch = gateway.redis.pipeline();
        for (let k = 0; k < 5; k++, i++) {
          const event = i % 2 === 0 ? aBetEvent(A) : aBalanceEvent(B);
          batch.xadd(gateway.channels.streams.events, '*', 'd', JSON.stringify(event));
        }
        await batch.exec();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const received: Message[] = [];
    let lastId = start;
    for (let round = 0; round < 15; round++) {
      const client = await TestClient.ready(gateway.url, tokenA, lastId);
      await new Promise((resolve) => setTimeout(resolve, 20 + ((round * 37) % 80)));
      await client.close();
      const got = events(client);
      received.push(...got);
      lastId = (got.at(-1)?.id as string | undefined) ?? lastId;
    }
    writing = false;
    await writer;
    const final = await TestClient.ready(gateway.url, tokenA, lastId);
    const stream = await gateway.redis.xrange(gateway.channels.streams.events, `(${start}`, '+');
    const expected = stream.filter(([, fields]) => (fields[1] ?? '').includes(A)).map(([id]) => id);
    const last = expected.at(-1);
    await final.until(() => ((events(final).at(-1)?.id ?? lastId) === last ? true : undefined));
    received.push(...events(final));
    expect(expected.length).toBeGreaterThan(100);
    expect(ids(received)).toEqual(expected);
    for (let i = 1; i < received.length; i++) {
      expect(compareStreamIds(String(received[i]?.id), String(received[i - 1]?.id))).toBeGreaterThan(0);
    }
    await final.close();
  }, 30_000);
});
