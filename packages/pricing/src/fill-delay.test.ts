import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  adaptiveFillDelay,
  createServiceFillDelay,
  FILL_DELAY_EASE_SPAN_MS,
  fillDelayRuleProblems,
} from './fill-delay.js';
import { sigmaFromAnnualized } from './pricing-config.js';

const deltaMs = 100;
const rule = { leadMs: 150, errorFactor: 2.5, printsMin: 1, printsMax: 20 };
const bp = 1e-4;
/** A filtered print at 60 %/yr whose filter error is 0.42 bp (the simulator's default noise). */
const print = {
  t: 1_700_000_000_000,
  priceCents: 9_500_000,
  sigma: sigmaFromAnnualized(0.6),
  noise: 0.67 * bp,
  filteredCents: 9_500_100,
  filteredNoise: 0.42 * bp,
};
const waitOf = (p: { sigma: number; filteredNoise: number }) =>
  rule.leadMs + (rule.errorFactor * 1_000 * p.filteredNoise ** 2) / p.sigma ** 2;

describe('adaptiveFillDelay', () => {
  it('waits the lead plus c · err_S²/σ², counted from the print in effect at receipt', () => {
    const wait = waitOf(print);
    expect(wait).toBeCloseTo(150 + (2.5 * 1000 * 0.42 ** 2) / (0.6 ** 2 / (365.25 * 86_400) / bp ** 2), 6);
    // ≈ 537 ms: received 10 ms after the print, the 6th print (600 ms after it) is the first late enough.
    expect(adaptiveFillDelay(print, print.t + 10, rule, deltaMs)).toEqual({
      prints: 6,
      waitMs: expect.closeTo(wait, 6),
    });
    // Received 90 ms after it, the 6th print comes only 510 ms after receipt: the 7th.
    expect(adaptiveFillDelay(print, print.t + 90, rule, deltaMs).prints).toBe(7);
  });

  it('fills at the first print whose expected time clears the wait, not one later', () => {
    for (const sinceMs of [0, 13, 50, 99]) {
      const { prints, waitMs } = adaptiveFillDelay(print, print.t + sinceMs, rule, deltaMs);
      expect(prints * deltaMs - sinceMs).toBeGreaterThanOrEqual(waitMs);
      expect((prints - 1) * deltaMs - sinceMs).toBeLessThan(waitMs);
    }
  });

  it('waits longer in a calm market and shorter when the index is tight', () => {
    const at = (annual: number, errBp: number) =>
      adaptiveFillDelay(
        { ...print, sigma: sigmaFromAnnualized(annual), filteredNoise: errBp * bp },
        print.t + 50,
        rule,
        deltaMs,
      ).prints;
    // The filter's error at 30 %/yr is 0.32 bp (it falls with σ, but slower than σ).
    expect(at(0.3, 0.32)).toBeGreaterThan(at(0.6, 0.42));
    expect(at(0.6, 0.2)).toBeLessThan(at(0.6, 0.42));
    expect(at(1.5, 0.42)).toBeLessThan(at(0.6, 0.42));
  });

  it('reads the raw print and its η when the print carries no filtered index', () => {
    const { filteredCents: _, filteredNoise: __, ...raw } = print;
    const { waitMs } = adaptiveFillDelay(raw, raw.t, rule, deltaMs);
    expect(waitMs).toBeCloseTo(waitOf({ sigma: raw.sigma, filteredNoise: raw.noise }), 6);
  });

  it('is the lead alone while η is still 0 (the estimator warming up), never below printsMin', () => {
    const cold = { t: print.t, priceCents: print.priceCents, sigma: print.sigma, noise: 0 };
    expect(adaptiveFillDelay(cold, cold.t + 20, rule, deltaMs)).toEqual({ prints: 2, waitMs: 150 });
    expect(adaptiveFillDelay(cold, cold.t, { ...rule, leadMs: 0 }, deltaMs).prints).toBe(1);
    expect(adaptiveFillDelay(cold, cold.t, { ...rule, leadMs: 0, printsMin: 3 }, deltaMs).prints).toBe(3);
  });

  it('caps at printsMax, and delays the most when σ is not positive and finite (fail closed)', () => {
    const calm = { ...print, sigma: print.sigma / 10 };
    expect(adaptiveFillDelay(calm, print.t, rule, deltaMs).prints).toBe(20);
    for (const sigma of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(adaptiveFillDelay({ ...print, sigma }, print.t, rule, deltaMs).prints).toBe(20);
    }
  });

  it('counts a stale print from its own time (a late print only makes the fill later)', () => {
    const fresh = adaptiveFillDelay(print, print.t + 50, rule, deltaMs).prints;
    expect(adaptiveFillDelay(print, print.t + 350, rule, deltaMs).prints).toBe(fresh + 3);
  });
});

