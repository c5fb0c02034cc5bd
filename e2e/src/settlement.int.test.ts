/**
 * Issue "Resolver and settlement", reproducibility: the whole stack on the simulator with simulated
 * traders; afterwards every settlement is recomputed from `GET /v1/bets/:id` and
 * `GET /v1/index/history` with the independent implementation in recompute.ts, and all must agree.
 * The stack runs the production defaults, the informed-trader defense (next-tick entry with the
 * adaptive fill delay on the filtered index): every bet is filled at a print after its receipt, and
 * a fill the trader's minimum or the reservation refuses is `rejected`, not settled.
 */
import { randomUUID } from 'node:crypto';
import { createTapApi } from '@tap/client';
import { startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Print, recompute, warmUpMs } from './recompute.js';
import { deposit, LOGIN, signIn } from './trader.js';

/** health-monitor's thresholds, given to the resolver too (its breaker judged from the prints must match). */
const BREAKER = { staleMs: 10_000, minVenues: 2, recoveryMs: 1_000 };
const BREAKER_ENV = { BREAKER_RECOVERY_MS: String(BREAKER.recoveryMs) };
const TRADERS = 4;
const BETTING_MS = 12_000;

let stack: TestStack;
let redis: Redis;
let stackStartedAt = 0;

beforeAll(async () => {
  stackStartedAt = Date.now();
  stack = await startStack({
    daemons: ['price-ingest', 'health-monitor', 'batcher', 'ingest-api', 'resolver'],
    env: {
      'ingest-api': LOGIN,
      'price-ingest': { SIM_SEED: '7', SIM_VOL_ANNUAL: '1.5' },
      'health-monitor': BREAKER_ENV,
      resolver: BREAKER_ENV,
    },
  });
  redis = new Redis(stack.redis.url);
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function api(path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A trader tapping cells around the index every 300 ms: the next two columns, ±2 bands. */
async function trade(token: string, untilMs: number): Promise<string[]> {
  const betIds: string[] = [];
  while (Date.now() < untilMs) {
    const last = JSON.parse((await redis.get(`${stack.prefix}price:last`)) ?? '{}') as {
      priceCents?: number;
    };
    if (last.priceCents) {
      const t0 = Math.ceil((Date.now() + 2_500) / 5_000) * 5_000 + (Math.random() < 0.5 ? 0 : 5_000);
      const p0 = Math.floor(last.priceCents / 1_000) * 1_000 + Math.floor(Math.random() * 5 - 2) * 1_000;
      const res = await api('/v1/bets', token, {
        clientBetId: randomUUID(),
        t0,
        p0,
        stakeMicros: 100_000,
        minMultiplierBp: 10_500,
      });
      if (res.status === 202) betIds.push(String(res.body.betId));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return betIds;
}

describe('settlement reproducibility', () => {
  it('recomputes every settlement from the public bet and index-history APIs', async () => {
    const traders = await Promise.all(Array.from({ length: TRADERS }, () => signIn(stack)));
    for (const trader of traders) await deposit(stack, redis, trader.userId, 100_000_000);
    await waitFor(
      async () => (await redis.hget(`${stack.prefix}breaker:state`, 'state')) === 'closed',
      20_000,
    );
    // Every window then has the prints before it that the breaker judged from the prints needs.
    await new Promise((resolve) => setTimeout(resolve, stackStartedAt + warmUpMs(BREAKER) - Date.now()));

    const placed = await Promise.all(traders.map((t) => trade(t.token, Date.now() + BETTING_MS)));
    const bets = traders.flatMap((trader, i) =>
      (placed[i] ?? []).map((betId) => ({ betId, token: trader.token })),
    );
    expect(bets.length).toBeGreaterThan(40);

    const decided = new Map<string, Record<string, unknown>>();
    await waitFor(async () => {
      for (const { betId, token } of bets) {
        if (decided.has(betId)) continue;
        const bet = (await api(`/v1/bets/${betId}`, token)).body;
        if (['won', 'lost', 'void', 'rejected'].includes(String(bet.status))) decided.set(betId, bet);
      }
      return decided.size === bets.length;
    }, 45_000);
    const rejected = [...decided.values()].filter((bet) => bet.status === 'rejected');
    // Only a fill the minimum (1.05×) or the reservation refuses, or no print in time; a few at most.
    for (const bet of rejected)
      expect(['quote_moved', 'cell_not_offered', 'price_stale']).toContain(bet.reason);
    expect(rejected.length).toBeLessThan(bets.length / 4);
    const settled = [...decided.values()].filter((bet) => bet.status !== 'rejected');

    const outcomes = { won: 0, lost: 0, void: 0, breakerJudged: 0 };
    for (const bet of settled) {
      // Priced by the defense: filled at a print after the receive time.
      expect(bet.terms).toMatchObject({ entry: 'next_print' });
      const t0 = Number(bet.t0);
      const from = t0 - warmUpMs(BREAKER) - 5_000;
      // As a client reads them: the grid pages that cover the range (the form nginx caches).
      const history = await createTapApi({ baseUrl: stack.apiUrl }).indexPrints({
        from,
        to: t0 + Number(bet.windowMs) + 5_000,
      });
      if (!history.ok) throw new Error(`history: ${history.error} ${history.message}`);
      const prints = history.value.prints as Print[];
      const expected = recompute(
        { t0, p0: Number(bet.p0), windowMs: Number(bet.windowMs), bandCents: Number(bet.bandCents) },
        prints,
        BREAKER,
      );
      const evidence = bet.evidence as Record<string, unknown>;
      outcomes[bet.status as 'won' | 'lost' | 'void'] += 1;
      if (expected.breakerJudged) outcomes.breakerJudged += 1;
      // Also voided by the intervals health-monitor records (not public), or by the resolver's
      // breaker before it had seen enough prints: not recomputable from the prints alone.
      if (bet.status === 'void' && evidence.reason === 'breaker_open') continue;
      // Never a win or a loss while the breaker judged from the prints was open.
      expect({ betId: bet.betId, outcome: bet.status, reason: evidence.reason ?? null }).toEqual({
        betId: bet.betId,
        outcome: expected.outcome,
        reason: expected.outcome === 'void' ? expected.reason : null,
      });
      if (expected.outcome === 'won') {
        expect(evidence.printId).toBe(expected.printId);
        expect(bet.payoutMicros).toBe(Math.floor((100_000 * Number(bet.multiplierBp)) / 10_000));
      }
    }
    expect(outcomes.won).toBeGreaterThan(0);
    expect(outcomes.lost).toBeGreaterThan(0);
    expect(outcomes.breakerJudged).toBeGreaterThan(0);
  }, 120_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
