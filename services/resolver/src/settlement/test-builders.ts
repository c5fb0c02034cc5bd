/** Builders for the settlement core's unit tests: one window at T0 (W = 5 s, H = $10), prints in order. */

import { expect } from 'vitest';
import { BreakerLog } from './breaker-log.js';
import { OpenBetIndex } from './open-bet-index.js';
import { PrintHistory } from './print-history.js';
import type { BreakerInterval, OpenBet, PrintRef, Verdict } from './verdict.js';

export const T0 = 1_800_000_000_000; // a window start (multiple of W)
export const W = 5_000;
export const H = 1_000;
export const P0 = 9_500_000;
export const RULES = { gapMsMax: 1_000, deadlineMs: 60_000, settledMemoryMs: 300_000 };

let nextBet = 0;
export function bet(overrides: Partial<OpenBet> = {}): OpenBet {
  nextBet += 1;
  return { betId: `bet-${nextBet}`, t0: T0, p0: P0, windowMs: W, bandCents: H, ...overrides };
}

/** Prints every `stepMs` from `fromT` with the given prices; ids continue across calls. */
let nextPrint = 0;
export function prints(fromT: number, prices: number[], stepMs = 100): PrintRef[] {
  return prices.map((priceCents, i) => ({ id: ++nextPrint, t: fromT + i * stepMs, priceCents }));
}
export function print(t: number, priceCents: number): PrintRef {
  return { id: ++nextPrint, t, priceCents };
}

export function newIndex(intervals: BreakerInterval[] = [], rules = RULES) {
  const breaker = new BreakerLog();
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
