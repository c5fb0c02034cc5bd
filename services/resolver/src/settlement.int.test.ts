import type { BetEntry, PrintEntry, SettlementEntry } from '@tap/domain';
import { aBet, startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type ResolverHarness, startResolverHarness } from './resolver-harness.js';

const W = 5_000;
const H = 1_000;
const P = 9_500_000;

let redis: TestRedis;
let harness: ResolverHarness | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => redis.stop());

let printId = 0;
/** Prints from `fromT` every `stepMs` with the given prices. */
function pricesFrom(fromT: number, priceCents: number[], stepMs = 100): PrintEntry[] {
  return priceCents.map((p, i) => ({
    id: ++printId,
    t: fromT + i * stepMs,
    priceCents: p,
    venues: 3,
    sigma: 0.0005,
    simulated: false,
  }));
}
const flat = (fromT: number, count: number, price: number) => pricesFrom(fromT, Array(count).fill(price));

/** The breaker judged from the prints closes fast after a thin or stale print (it starts closed). */
const ENV = { BREAKER_RECOVERY_MS: '1000' };
/** Healthy prints from 2 s before `T` (closed by T - 900 ms with ENV's recovery), below every band. */
const warmUp = (T: number) => flat(T - 2_000, 19, P - 3_000);

function byBet(settlements: SettlementEntry[]): Map<string, SettlementEntry> {
  return new Map(settlements.map((s) => [s.betId, s]));
}

