/**
 * Next-tick entry at admission (BET_ENTRY=next_print, issue 22): the 202 is immediate and says the
 * bet is pending its price; the entry carries the trader's minimum and a reservation of
 * BET_ENTRY_RESERVE_PCT % of the quote (capped at the offered maximum), booked on the exposure keys;
 * a retry gets the same answer; the receipt checks still refuse at once. The quote is the one at the
 * expected fill (`quoteExpectedFill`, a pure function of the receipt's print and the fill's print
 * count): the minimum is checked against it and `quote_moved` reports it.
 */
import { randomUUID } from 'node:crypto';
import { type BetEntry, FILL_DELAY_PRINTS_MAX, payoutMicros } from '@tap/domain';
import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  adaptiveFillDelay,
  DEFAULT_PRICING_CONFIG,
  FILL_DELAY_EASE_SPAN_MS,
  quoteExpectedFill,
  sigmaFromAnnualized,
} from '@tap/pricing';
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

type MarketState = Pick<Parameters<typeof startFakeMarket>[0], 'sigma' | 'noise' | 'filtered'>;

/** `delay`: a fixed fill at that print after receipt, or the adaptive rule (ingest-api's default). */
const withApi = (
  entry: 'receipt' | 'next_print',
  delay: number | 'adaptive' = 1,
  state: () => MarketState = () => ({}),
) => {
  beforeEach(async () => {
    api = await startTestApi(redisServer, {
      BET_ENTRY: entry,
      ...(delay === 'adaptive'
        ? { BET_ENTRY_DELAY: 'adaptive' }
        : { BET_ENTRY_DELAY: 'fixed', BET_ENTRY_DELAY_PRINTS: String(delay) }),
      BET_ENTRY_RESERVE_PCT: '200',
      PRINT_AGE_MS_MAX: '5000',
      BREAKER_HEARTBEAT_AGE_MS_MAX: '10000',
    });
    // Every print carries the state from the first, so whichever print prices a bet has it.
    market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix, ...state() });
    await waitForTrading(api);
  });
  afterEach(async () => {
    await market.stop();
    await api.stop();
  });
};

const trader = async () => {
  const wallet = newWallet();
  const token = await loginAs(api, wallet);
  const userId = wallet.address.toLowerCase();
  await fundInCache(redis, api.prefix, userId, 10_000_000);
  return { token, userId };
};
const aBetRequest = (overrides: Record<string, unknown> = {}) => ({
  clientBetId: randomUUID(),
  ...nextCell(9_500_000),
  stakeMicros: 1_000_000,
  minMultiplierBp: 10_500,
  ...overrides,
});
/** The print that priced an entry at receipt, from its terms (its time is t0 − τ1). */
const printOf = (entry: BetEntry) => ({
  t: entry.t0 - entry.terms.tau1Ms,
  priceCents: entry.terms.indexPriceCents,
  sigma: entry.terms.sigma,
  noise: entry.terms.noise,
  ...(entry.terms.indexNoise === undefined
    ? {}
    : { filteredCents: entry.terms.indexPriceCents, filteredNoise: entry.terms.indexNoise }),
});
/** The quote at the expected fill of an entry, from its terms and its fill's print count. */
const quotedAtFill = (entry: BetEntry) => {
  const cell = { t0: entry.t0, p0: entry.p0, nowMs: entry.placedAt };
  const quote = quoteExpectedFill(
    printOf(entry),
    cell,
    entry.nextPrint?.delayPrints ?? 1,
    DEFAULT_PRICING_CONFIG,
  );
  if (!quote.ok) throw new Error(`not offered at the fill: ${quote.code}`);
  return quote.multiplierBp;
};
const entries = async () =>
  ((await redis.xrange(`${api.prefix}bets`, '-', '+')) as [string, string[]][]).map(
    ([, fields]) => JSON.parse(fields[1]!) as BetEntry,
  );

