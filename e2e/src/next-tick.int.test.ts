/**
 * Next-tick entry end to end (issue 22, BET_ENTRY=next_print): the whole stack on the simulator.
 * Every 202 is pending without a multiplier; the `accepted` event on the WebSocket carries the
 * multiplier that `GET /v1/bets/:id` shows; every bet's terms name the print after its receive
 * time (from `GET /v1/index/history`) its fill rule chose — the k-th with a fixed
 * BET_ENTRY_DELAY_PRINTS=k, under the adaptive delay the one `fillPrintsOf` computes from the print
 * in effect at receipt or, its decreases eased, a later one no later than the rule on a recent print
 * asks — and the multiplier recomputes from the terms with the shared pricing
 * function; every settlement recomputes from the public APIs (recompute.ts). Run twice: next-tick
 * entry at the next print on the raw print, and the production defaults with nothing set — the
 * measured informed-trader defense (ingest-api BET_ENTRY=next_print + BET_ENTRY_DELAY=adaptive,
 * price-ingest INDEX_FILTER=on; docs/pricing.md "Adaptive fill delay").
 */
import { randomUUID } from 'node:crypto';
import { decodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  DEFAULT_PRICING_CONFIG,
  type FillDelay,
  fillPrintsOf,
  quoteCell,
} from '@tap/pricing';
import { startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Print, recompute, warmUpMs } from './recompute.js';
import { deposit, LOGIN, openSocket, signIn } from './trader.js';

const BREAKER = { staleMs: 10_000, minVenues: 2, recoveryMs: 1_000 };
const BREAKER_ENV = { BREAKER_RECOVERY_MS: String(BREAKER.recoveryMs) };
const BETTING_MS = 8_000;

let stack: TestStack;
let redis: Redis;
let stackStartedAt = 0;

/**
 * One configuration of the describe below: a fixed fill delay set by name, or the production
 * defaults (no entry variable, no INDEX_FILTER: the adaptive delay on the filtered index).
 */
interface Setup {
  fill: FillDelay;
  indexFilter: 'on' | 'off';
  ingestEnv: Record<string, string>;
  priceEnv: Record<string, string>;
}

