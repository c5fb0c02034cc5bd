/**
 * Issue "Price index", integration with shortened thresholds: the real simulator feed and breaker
 * in front of admission. Stop the feed → the breaker opens → bets get 503 trading_halted → resume
 * the feed → it closes after the recovery period; kill -9 health-monitor → admission fails closed
 * within 5 s (the heartbeat goes stale).
 */
import { startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, LOGIN, nextCell, placeBet, signIn } from './trader.js';

let stack: TestStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({
    daemons: ['price-ingest', 'health-monitor', 'batcher', 'ingest-api'],
    env: {
      'ingest-api': LOGIN,
      'price-ingest': { SIM_OUTAGE_MEAN_INTERVAL_MS: '0' },
      'health-monitor': { BREAKER_STALE_MS: '1500', BREAKER_RECOVERY_MS: '2000' },
    },
  });
  redis = new Redis(stack.redis.url);
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const breakerState = () => redis.hget(`${stack.prefix}breaker:state`, 'state');
const lastPrice = async () =>
  (JSON.parse((await redis.get(`${stack.prefix}price:last`)) ?? '{}') as { priceCents: number }).priceCents;

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

/**
 * ingest-api sees the breaker through a snapshot refreshed every MARKET_REFRESH_MS (20 ms), so the
 * first bet right after Redis says `closed` may still meet the old state: a bet must be admitted
 * within a second, and every refusal meanwhile must be the breaker's.
 */
async function admittedSoon(token: string): Promise<void> {
  const refusals: string[] = [];
  await waitFor(async () => {
    const res = await placeBet(stack, token, nextCell(await lastPrice()));
    if (res.status !== 202) refusals.push(`${res.status} ${res.body.error}`);
    return res.status === 202;
  }, 1_000);
  for (const refusal of refusals) expect(refusal).toBe('503 trading_halted');
}

/**
 * The same lag the other way: right after Redis says `open` the snapshot may still be `closed`,
 * and with the feed stopped the API then answers `409 price_stale` (its own staleness check). A
 * bet must be refused `503 trading_halted` within a second; every other answer meanwhile must be
 * the stale price.
 */
async function haltedSoon(token: string): Promise<void> {
  const others: string[] = [];
  await waitFor(async () => {
    const res = await placeBet(stack, token, nextCell(await lastPrice()));
    const answer = `${res.status} ${res.body.error}`;
    if (answer !== '503 trading_halted') others.push(answer);
    return answer === '503 trading_halted';
  }, 1_000);
  for (const other of others) expect(other).toBe('409 price_stale');
}

describe('the breaker in front of admission', () => {
  it('halts trading while the feed is stopped and resumes after the recovery period', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 50_000_000);
    await waitFor(async () => (await breakerState()) === 'closed', 20_000);
    await admittedSoon(trader.token);

    const feed = stack.daemon('price-ingest');
    feed.child.kill('SIGSTOP');
    try {
      await waitFor(async () => (await breakerState()) === 'open', 5_000);
      await haltedSoon(trader.token);
    } finally {
      feed.child.kill('SIGCONT');
    }
    const closedAfterMs = await waitFor(async () => (await breakerState()) === 'closed', 10_000);
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_900);
    await admittedSoon(trader.token);
  }, 60_000);

  it('fails closed within 5 s when health-monitor dies', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 50_000_000);
    await waitFor(async () => (await breakerState()) === 'closed', 20_000);
    await stack.daemon('health-monitor').stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => {
      const res = await placeBet(stack, trader.token, nextCell(await lastPrice()));
      return res.status === 503 && res.body.error === 'trading_halted';
    }, 8_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(5_500);
  }, 30_000);

  it('serves the 1-second candles price-ingest keeps, for the chart history', async () => {
    const to = Date.now();
    const res = await fetch(`${stack.apiUrl}/v1/index/history?resolution=1s&from=${to - 10_000}&to=${to}`);
    const body = (await res.json()) as {
      candles: { t: number; o: number; h: number; l: number; c: number }[];
    };
    expect(body.candles.length).toBeGreaterThan(3);
    for (const candle of body.candles) {
      expect(candle.l).toBeLessThanOrEqual(Math.min(candle.o, candle.c));
      expect(candle.h).toBeGreaterThanOrEqual(Math.max(candle.o, candle.c));
      expect(candle.t * 1000).toBeGreaterThanOrEqual(to - 10_000);
    }
    const tooWide = await fetch(`${stack.apiUrl}/v1/index/history?resolution=1s&from=0&to=${to}`);
    expect([tooWide.status, ((await tooWide.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_query',
    ]);
  });
});
