import { randomUUID } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { type PrintEntry, payoutMicros } from '@tap/domain';
import { DEFAULT_PRICING_CONFIG, pricingIndexOf, quoteCell } from '@tap/pricing';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fundInCache,
  getJson,
  loginAs,
  newWallet,
  nextCell,
  postJson,
  startTestApi,
  type TestApi,
  waitForTrading,
} from '../testing.js';

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

async function setUp(env: Record<string, string> = {}) {
  api = await startTestApi(redisServer, { RATE_LIMIT_BURST: '10000', RATE_LIMIT_PER_S: '10000', ...env });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
  await waitForTrading(api);
}
async function tearDown() {
  await market.stop();
  await api.stop();
}

async function trader(fundMicros = 10_000_000) {
  const wallet = newWallet();
  const token = await loginAs(api, wallet);
  const userId = wallet.address.toLowerCase();
  await fundInCache(redis, api.prefix, userId, fundMicros);
  return { token, userId };
}

function aBetRequest(overrides: Record<string, unknown> = {}) {
  return {
    clientBetId: randomUUID(),
    ...nextCell(9_500_000),
    stakeMicros: 1_000_000,
    minMultiplierBp: 10_500,
    ...overrides,
  };
}

const streamLength = () => redis.xlen(`${api.prefix}bets`);

