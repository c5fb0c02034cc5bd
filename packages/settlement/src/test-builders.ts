/**
 * Builders for the settlement core's unit tests: one window at T0 (W = 5 s, H = $10), prints in
 * order. The index's breaker judged from the prints is warmed up (healthy prints before
 * `WARM_UNTIL`), so it is closed when a test's own prints begin, as in a running system.
 */

import { expect } from 'vitest';
import { BreakerLog } from './breaker-log.js';
import { OpenBetIndex } from './open-bet-index.js';
import { PrintBreaker } from './print-breaker.js';
import { PrintHistory } from './print-history.js';
import type { BreakerInterval, OpenBet, PrintRef, Verdict } from './verdict.js';

export const T0 = 1_800_000_000_000; // a window start (multiple of W)
export const W = 5_000;
export const H = 1_000;
export const P0 = 9_500_000;
export const RULES = { gapMsMax: 1_000, deadlineMs: 60_000, settledMemoryMs: 300_000 };
export const BREAKER_RULES = { staleMs: 10_000, minVenues: 2, recoveryMs: 30_000 };
/** The warm-up prints end here: a test's first print may come up to 9 s later without going stale. */
export const WARM_UNTIL = T0 - 1_000;
export const VENUES = 3;

let nextBet = 0;
export function bet(overrides: Partial<OpenBet> = {}): OpenBet {
  nextBet += 1;
  return { betId: `bet-${nextBet}`, t0: T0, p0: P0, windowMs: W, bandCents: H, ...overrides };
}

/** Prints every `stepMs` from `fromT` with the given prices; ids continue across calls. */
let nextPrint = 0;
export function prints(fromT: number, prices: number[], stepMs = 100, venues = VENUES): PrintRef[] {
  return prices.map((priceCents, i) => ({ id: ++nextPrint, t: fromT + i * stepMs, priceCents, venues }));
}
export function print(t: number, priceCents: number, venues = VENUES): PrintRef {
  return { id: ++nextPrint, t, priceCents, venues };
}

/** An index whose print breaker has seen healthy prints every second up to `warmUntil` (null: none, cold). */
export function newIndex(
  intervals: BreakerInterval[] = [],
  rules = RULES,
  warmUntil: number | null = WARM_UNTIL,
) {
  const fromPrints = new PrintBreaker(BREAKER_RULES, 180_000);
  if (warmUntil !== null) {
    for (let t = warmUntil - 60_000; t <= warmUntil; t += 1_000) fromPrints.observe({ t, venues: VENUES });
  }
  const breaker = new BreakerLog(fromPrints);
  breaker.replace(intervals);
  return new OpenBetIndex(rules, new PrintHistory(180_000), breaker);
}

/** Feeds prints in order and returns every verdict by bet id. */
export function feed(index: OpenBetIndex, list: PrintRef[]): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const p of list) {
    for (const v of index.onPrint(p, p.t).verdicts) out.set(v.betId, v);
    for (const v of index.settleFinished(p.t)) out.set(v.betId, v);
  }
  return out;
}

/** One bet, a flat price below the band around it, then `inside`, then past the window. */
export function settle(b: OpenBet, list: PrintRef[], intervals: BreakerInterval[] = []) {
  const index = newIndex(intervals);
  expect(index.add(b, T0 - 10_000)).toBeNull();
  const verdicts = feed(index, list);
  return { verdict: verdicts.get(b.betId), index };
}

export const BELOW = P0 - 5_000;
export const ABOVE = P0 + H + 5_000;