describe('resolver settlement (built daemon, real Redis and SQLite)', () => {
  it('settles bets from SQLite and from accepted events with the right outcome and evidence', async () => {
    harness = await startResolverHarness(redis, ENV);
    const T = Math.ceil((Date.now() + 10_000) / W) * W;
    const bet = (t0: number, p0: number) => aBet({ t0, p0, windowMs: W, bandCents: H });
    const wonAtStart = bet(T, P); // the print in effect at t0 lies in the band
    const lost = bet(T, P + 100 * H);
    const jumped = bet(T, P + H); // the adjacent cell, jumped over mid-window
    const gapped = bet(T + W, P + 200 * H);
    const breaker = bet(T + 2 * W, P + 200 * H);
    const stale = bet(Math.floor((Date.now() - 300_000) / W) * W, P);
    harness.insertBets([wonAtStart, lost, breaker, stale]);
    await harness.start();
    // The stale bet is voided by the first sweep, before any print exists.
    await eventually(
      async () => ((await harness!.settlements()).length === 1 ? true : undefined),
      5_000,
      'the sweep',
    );
    await harness.publishAccepted([jumped, gapped]);
    await eventually(
      async () => ((await harness!.health()).openBets === 5 ? true : undefined),
      5_000,
      '5 open bets',
    );
    await harness.recordBreakerInterval({
      from: T + 2 * W + 1_000,
      to: T + 2 * W + 1_500,
      reason: 'too_few_venues',
    });

    const warm = warmUp(T); // first: print ids follow the order of construction
    const inEffect = pricesFrom(T - 100, [P + 500]);
    const below = flat(T + 100, 19, P - 3_000); // T+100 … T+1900
    const jump = pricesFrom(T + 2_000, [P + 3_000]);
    const rest = flat(T + 2_100, 28, P - 3_000); // … T+4800
    const lastInWindow = pricesFrom(T + 4_900, [P - 3_000]);
    const window2 = flat(T + 5_000, 21, P - 3_000); // T+5000 … T+7000, then a 1.5 s gap
    const afterGap = flat(T + 8_500, 70, P - 3_000); // … T+15400
    await harness.publishPrints([
      ...warm,
      ...inEffect,
      ...below,
      ...jump,
      ...rest,
      ...lastInWindow,
      ...window2,
      ...afterGap,
    ]);

    const settled = await eventually(
      async () => {
        const all = await harness!.settlements();
        return all.length >= 6 ? byBet(all) : undefined;
      },
      10_000,
      'six settlements',
    );
    const evidence = (b: BetEntry) => settled.get(b.betId);
    expect(evidence(wonAtStart)).toMatchObject({
      outcome: 'won',
      evidence: { printId: inEffect[0]!.id, t: T - 100, priceCents: P + 500, low: P + 500, high: P + 500 },
    });
    expect(evidence(jumped)).toMatchObject({
      outcome: 'won',
      evidence: {
        printId: jump[0]!.id,
        t: T + 2_000,
        priceCents: P + 3_000,
        low: P - 3_000,
        high: P + 3_000,
      },
    });
    const ref = (p: PrintEntry) => ({ id: p.id, t: p.t, priceCents: p.priceCents });
    expect(evidence(lost)).toMatchObject({
      outcome: 'lost',
      evidence: {
        low: P - 3_000,
        high: P + 3_000,
        lastPrint: ref(lastInWindow[0]!),
        closingPrint: ref(window2[0]!),
      },
    });
    expect(evidence(gapped)).toMatchObject({
      outcome: 'void',
      evidence: {
        reason: 'price_gap',
        gap: { from: ref(window2[20]!), to: ref(afterGap[0]!), ms: 1_500, maxMs: 1_000 },
      },
    });
    expect(evidence(breaker)).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'breaker_open', interval: { from: T + 2 * W + 1_000, to: T + 2 * W + 1_500 } },
    });
    expect(evidence(stale)).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'deadline', deadlineMs: stale.t0 + W + 60_000, lastPrint: null },
    });
    expect((await harness.settlements()).length).toBe(6);

    const exit = await harness.daemon!.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await harness.pendingPrints()).toBe(0);
  }, 30_000);

  it('settles a bet accepted after its window was processed, from the print history', async () => {
    harness = await startResolverHarness(redis, ENV);
    await harness.start();
    const T = Math.ceil((Date.now() + 10_000) / W) * W;
    const prints = [
      ...warmUp(T - 100),
      ...flat(T - 100, 10, P - 3_000),
      ...pricesFrom(T + 900, [P + 10]),
      ...flat(T + 1_000, 45, P - 3_000),
    ];
    await harness.publishPrints(prints);
    const last = prints[prints.length - 1]!;
    await eventually(
      async () => ((await harness!.health()).lastPrintId === last.id ? true : undefined),
      5_000,
      'prints processed',
    );
    const late = aBet({ t0: T, p0: P, windowMs: W, bandCents: H });
    await harness.publishAccepted([late]);
    const [settlement] = await eventually(
      async () => {
        const all = await harness!.settlements();
        return all.length > 0 ? all : undefined;
      },
      5_000,
      'the late settlement',
    );
    expect(settlement).toMatchObject({
      betId: late.betId,
      outcome: 'won',
      evidence: { printId: prints[29]!.id, t: T + 900 },
    });
  }, 20_000);

  it('voids a touch by a print with too few venues before health-monitor records any interval', async () => {
    harness = await startResolverHarness(redis, ENV);
    const T = Math.ceil((Date.now() + 10_000) / W) * W;
    const thin = aBet({ t0: T, p0: P, windowMs: W, bandCents: H });
    const afterRecovery = aBet({ t0: T + W, p0: P, windowMs: W, bandCents: H });
    harness.insertBets([thin, afterRecovery]);
    await harness.start();
    await harness.publishPrints([
      ...warmUp(T),
      ...flat(T - 100, 11, P - 3_000), // … T+900
      { ...pricesFrom(T + 1_000, [P + 10])[0]!, venues: 1 },
      ...flat(T + 1_100, 50, P - 3_000), // … T+6000: healthy; the breaker closes at T+2200
      ...pricesFrom(T + 6_100, [P + 10]), // a healthy touch in the next window
      ...flat(T + 6_200, 45, P - 3_000),
    ]);
    const settled = await eventually(
      async () => {
        const all = await harness!.settlements();
        return all.length >= 2 ? byBet(all) : undefined;
      },
      10_000,
      'two settlements',
    );
    expect(settled.get(thin.betId)).toMatchObject({
      outcome: 'void',
      evidence: { reason: 'breaker_open', interval: { from: T + 1_000, to: null, reason: 'too_few_venues' } },
    });
    expect(settled.get(afterRecovery.betId)).toMatchObject({ outcome: 'won', evidence: { t: T + 6_100 } });
  }, 20_000);
});