/** Waits until the fake market has written a print that passes `check` (and admission can read it). */
async function waitForPrint(check: (print: PrintEntry) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check(market.last())) {
    if (Date.now() > deadline) throw new Error('the fake market wrote no such print within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('POST /v1/bets admits a bet', () => {
  // A loaded CI machine can delay the fake market's writes; staleness is tested on its own below.
  beforeEach(() => setUp({ PRINT_AGE_MS_MAX: '5000', BREAKER_HEARTBEAT_AGE_MS_MAX: '10000' }));
  afterEach(() => tearDown());

  it('answers 202 pending with the multiplier and terms, reserves the stake and appends to tap:bets', async () => {
    const { token, userId } = await trader();
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', betId: expect.stringMatching(/^[0-9A-Z]{26}$/) });
    expect(res.body.multiplierBp).toBeGreaterThanOrEqual(10_500);
    expect(res.body.terms).toMatchObject({
      indexPriceCents: 9_500_000,
      configVersion: DEFAULT_PRICING_CONFIG.configVersion,
    });
    expect(await streamLength()).toBe(1);
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'balance')).toBe('9000000');
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'openbets')).toBe('1');
    const lookup = await getJson(api, `/v1/bets/${res.body.betId}`, token);
    expect(lookup.body).toEqual({ betId: res.body.betId, status: 'pending' });
  });

  it('prices from the filtered index when the print carries one, and stores it with its error in the terms', async () => {
    const { token } = await trader();
    const filtered = { filteredCents: 9_500_600, filteredNoise: 0.00003 };
    market.set({ noise: 0.00006, filtered });
    const isFiltered = (print: PrintEntry) => print.filteredCents === filtered.filteredCents;
    await waitForPrint(isFiltered);
    // Admission reads price:last every MARKET_REFRESH_MS: wait for prints written well after the first.
    const firstId = market.last().id;
    await waitForPrint((print) => isFiltered(print) && print.id > firstId + 300);
    const request = aBetRequest({ minMultiplierBp: 10_000 });
    const res = await postJson(api, '/v1/bets', request, token);
    expect(res.body).toMatchObject({ status: 'pending' });
    const terms = res.body.terms as { tau1Ms: number; sigma: number };
    expect(terms).toMatchObject({ indexPriceCents: 9_500_600, indexNoise: 0.00003, noise: 0.00006 });
    // The quote a client computes from the same print (pricingIndexOf), and the one from the raw print.
    const print = { t: request.t0 - terms.tau1Ms, sigma: terms.sigma, noise: 0.00006 };
    const quoteFrom = (index: { indexPriceCents: number; indexNoise: number }) =>
      quoteCell({
        t0: request.t0,
        p0: request.p0,
        nowMs: print.t,
        ...index,
        printTMs: print.t,
        sigma: print.sigma,
        noise: print.noise,
        config: DEFAULT_PRICING_CONFIG,
      });
    const client = quoteFrom(pricingIndexOf({ priceCents: 9_500_000, noise: 0.00006, ...filtered }));
    const raw = quoteFrom(pricingIndexOf({ priceCents: 9_500_000, noise: 0.00006 }));
    expect(client.ok && client.multiplierBp).toBe(res.body.multiplierBp);
    expect(raw.ok && raw.multiplierBp).not.toBe(res.body.multiplierBp);
  });

  it('books the payout on every exposure key; cell and column keys expire after their window', async () => {
    const { token, userId } = await trader();
    const request = aBetRequest();
    const bets = [
      await postJson(api, '/v1/bets', request, token),
      await postJson(api, '/v1/bets', { ...request, clientBetId: randomUUID() }, token),
    ];
    const payouts = bets.map((bet) => {
      expect(bet.status, JSON.stringify(bet.body)).toBe(202);
      return payoutMicros(1_000_000, bet.body.multiplierBp as number);
    });
    const booked = String(payouts[0]! + payouts[1]!);
    const { keys } = createChannels(api.prefix);
    const cell = keys.exposureCell(request.t0, request.p0);
    const column = keys.exposureColumn(request.t0);
    for (const key of [cell, column, keys.exposureTotal]) expect(await redis.get(key)).toBe(booked);
    expect(await redis.hget(keys.wallet(userId), 'exposure')).toBe(booked);
    for (const key of [cell, column]) {
      const expiresInMs = (await redis.pttl(key)) + Date.now();
      expect(expiresInMs).toBeGreaterThan(request.t0 + 5_000);
      expect(expiresInMs).toBeLessThanOrEqual(request.t0 + 5_000 + 120_000 + 1_000);
    }
  });

  it('returns the original answer for a retried clientBetId and refuses the same id with another payload', async () => {
    const { token } = await trader();
    const request = aBetRequest();
    const first = await postJson(api, '/v1/bets', request, token);
    const retries = await Promise.all(
      Array.from({ length: 5 }, () => postJson(api, '/v1/bets', request, token)),
    );
    for (const retry of retries) expect(retry.body).toEqual(first.body);
    market.set({ priceCents: 9_600_000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await postJson(api, '/v1/bets', request, token)).body).toEqual(first.body);
    const other = await postJson(api, '/v1/bets', { ...request, stakeMicros: 2_000_000 }, token);
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('idempotency_conflict');
    expect(await streamLength()).toBe(1);
  });

  it('keeps the idempotency record until t0 + 60 s, holding only the fingerprint, bet id and terms', async () => {
    const { token, userId } = await trader();
    const request = aBetRequest();
    const first = await postJson(api, '/v1/bets', request, token);
    expect(first.status).toBe(202);
    const key = createChannels(api.prefix).keys.idempotency(userId, request.clientBetId);
    expect(await redis.call('PEXPIRETIME', key)).toBe(request.t0 + 60_000);
    const fingerprint = `${request.t0}:${request.p0}:${request.stakeMicros}:${request.minMultiplierBp}`;
    const terms = JSON.stringify(first.body.terms);
    expect(await redis.get(key)).toBe(`${fingerprint}|${first.body.betId}|${terms}`);
  });

  it('admits exactly 10 of 1,000 concurrent $1 bets from a wallet holding $10', async () => {
    const { token, userId } = await trader(10_000_000);
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        postJson(api, '/v1/bets', aBetRequest({ p0: nextCell(9_500_000).p0 + (i % 5) * 1_000 }), token),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    for (const refused of results.filter((r) => r.status !== 202)) {
      expect(refused.body.error).toBe('insufficient_funds');
    }
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'balance')).toBe('0');
    expect(await streamLength()).toBe(10);
  }, 30_000);
});

