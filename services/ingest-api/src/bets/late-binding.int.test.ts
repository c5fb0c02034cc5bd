/**
 * Late-binding bets (SPEC §5): the receive time that prices a bet is taken when its whole body has
 * arrived. The attack: send the headers (and most of the body) while a cell is still placeable,
 * wait until the window is about to start — knowing where the index is — then send the last byte.
 * Sent straight at the uWS port, as nginx's request buffering would otherwise hide it. The
 * admission script re-checks the lead time against Redis TIME, whatever delayed the bet.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createChannels } from '@tap/channels';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundInCache, loginAs, newWallet, startTestApi, type TestApi } from '../testing.js';
import { createAdmission } from './admission-script.js';

const { windowMs, leadMs } = DEFAULT_PRICING_CONFIG;
let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;
let token: string;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startTestApi(redisServer, { PRINT_AGE_MS_MAX: '5000', BREAKER_HEARTBEAT_AGE_MS_MAX: '10000' });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
  const wallet = newWallet();
  token = await loginAs(api, wallet);
  await fundInCache(redis, api.prefix, wallet.address.toLowerCase(), 100_000_000);
});
afterAll(async () => {
  await market.stop();
  await api.stop();
  redis.disconnect();
  await redisServer.stop();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for a window that starts 3.3–4.3 s from now: placeable now, too soon in ~2 s. */
async function windowStartingSoon(): Promise<number> {
  for (;;) {
    const nowMs = Date.now();
    const t0 = Math.ceil((nowMs + 3_300) / windowMs) * windowMs;
    if (t0 - nowMs <= 4_300) return t0;
    await sleep(50);
  }
}

/** POSTs a bet over a raw socket, holding back the body's last byte until `releaseLastByte` resolves. */
function slowBet(body: string, releaseLastByte: () => Promise<void>) {
  const port = Number(new URL(api.baseUrl).port);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      const split = answer.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(answer)?.[1] ?? -1);
      if (split < 0 || length < 0 || answer.length < split + 4 + length) return;
      socket.end();
      resolve({ status: Number(answer.split(' ')[1]), body: JSON.parse(answer.slice(split + 4)) });
    });
    socket.on('error', reject);
    socket.write(
      `POST /v1/bets HTTP/1.1\r\nHost: tap.test\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, -1)}`,
    );
    void releaseLastByte().then(() => socket.write(body.slice(-1)));
  });
}

function betOn(t0: number) {
  const p0 = Math.floor(9_500_000 / 1_000) * 1_000 + 1_000;
  return JSON.stringify({
    clientBetId: randomUUID(),
    t0,
    p0,
    stakeMicros: 1_000_000,
    minMultiplierBp: 10_500,
  });
}

describe('a bet body sent slowly', () => {
  it('is admitted when it completes in time, with placedAt taken after its last byte', async () => {
    const t0 = await windowStartingSoon();
    let lastByteAtMs = 0;
    const res = await slowBet(betOn(t0), async () => {
      await sleep(1_000);
      lastByteAtMs = Date.now();
    });
    expect(res.status).toBe(202);
    const [first] = await redis.xrange(`${api.prefix}bets`, '-', '+');
    const entry = JSON.parse(first?.[1][1] ?? '{}') as { betId: string; placedAt: number };
    expect(entry.betId).toBe(res.body.betId);
    expect(entry.placedAt).toBeGreaterThanOrEqual(lastByteAtMs);
  });

  it('is priced when its last byte arrives: too late for the window → cell_not_placeable, nothing admitted', async () => {
    const before = await redis.xlen(`${api.prefix}bets`);
    const t0 = await windowStartingSoon();
    const res = await slowBet(betOn(t0), async () => {
      while (t0 - Date.now() > leadMs - 800) await sleep(20);
    });
    expect([res.status, res.body.error, res.body.reason]).toEqual([
      409,
      'cell_not_placeable',
      'starts_too_soon',
    ]);
    expect(await redis.xlen(`${api.prefix}bets`)).toBe(before);
  });
});

describe('the admission script', () => {
  it('refuses a bet whose cell starts within the lead by Redis TIME, however it was delayed', async () => {
    const prefix = 'late-script:';
    const channels = createChannels(prefix);
    await redis.set(channels.keys.balanceCacheReady, '1');
    await redis.hset(
      channels.keys.wallet('0x00000000000000000000000000000000000000bb'),
      'balance',
      '100000000',
    );
    const admit = createAdmission(
      redis,
      channels,
      { cellMicros: 1e12, columnMicros: 1e12, totalMicros: 1e12, userPayoutMicros: 1e12, userOpenBets: 100 },
      { ratePerS: 100, burst: 100 },
    );
    const receivedAtMs = Date.now() - 5_000; // priced 5 s ago, when the cell was still placeable
    const t0 = Date.now() + leadMs - 1_000;
    const result = await admit({
      userId: '0x00000000000000000000000000000000000000bb',
      clientBetId: randomUUID(),
      betId: '01JEXAMPLE0000000000000000',
      t0,
      p0: 9_501_000,
      stakeMicros: 1_000_000,
      payoutMicros: 2_000_000,
      fingerprint: 'f',
      entryJson: '{}',
      termsBytes: 0,
      exposureExpireAtMs: t0 + 120_000,
      receivedAtMs,
      leadMs,
    });
    expect(result).toEqual({ ok: false, code: 'cell_not_placeable', reason: 'starts_too_soon' });
    expect(await redis.xlen(channels.streams.bets)).toBe(0);
    expect(
      await redis.hget(channels.keys.wallet('0x00000000000000000000000000000000000000bb'), 'balance'),
    ).toBe('100000000');
  });
});