describe('POST /v1/bets with BET_ENTRY=next_print', () => {
  withApi('next_print');

  it('answers 202 pending without a multiplier and books the reservation; a retry gets the same answer', async () => {
    const { token, userId } = await trader();
    const request = aBetRequest();
    const res = await postJson(api, '/v1/bets', request, token);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      betId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      status: 'pending',
      entry: 'next_print',
    });
    const [entry] = await entries();
    expect(entry).toMatchObject({ betId: res.body.betId, nextPrint: { minMultiplierBp: 10_500 } });
    // 200 % of the quote at the expected fill (the next print), recomputed from the terms.
    const reserved = Math.min(DEFAULT_PRICING_CONFIG.multiplierBpMax, Math.ceil(quotedAtFill(entry!) * 2));
    expect(entry!.multiplierBp).toBe(reserved);
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'balance')).toBe('9000000');
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'exposure')).toBe(
      String(payoutMicros(1_000_000, reserved)),
    );
    const retry = await postJson(api, '/v1/bets', request, token);
    expect([retry.status, retry.body]).toEqual([202, res.body]);
    expect(await entries()).toHaveLength(1);
  });

  it('still refuses at once a bet the latest print quotes below the trader minimum, writing nothing', async () => {
    const { token } = await trader();
    const res = await postJson(api, '/v1/bets', aBetRequest({ minMultiplierBp: 500_000 }), token);
    expect([res.status, res.body.error]).toEqual([409, 'quote_moved']);
    expect(await entries()).toEqual([]);
  });
});

describe("a wallet's fill delay (tapctl delay, keys.fillDelay)", () => {
  withApi('receipt');

  it('admits its bets as next-tick entries filled at the delayed print, even under BET_ENTRY=receipt', async () => {
    const { token, userId } = await trader();
    const plain = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect(plain.body).toMatchObject({ status: 'pending', multiplierBp: expect.any(Number) });
    await redis.set(`${api.prefix}delay:${userId}`, JSON.stringify({ prints: 3, operator: 'edge-monitor' }));
    const delayed = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([delayed.status, delayed.body]).toEqual([
      202,
      { betId: expect.any(String), status: 'pending', entry: 'next_print' },
    ]);
    const [first, second] = await entries();
    expect(first!.nextPrint).toBeUndefined();
    expect(second).toMatchObject({
      betId: delayed.body.betId,
      nextPrint: { minMultiplierBp: 10_500, delayPrints: 3 },
    });
    // Two bets took two tokens: the rebuilt admission did not spend a second one.
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'openbets')).toBe('2');
  });

  it("GET /v1/me says the service prices at receipt (a wallet's own delay is not told)", async () => {
    const { token, userId } = await trader();
    await redis.set(`${api.prefix}delay:${userId}`, JSON.stringify({ prints: 3, operator: 'edge-monitor' }));
    expect((await getJson(api, '/v1/me', token)).body).toMatchObject({ fill: { entry: 'receipt' } });
  });

  it('delays the most when the delay does not parse (fail closed)', async () => {
    const { token, userId } = await trader();
    await redis.set(`${api.prefix}delay:${userId}`, 'not json');
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect(res.body).toMatchObject({ status: 'pending', entry: 'next_print' });
    const [entry] = await entries();
    expect(entry!.nextPrint).toEqual({ minMultiplierBp: 10_500, delayPrints: FILL_DELAY_PRINTS_MAX });
  });
});

describe('a fill delay for every bet (BET_ENTRY=next_print, BET_ENTRY_DELAY_PRINTS=3)', () => {
  withApi('next_print', 3);

  it("fills every bet at the third print, and a wallet's longer delay wins over it", async () => {
    const { token, userId } = await trader();
    const plain = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([plain.status, plain.body]).toEqual([
      202,
      { betId: expect.any(String), status: 'pending', entry: 'next_print' },
    ]);
    await redis.set(`${api.prefix}delay:${userId}`, JSON.stringify({ prints: 5, operator: 'edge-monitor' }));
    const longer = await postJson(api, '/v1/bets', aBetRequest(), token);
    await redis.set(`${api.prefix}delay:${userId}`, JSON.stringify({ prints: 2, operator: 'edge-monitor' }));
    const shorter = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([longer.status, shorter.status]).toEqual([202, 202]);
    expect((await entries()).map((e) => [e.betId, e.nextPrint])).toEqual([
      [plain.body.betId, { minMultiplierBp: 10_500, delayPrints: 3 }],
      [longer.body.betId, { minMultiplierBp: 10_500, delayPrints: 5 }],
      [shorter.body.betId, { minMultiplierBp: 10_500, delayPrints: 3 }],
    ]);
    // One token each: the wallet's delay was answered before the token, the bet rebuilt once.
    expect(await redis.hget(`${api.prefix}wallet:${userId}`, 'openbets')).toBe('3');
  });
});