describe('fillDelayRuleProblems', () => {
  it('accepts the defaults and names every bad field', () => {
    expect(fillDelayRuleProblems(ADAPTIVE_FILL_DELAY_DEFAULTS)).toEqual([]);
    expect(
      fillDelayRuleProblems({ leadMs: -1, errorFactor: Number.NaN, printsMin: 0, printsMax: 0.5 }),
    ).toEqual([
      'leadMs: must be ≥ 0',
      'errorFactor: must be ≥ 0',
      'printsMin: must be an integer ≥ 1',
      'printsMax: must be an integer ≥ printsMin',
    ]);
  });
});

describe('createServiceFillDelay', () => {
  const adaptive = { kind: 'adaptive' as const, rule };
  const rulePrints = (p: typeof print, atMs: number) => adaptiveFillDelay(p, atMs, rule, deltaMs).prints;
  /** A print whose rule wait is `waitMs` (the filter's error solved for it). */
  const printWaiting = (waitMs: number, t: number) => ({
    ...print,
    t,
    filteredNoise: Math.sqrt(((waitMs - rule.leadMs) * print.sigma ** 2) / (rule.errorFactor * 1_000)),
  });

  it('is the rule while the wait does not shrink, and the fixed count under a fixed delay', () => {
    const fill = createServiceFillDelay(adaptive, deltaMs, 10);
    for (let i = 0; i < 20; i++) {
      const p = printWaiting(400 + i * 10, print.t + i * deltaMs);
      expect(fill(p, p.t + 37)).toBe(rulePrints(p, p.t + 37));
    }
    expect(createServiceFillDelay({ kind: 'fixed', prints: 7 }, deltaMs, 10)(print, print.t)).toBe(7);
  });

  it('shrinks the wait by at most easePct % of the time between bets, never below the rule', () => {
    const fill = createServiceFillDelay(adaptive, deltaMs, 10);
    const long = printWaiting(800, print.t);
    expect(fill(long, long.t + 10)).toBe(rulePrints(long, long.t + 10)); // 9 prints
    const shorter = printWaiting(650, print.t + deltaMs);
    // 100 ms later the wait may be 790 ms at the least: 8 prints, where the rule says 7.
    expect(rulePrints(shorter, shorter.t + 10)).toBe(7);
    expect(fill(shorter, shorter.t + 10)).toBe(8);
    // 2 s later (200 ms shrunk) it is the rule again; the wait only ever grows at once.
    expect(fill(shorter, shorter.t + 2_000)).toBe(rulePrints(shorter, shorter.t + 2_000));
    const longAgain = printWaiting(800, shorter.t + 2_100);
    expect(fill(longAgain, longAgain.t)).toBe(rulePrints(longAgain, longAgain.t));
  });

  it(`stays at most FILL_DELAY_EASE_SPAN_MS (${FILL_DELAY_EASE_SPAN_MS}) above the rule after a lasting fall`, () => {
    const fill = createServiceFillDelay(adaptive, deltaMs, 10);
    const long = printWaiting(1_500, print.t);
    fill(long, long.t);
    const short = printWaiting(300, print.t + deltaMs);
    // The rule: 3 prints; eased from 1.5 s it would be 15; capped at 300 + 300 ms: 6.
    expect(rulePrints(short, short.t)).toBe(3);
    expect(fill(short, short.t)).toBe(6);
  });

  it('follows the rule at once with easePct 100', () => {
    const fill = createServiceFillDelay(adaptive, deltaMs, 100);
    const long = printWaiting(800, print.t);
    fill(long, long.t);
    const short = printWaiting(300, print.t + deltaMs);
    expect(fill(short, short.t)).toBe(rulePrints(short, short.t));
  });

  it('delays the most on an unusable σ without easing down from it afterwards', () => {
    const fill = createServiceFillDelay(adaptive, deltaMs, 10);
    expect(fill({ ...print, sigma: Number.NaN }, print.t)).toBe(rule.printsMax);
    const ok = printWaiting(300, print.t + deltaMs);
    expect(fill(ok, ok.t)).toBe(rulePrints(ok, ok.t));
  });

  it('keeps a print’s share of the bets near the usual when the wait drops (why it eases)', () => {
    // 3,000 bets/s for 3 s; prints every 100 ms; the wait drops 550 → 300 ms at the 10th print.
    // Each bet fills at the print `prints` after the one in effect (expected at t_S + k·δ).
    const burstMax = (easePct: number) => {
      const fill = createServiceFillDelay(adaptive, deltaMs, easePct);
      const perPrint = new Map<number, number>();
      for (let i = 0; i < 9_000; i++) {
        const atMs = print.t + i / 3;
        const index = Math.floor(i / 300);
        const p = printWaiting(index < 10 ? 550 : 300, print.t + index * deltaMs);
        const fillIndex = index + fill(p, atMs);
        perPrint.set(fillIndex, (perPrint.get(fillIndex) ?? 0) + 1);
      }
      return Math.max(...perPrint.values());
    };
    // At once: for 2–3 prints, the bets received 250 ms apart fill together (twice the usual).
    expect(burstMax(100)).toBeGreaterThanOrEqual(600);
    expect(burstMax(10)).toBeLessThanOrEqual(Math.ceil(300 / 0.9) + 1);
  });
});