describe('POST /v1/bets refuses', () => {
  beforeEach(() => setUp({ USER_OPEN_BETS_MAX: '2' }));
  afterEach(() => tearDown());

  it('session_invalid without a token, touching nothing', async () => {
    const res = await postJson(api, '/v1/bets', aBetRequest());
    expect([res.status, res.body.error]).toEqual([401, 'session_invalid']);
    expect(await streamLength()).toBe(0);
  });

  it.each([
    ['malformed JSON', '{"clientBetId": ', 'application/json', 400, 'invalid_body'],
    [
      'unknown fields',
      JSON.stringify({ ...aBetRequest(), bonus: 1 }),
      'application/json',
      400,
      'invalid_body',
    ],
    [
      'a float stake',
      JSON.stringify(aBetRequest({ stakeMicros: 1_000_000.5 })),
      'application/json',
      400,
      'invalid_body',
    ],
    [
      'a string stake',
      JSON.stringify(aBetRequest({ stakeMicros: '1000000' })),
      'application/json',
      400,
      'invalid_body',
    ],
    [
      'a missing field',
      JSON.stringify({ clientBetId: randomUUID() }),
      'application/json',
      400,
      'invalid_body',
    ],
    [
      'a non-UUID clientBetId',
      JSON.stringify(aBetRequest({ clientBetId: 'abc' })),
      'application/json',
      400,
      'invalid_body',
    ],
    [
      'an oversize body',
      JSON.stringify(aBetRequest({ pad: 'x'.repeat(5_000) })),
      'application/json',
      413,
      'body_too_large',
    ],
    ['a wrong content type', JSON.stringify(aBetRequest()), 'text/plain', 415, 'unsupported_media_type'],
  ])('%s with a clear 4xx, touching neither Redis nor the stream', async (_name, body, type, status, code) => {
    const { token, userId } = await trader();
    const keysBefore = (await redis.keys(`${api.prefix}*`)).sort();
    const res = await fetch(`${api.baseUrl}/v1/bets`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${token}` },
      body,
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: code, message: expect.any(String) });
    expect(await streamLength()).toBe(0);
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'balance')).toBe('10000000');
    const keysAfter = (await redis.keys(`${api.prefix}*`)).filter((k) => !k.includes('ratelimit:')).sort();
    expect(keysAfter).toEqual(keysBefore);
  });

  it('stake_out_of_range below $0.10 and above $100', async () => {
    const { token } = await trader();
    for (const stakeMicros of [99_999, 100_000_001]) {
      const res = await postJson(api, '/v1/bets', aBetRequest({ stakeMicros }), token);
      expect([res.status, res.body.error]).toEqual([400, 'stake_out_of_range']);
    }
  });

  it('cell_not_placeable for a window starting too soon, beyond the horizon, or off the grid', async () => {
    const { token } = await trader();
    const { p0 } = nextCell(9_500_000);
    const soon = Math.ceil((Date.now() + 500) / 5_000) * 5_000;
    const cases = [
      { t0: Date.now() - (Date.now() % 5_000), p0 },
      { t0: soon < Date.now() + 2_000 ? soon : soon - 5_000, p0 },
      { t0: Math.ceil((Date.now() + 70_000) / 5_000) * 5_000, p0 },
      { t0: nextCell(9_500_000).t0 + 1, p0 },
      { t0: nextCell(9_500_000).t0, p0: p0 + 5 },
    ];
    for (const cell of cases) {
      const res = await postJson(api, '/v1/bets', aBetRequest(cell), token);
      expect([res.status, res.body.error]).toEqual([409, 'cell_not_placeable']);
    }
  });

  it('cell_not_offered for a band too far to price inside 1.05×…50×', async () => {
    const { token } = await trader();
    const res = await postJson(api, '/v1/bets', aBetRequest({ p0: nextCell(9_500_000).p0 + 200_000 }), token);
    expect([res.status, res.body.error]).toEqual([409, 'cell_not_offered']);
  });

  it('quote_moved with the current multiplier when it is below the trader minimum', async () => {
    const { token } = await trader();
    const res = await postJson(api, '/v1/bets', aBetRequest({ minMultiplierBp: 499_999 }), token);
    expect([res.status, res.body.error]).toEqual([409, 'quote_moved']);
    expect(res.body.multiplierBp).toBeGreaterThanOrEqual(10_500);
    // The print that priced it, so a client can tell a moved price from a moved clock.
    expect(res.body.printId).toEqual(expect.any(Number));
    expect(await streamLength()).toBe(0);
  });

  it('insufficient_funds when the available balance does not cover the stake', async () => {
    const { token } = await trader(500_000);
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([409, 'insufficient_funds']);
  });

  it('wallet_frozen while an operator froze the wallet, touching nothing', async () => {
    const { token, userId } = await trader();
    const { keys } = createChannels(api.prefix);
    await redis.set(
      keys.frozen(userId),
      JSON.stringify({ operator: 'alice', reason: 'review', since: 1, actionId: 'a' }),
    );
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([403, 'wallet_frozen']);
    expect(await streamLength()).toBe(0);
    expect(await redis.hget(keys.wallet(userId), 'balance')).toBe('10000000');
    await redis.del(keys.frozen(userId));
    expect((await postJson(api, '/v1/bets', aBetRequest(), token)).status).toBe(202);
  });

  it("exposure_limit user_payout under the wallet's lowered limit; one that does not parse refuses", async () => {
    const { token, userId } = await trader();
    const { keys } = createChannels(api.prefix);
    const limitTo = (openPayoutMicrosMax: number) =>
      redis.set(
        keys.walletLimit(userId),
        JSON.stringify({
          openPayoutMicrosMax,
          operator: 'edge-monitor',
          reason: 'edge',
          since: 1,
          actionId: 'a',
        }),
      );
    // A $1 stake pays at least $1.05: a $0.50 cap refuses it, touching nothing.
    await limitTo(500_000);
    const refused = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([refused.status, refused.body]).toMatchObject([
      409,
      { error: 'exposure_limit', limit: 'user_payout' },
    ]);
    expect(await streamLength()).toBe(0);
    expect(await redis.hget(keys.wallet(userId), 'balance')).toBe('10000000');
    await limitTo(200_000_000);
    expect((await postJson(api, '/v1/bets', aBetRequest(), token)).status).toBe(202);
    await redis.set(keys.walletLimit(userId), 'not json');
    const closed = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect(closed.body).toMatchObject({ error: 'exposure_limit', limit: 'user_payout' });
    await redis.del(keys.walletLimit(userId));
    expect((await postJson(api, '/v1/bets', aBetRequest(), token)).status).toBe(202);
  });

  it('exposure_limit naming the limit', async () => {
    const { token } = await trader();
    for (let i = 0; i < 2; i += 1)
      expect((await postJson(api, '/v1/bets', aBetRequest(), token)).status).toBe(202);
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect(res.body).toMatchObject({ error: 'exposure_limit', limit: 'user_open_bets' });
    expect(await streamLength()).toBe(2);
  });

  it('price_stale when the latest print is older than 500 ms', async () => {
    const { token } = await trader();
    market.freeze();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([409, 'price_stale']);
  });

  it('trading_halted while the breaker is open', async () => {
    const { token } = await trader();
    market.halt('feed_stale');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([503, 'trading_halted']);
    expect(res.body.message).toContain('feed_stale');
  });

  it('trading_halted when the breaker heartbeat is missing', async () => {
    const { token } = await trader();
    market.freeze();
    await redis.del(`${api.prefix}breaker:state`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([503, 'trading_halted']);
  });

  it('service_unavailable until the batcher has rebuilt the balance cache', async () => {
    const { token } = await trader();
    await redis.del(`${api.prefix}balance:ready`);
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([503, 'service_unavailable']);
    expect(await streamLength()).toBe(0);
  });
});

describe('per-wallet rate limit', () => {
  beforeEach(() => setUp({ RATE_LIMIT_BURST: '10', RATE_LIMIT_PER_S: '5' }));
  afterEach(() => tearDown());

  it('answers 429 rate_limited with Retry-After past the burst', async () => {
    const { token } = await trader(100_000_000);
    const results = [];
    for (let i = 0; i < 12; i += 1)
      results.push(await postJson(api, '/v1/bets', aBetRequest({ stakeMicros: 100_000 }), token));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]?.body.error).toBe('rate_limited');
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('counts bets refused before admission against the same budget', async () => {
    const { token } = await trader(100_000_000);
    const codes = [];
    for (let i = 0; i < 12; i += 1)
      codes.push((await postJson(api, '/v1/bets', aBetRequest({ stakeMicros: 1 }), token)).body.error);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('stake_out_of_range'));
    expect(codes.slice(10)).toContain('rate_limited');
    const admitted = await postJson(api, '/v1/bets', aBetRequest({ stakeMicros: 100_000 }), token);
    expect(admitted.body.error).toBe('rate_limited');
    expect(await streamLength()).toBe(0);
  });
});