describe('the quote at the expected fill (BET_ENTRY_DELAY_PRINTS=3, a raw print with η)', () => {
  withApi('next_print', 3, () => ({ sigma: sigmaFromAnnualized(0.6), noise: 0.67e-4 }));

  it('GET /v1/me says the fill rule, so the web quotes the same way', async () => {
    const { token } = await trader();
    expect((await getJson(api, '/v1/me', token)).body.fill).toEqual({
      entry: 'next_print',
      delay: { kind: 'fixed', prints: 3 },
    });
  });

  it('quotes at the expected fill: the minimum is checked against it, quote_moved says it, the reservation scales it', async () => {
    const { token } = await trader();
    market.freeze();
    const print = market.last();
    const cell = nextCell(print.priceCents, Date.now(), 0);
    const expected = quoteExpectedFill(print, { ...cell, nowMs: Date.now() }, 3, DEFAULT_PRICING_CONFIG);
    if (!expected.ok) throw new Error('the cell is not offered');
    // ingest-api re-reads the print every 20 ms: until it has the frozen one, its answer names another.
    let refused = await postJson(
      api,
      '/v1/bets',
      aBetRequest({ ...cell, minMultiplierBp: expected.multiplierBp + 1 }),
      token,
    );
    for (let i = 0; i < 20 && refused.body.printId !== print.id; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = await postJson(
        api,
        '/v1/bets',
        aBetRequest({ ...cell, minMultiplierBp: expected.multiplierBp + 1 }),
        token,
      );
    }
    expect([refused.status, refused.body]).toMatchObject([
      409,
      { error: 'quote_moved', multiplierBp: expected.multiplierBp, printId: print.id },
    ]);
    const admitted = await postJson(
      api,
      '/v1/bets',
      aBetRequest({ ...cell, minMultiplierBp: expected.multiplierBp }),
      token,
    );
    expect(admitted.status).toBe(202);
    const entry = (await entries()).find((e) => e.betId === admitted.body.betId);
    expect(entry!.terms.printId).toBe(print.id);
    // The receipt's terms still price at the print; the quote is the fill's (a raw print's next
    // prints redraw its noise) and what the exposure is reserved at.
    expect(expected.multiplierBp).not.toBe(entry!.terms.multiplierBp);
    expect(quotedAtFill(entry!)).toBe(expected.multiplierBp);
    expect(entry!.multiplierBp).toBe(
      Math.min(DEFAULT_PRICING_CONFIG.multiplierBpMax, Math.ceil(expected.multiplierBp * 2)),
    );
  });
});

