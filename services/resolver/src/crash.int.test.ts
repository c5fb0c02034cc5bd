/**
 * kill -9 the resolver 10 times while prints flow: afterwards every bet is settled at least once,
 * no bet has two different outcomes, and each outcome is the one a brute-force recomputation from
 * the published prints gives (SPEC §4; the feed pauses once, so the gap rule voids some windows).
 */
import type { BetEntry, PrintEntry, SettlementEntry } from '@tap/domain';
import { aBet, startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type ResolverHarness, startResolverHarness } from './resolver-harness.js';

const W = 1_000;
const H = 1_000;
const GAP_MS_MAX = 1_000;
const PRINT_EVERY_MS = 50;
const WINDOWS = 15;
const KILLS = 10;

/** Recomputes a bet's outcome from every print, the slow obvious way. */
function expectedOutcome(bet: BetEntry, prints: readonly PrintEntry[]): string {
  const end = bet.t0 + bet.windowMs;
  const inEffect = prints.filter((p) => p.t <= bet.t0).at(-1);
  const closing = prints.find((p) => p.t >= end);
  if (!inEffect || !closing) return 'undecided';
  const seen = [inEffect, ...prints.filter((p) => p.t > bet.t0 && p.t < end)];
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const [i, p] of seen.entries()) {
    if (i > 0 && p.t - seen[i - 1]!.t > GAP_MS_MAX) return 'void';
    low = Math.min(low, p.priceCents);
    high = Math.max(high, p.priceCents);
    if (low <= bet.p0 + bet.bandCents && high >= bet.p0) return 'won';
  }
  return closing.t - seen.at(-1)!.t > GAP_MS_MAX ? 'void' : 'lost';
}

function seededSteps(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.round((state / 2_147_483_648 - 0.5) * 800);
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resolver under kill -9', () => {
  let redis: TestRedis;
  let harness: ResolverHarness;
  beforeAll(async () => {
    redis = await startRedis();
    // A short recovery: a thin or stale print in the test's stream closes again well before the
    // next window (the breaker judged from the prints starts closed at the stream's first print).
    harness = await startResolverHarness(redis, {
      EVENTS_REPLAY_MS: '600000',
      BLOCK_MS: '50',
      BREAKER_RECOVERY_MS: '300',
    });
  });
  afterAll(async () => {
    await harness.close();
    await redis.stop();
  });

  it('settles every bet exactly one way across 10 crashes and restarts', async () => {
    const P = 9_500_000;
    const T0 = Math.ceil((Date.now() + 3_000) / W) * W;
    const bets: BetEntry[] = [];
    for (let w = 0; w < WINDOWS; w += 1) {
      for (let k = -6; k <= 6; k += 1) {
        bets.push(aBet({ t0: T0 + w * W, p0: P + k * H, windowMs: W, bandCents: H }));
        bets.push(aBet({ t0: T0 + w * W, p0: P + k * H, windowMs: W, bandCents: H }));
      }
    }
    const fromSqlite = bets.filter((_, i) => i % 2 === 0);
    const fromEvents = bets.filter((_, i) => i % 2 === 1);
    harness.insertBets(fromSqlite);
    await harness.start();

    const published: PrintEntry[] = [];
    const step = seededSteps(42);
    let price = P;
    // One outage of the feed: 1.3 s without prints voids the windows around it.
    const outage = { from: T0 + 7 * W + 300, to: T0 + 7 * W + 1_600 };
    const printer = setInterval(() => {
      if (Date.now() >= outage.from && Date.now() < outage.to) return;
      price += step();
      const print = {
        id: published.length + 1,
        t: Date.now(),
        priceCents: price,
        venues: 3,
        sigma: 0.0005,
        simulated: false,
      };
      published.push(print);
      void harness.publishPrints([print]);
    }, PRINT_EVERY_MS);
    const eventTimers = Array.from({ length: WINDOWS }, (_, w) => {
      const windowBets = fromEvents.filter((b) => b.t0 === T0 + w * W);
      return setTimeout(() => void harness.publishAccepted(windowBets), T0 + w * W - 1_500 - Date.now());
    });

    try {
      for (let kill = 0; kill < KILLS; kill += 1) {
        await sleep(300 + ((kill * 137) % 700));
        await harness.daemon!.stop('SIGKILL');
        await harness.start();
      }
      const settled = await eventually(
        async () => {
          const all = await harness.settlements();
          const ids = new Set(all.map((s) => s.betId));
          return bets.every((b) => ids.has(b.betId)) ? all : undefined;
        },
        30_000,
        'every bet settled',
      );

      const outcomes = new Map<string, Set<string>>();
      for (const s of settled as SettlementEntry[]) {
        outcomes.set(s.betId, (outcomes.get(s.betId) ?? new Set()).add(s.outcome));
      }
      const conflicting = [...outcomes].filter(([, set]) => set.size > 1);
      expect(conflicting).toEqual([]);
      const wrong = bets
        .map((b) => ({
          betId: b.betId,
          got: [...outcomes.get(b.betId)!][0],
          want: expectedOutcome(b, published),
        }))
        .filter((r) => r.got !== r.want);
      expect(wrong).toEqual([]);
      const counts = { bets: bets.length, settlements: settled.length, prints: published.length };
      expect(counts.settlements).toBeGreaterThanOrEqual(bets.length);
      const byOutcome = new Map<string, number>();
      for (const s of settled) byOutcome.set(s.outcome, (byOutcome.get(s.outcome) ?? 0) + 1);
      expect([...byOutcome.keys()].sort()).toEqual(['lost', 'void', 'won']);
    } finally {
      clearInterval(printer);
      for (const timer of eventTimers) clearTimeout(timer);
    }
  }, 90_000);
});