/** Starts the stack for one configuration of the describe below; stopped after it. */
function withStack(setup: Setup) {
  beforeAll(async () => {
    stackStartedAt = Date.now();
    stack = await startStack({
      daemons: ['price-ingest', 'health-monitor', 'batcher', 'ingest-api', 'ws-gateway', 'resolver'],
      env: {
        'ingest-api': { ...LOGIN, ...setup.ingestEnv },
        'price-ingest': { SIM_SEED: '11', SIM_VOL_ANNUAL: '1.5', ...setup.priceEnv },
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
}

async function api(path: string, token: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Taps the next two columns, 2–5 bands above or below the index, every 300 ms; the 202 bodies (refusals counted by code). */
async function trade(
  token: string,
  untilMs: number,
  refused: Map<string, number>,
): Promise<Record<string, unknown>[]> {
  const placed: Record<string, unknown>[] = [];
  while (Date.now() < untilMs) {
    const last = JSON.parse((await redis.get(`${stack.prefix}price:last`)) ?? '{}') as {
      priceCents?: number;
    };
    if (last.priceCents) {
      const t0 = Math.ceil((Date.now() + 2_500) / 5_000) * 5_000 + (Math.random() < 0.5 ? 0 : 5_000);
      // 2–5 bands away: at this stack's 150 %/yr the nearer bands are touched almost surely, so they
      // price under 1.05× and are not offered (a CI run met 12 of 27 taps refused that way).
      const bandsAway = (2 + Math.floor(Math.random() * 4)) * (Math.random() < 0.5 ? -1 : 1);
      const p0 = Math.floor(last.priceCents / 1_000) * 1_000 + bandsAway * 1_000;
      const request = { clientBetId: randomUUID(), t0, p0, stakeMicros: 100_000, minMultiplierBp: 10_500 };
      const res = await api('/v1/bets', token, request);
      if (res.status === 202) placed.push(res.body);
      else refused.set(String(res.body.error), (refused.get(String(res.body.error)) ?? 0) + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return placed;
}

/** What `GET /v1/me` says about how this ingest-api fills, and the prints as price-ingest wrote them (with σ, η and the filter). */
async function fillRuleAndPrints(token: string) {
  const me = (await api('/v1/me', token)).body as { fill?: { entry: string; delay?: FillDelay } };
  const entries = (await redis.xrange(`${stack.prefix}prices`, '-', '+')) as [string, string[]][];
  const prints = entries.map(([, fields]) => {
    const decoded = decodeEntry('prices', fields);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.value as PrintEntry;
  });
  return { fill: me.fill, prints };
}

const ADAPTIVE: FillDelay = { kind: 'adaptive', rule: ADAPTIVE_FILL_DELAY_DEFAULTS };

describe.each<Setup & { name: string }>([
  {
    name: 'next print, raw print',
    fill: { kind: 'fixed', prints: 1 },
    indexFilter: 'off',
    ingestEnv: { BET_ENTRY: 'next_print', BET_ENTRY_DELAY: 'fixed', BET_ENTRY_DELAY_PRINTS: '1' },
    priceEnv: { INDEX_FILTER: 'off' },
  },
  {
    name: 'the production defaults (adaptive delay, filtered index)',
    fill: ADAPTIVE,
    indexFilter: 'on',
    ingestEnv: {},
    priceEnv: {},
  },
])('next-tick entry on the whole stack: $name', (setup) => {
  const { fill, indexFilter } = setup;
  withStack(setup);

  it('prices each bet at the print its fill rule chose after its receipt, and every settlement recomputes', async () => {
    const trader = await signIn(stack);
    await deposit(stack, redis, trader.userId, 100_000_000);
    await waitFor(
      async () => (await redis.hget(`${stack.prefix}breaker:state`, 'state')) === 'closed',
      20_000,
    );
    // Every window then has the prints before it that the breaker judged from the prints needs.
    await new Promise((resolve) => setTimeout(resolve, stackStartedAt + warmUpMs(BREAKER) - Date.now()));
    const socket = await openSocket(stack, trader.token);
    const refused = new Map<string, number>();
    const placed = await trade(trader.token, Date.now() + BETTING_MS, refused);
    expect(placed.length, `refused: ${JSON.stringify(Object.fromEntries(refused))}`).toBeGreaterThan(10);
    for (const body of placed) {
      expect(body).toEqual({ betId: expect.any(String), status: 'pending', entry: 'next_print' });
    }
    const betIds = placed.map((body) => String(body.betId));

    const settled = new Map<string, Record<string, unknown>>();
    await waitFor(async () => {
      for (const betId of betIds) {
        if (settled.has(betId)) continue;
        const bet = (await api(`/v1/bets/${betId}`, trader.token)).body;
        if (['won', 'lost', 'void', 'rejected'].includes(String(bet.status))) settled.set(betId, bet);
      }
      return settled.size === betIds.length;
    }, 45_000);

    const rule = await fillRuleAndPrints(trader.token);
    expect(rule.fill).toEqual({ entry: 'next_print', delay: fill });
    let recomputed = 0;
    for (const bet of settled.values()) {
      const event = await socket.waitFor((e) => e.type === 'bet' && e.betId === bet.betId);
      if (bet.status === 'rejected') {
        // Only a fill the trader's minimum refuses (or no print in time) may reject here.
        expect(['quote_moved', 'cell_not_offered', 'price_stale']).toContain(bet.reason);
        continue;
      }
      expect(event).toMatchObject({ status: 'accepted', bet: { multiplierBp: bet.multiplierBp } });
      const t0 = Number(bet.t0);
      const placedAt = Number(bet.placedAt);
      const terms = bet.terms as Record<string, number | string>;
      expect(terms.entry).toBe('next_print');
      const history = await api(
        `/v1/index/history?from=${t0 - warmUpMs(BREAKER) - 5_000}&to=${t0 + Number(bet.windowMs) + 5_000}&limit=5000`,
        trader.token,
      );
      const prints = history.body.prints as Print[];
      const after = prints.filter((print) => print.t > placedAt);
      const filling = after.find((print) => print.id === terms.printId);
      // The fill rule on the print in effect at receipt: the last one printed by then, or the one
      // before it when ingest-api had not re-read the newest yet (it does every 20 ms).
      const ruleAt = (print: PrintEntry) =>
        fillPrintsOf(fill, print, placedAt, DEFAULT_PRICING_CONFIG.printIntervalMs);
      const before = rule.prints.filter((print) => print.t <= placedAt);
      const chosen = before.slice(-2).map(ruleAt);
      const k = filling ? after.indexOf(filling) + 1 : -1;
      if (fill.kind === 'fixed') expect(chosen).toContain(k);
      else {
        // Eased (BET_ENTRY_DELAY_EASE_PCT, 10 %): never before the rule's print, and no later than
        // the rule on a print of the last 21 s gives (a wait ≤ 2 s shrinks to nothing in 20 s).
        expect(k).toBeGreaterThanOrEqual(Math.min(...chosen));
        expect(k).toBeLessThanOrEqual(
          Math.max(...before.filter((print) => print.t > placedAt - 21_000).map(ruleAt)),
        );
      }
      // The terms carry the filter's error exactly when S was the print's filtered index.
      expect(terms.indexNoise !== undefined).toBe(indexFilter === 'on');
      expect(t0 - Number(terms.tau1Ms)).toBe(filling?.t);
      // The event and the bet's view name that print: SPEC §12 with the defence on is timed from it.
      expect(event).toMatchObject({ fillPrint: { id: filling?.id, t: filling?.t } });
      expect(bet.fillPrint).toEqual({ id: filling?.id, t: filling?.t });
      const quote = quoteCell({
        t0,
        p0: Number(bet.p0),
        nowMs: placedAt,
        indexPriceCents: Number(terms.indexPriceCents),
        printTMs: filling!.t,
        sigma: Number(terms.sigma),
        noise: Number(terms.noise),
        ...(terms.indexNoise === undefined ? {} : { indexNoise: Number(terms.indexNoise) }),
        config: DEFAULT_PRICING_CONFIG,
      });
      expect(quote.ok && quote.multiplierBp).toBe(bet.multiplierBp);
      expect(Number(bet.multiplierBp)).toBeGreaterThanOrEqual(10_500);

      const expected = recompute(
        { t0, p0: Number(bet.p0), windowMs: Number(bet.windowMs), bandCents: Number(bet.bandCents) },
        prints,
        BREAKER,
      );
      const evidence = bet.evidence as Record<string, unknown>;
      if (bet.status === 'void' && evidence.reason === 'breaker_open') continue;
      if (!expected.breakerJudged) continue;
      expect({ betId: bet.betId, outcome: bet.status }).toEqual({
        betId: bet.betId,
        outcome: expected.outcome,
      });
      if (expected.outcome === 'won') {
        expect(evidence.printId).toBe(expected.printId);
        expect(bet.payoutMicros).toBe(Math.floor((100_000 * Number(bet.multiplierBp)) / 10_000));
      }
      recomputed += 1;
    }
    await socket.close();
    expect(recomputed).toBeGreaterThan(0);
    const rejected = new Map<string, number>();
    for (const bet of settled.values())
      if (bet.status === 'rejected')
        rejected.set(String(bet.reason), (rejected.get(String(bet.reason)) ?? 0) + 1);
    console.log(
      `next-tick e2e (${setup.name}): ${betIds.length} bets, rejected at the fill ${JSON.stringify(Object.fromEntries(rejected))}, ${recomputed} recomputed; refused at admission: ${JSON.stringify(Object.fromEntries(refused))}`,
    );
  }, 120_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