describe('the adaptive fill delay (BET_ENTRY_DELAY=adaptive)', () => {
  withApi('next_print', 'adaptive');
  const bp = 1e-4;

  /**
   * The print the rule reads is the one that priced the bet at receipt: its σ, η and filtered index
   * are in the entry's terms, its time is t0 − τ1, and `placedAt` is the receive time.
   */
  const computed = (entry: BetEntry) =>
    adaptiveFillDelay(
      {
        t: entry.t0 - entry.terms.tau1Ms,
        priceCents: entry.terms.indexPriceCents,
        sigma: entry.terms.sigma,
        noise: entry.terms.noise,
        ...(entry.terms.indexNoise === undefined
          ? {}
          : { filteredCents: entry.terms.indexPriceCents, filteredNoise: entry.terms.indexNoise }),
      },
      entry.placedAt,
      ADAPTIVE_FILL_DELAY_DEFAULTS,
      DEFAULT_PRICING_CONFIG.printIntervalMs,
    );

  /**
   * Replaces the market by one printing `state` from its first print, then bets until a bet was
   * priced from such a print (ingest-api re-reads the print every 20 ms; a bet placed before that
   * is priced from the old one and only counts as a try, at most 20).
   */
  const betAt = async (state: { sigma: number; noise: number; filteredNoise?: number }) => {
    await market.stop();
    const filtered =
      state.filteredNoise === undefined
        ? {}
        : { filtered: { filteredCents: 9_500_040, filteredNoise: state.filteredNoise } };
    market = await startFakeMarket({
      redisUrl: redisServer.url,
      prefix: api.prefix,
      sigma: state.sigma,
      noise: state.noise,
      ...filtered,
    });
    const { token } = await trader();
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await postJson(api, '/v1/bets', aBetRequest({ stakeMicros: 100_000 }), token);
      expect([res.status, res.body]).toEqual([
        202,
        { betId: expect.any(String), status: 'pending', entry: 'next_print' },
      ]);
      const entry = (await entries()).find((e) => e.betId === res.body.betId)!;
      if (entry.terms.sigma === state.sigma)
        return { entry, prints: entry.nextPrint?.delayPrints ?? 1, token };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('ingest-api never priced from the new market');
  };

  it('fills each bet at the print the rule computes from its receipt: ≈ 610 ms at 60 %/yr with the filter at 0.42 bp', async () => {
    const { entry, prints } = await betAt({
      sigma: sigmaFromAnnualized(0.6),
      noise: 0.67 * bp,
      filteredNoise: 0.42 * bp,
    });
    expect(entry.terms.indexNoise).toBe(0.42 * bp);
    // The wait is ≈ 614 ms: the 7th print after one seen up to 86 ms before the receipt, later after an older one.
    expect(computed(entry).waitMs).toBeCloseTo(613.9, 0);
    expect(prints).toBe(computed(entry).prints);
    expect(prints).toBeGreaterThanOrEqual(7);
  });

  it('waits longer in a calm market: ≈ 1.2 s at the σ floor, 30 %/yr', async () => {
    const { entry, prints } = await betAt({
      sigma: sigmaFromAnnualized(0.3),
      noise: 0.67 * bp,
      filteredNoise: 0.32 * bp,
    });
    expect(computed(entry).waitMs).toBeCloseTo(1_227.2, 0);
    expect(prints).toBe(computed(entry).prints);
    expect(prints).toBeGreaterThanOrEqual(13);
  });

  it('shrinks the wait by at most BET_ENTRY_DELAY_EASE_PCT (10) % of the time between bets within the ease span, never below the rule', async () => {
    const calm = await betAt({ sigma: sigmaFromAnnualized(0.3), noise: 0.67 * bp, filteredNoise: 0.32 * bp });
    expect(calm.prints).toBe(computed(calm.entry).prints);
    // The market turns volatile and the index tight: the rule's wait falls from 1.2 s to the lead.
    const cold = await betAt({ sigma: sigmaFromAnnualized(0.6), noise: 0 });
    expect(computed(cold.entry).waitMs).toBe(150);
    const easedWaitMs = Math.min(
      computed(calm.entry).waitMs - 0.1 * (cold.entry.placedAt - calm.entry.placedAt),
      150 + FILL_DELAY_EASE_SPAN_MS,
    );
    expect(easedWaitMs).toBeGreaterThan(150);
    // The k-th print after the one in effect is expected k · 100 ms after it: late enough for the eased wait.
    expect(cold.prints * 100).toBeGreaterThanOrEqual(easedWaitMs);
    expect(cold.prints).toBeGreaterThan(computed(cold.entry).prints);
  });

  it('GET /v1/me says the adaptive rule with its values', async () => {
    const { token } = await trader();
    expect((await getJson(api, '/v1/me', token)).body.fill).toEqual({
      entry: 'next_print',
      delay: { kind: 'adaptive', rule: { ...ADAPTIVE_FILL_DELAY_DEFAULTS } },
    });
  });

  it("waits only the lead while η is still 0, and a wallet's longer delay wins", async () => {
    const cold = await betAt({ sigma: sigmaFromAnnualized(0.6), noise: 0 });
    expect(computed(cold.entry).waitMs).toBe(150);
    expect(cold.prints).toBe(computed(cold.entry).prints);
    expect(cold.prints).toBeGreaterThanOrEqual(2);
    await redis.set(
      `${api.prefix}delay:${cold.entry.userId}`,
      JSON.stringify({ prints: 9, operator: 'edge-monitor' }),
    );
    const delayed = await postJson(api, '/v1/bets', aBetRequest({ stakeMicros: 100_000 }), cold.token);
    expect(delayed.status).toBe(202);
    const entry = (await entries()).find((e) => e.betId === delayed.body.betId)!;
    expect(entry.nextPrint).toEqual({ minMultiplierBp: 10_500, delayPrints: 9 });
  });
});
