import { describe, expect, it } from 'vitest';
import { INTERVALS_MAX, PrintBreaker, warmUpMs } from './print-breaker.js';

const rules = { staleMs: 10_000, minVenues: 2, recoveryMs: 30_000 };

/** A feed with thin prints and silences: a print every 100–600 ms, now and then 1 venue or a 3–15 s pause. */
function roughFeed(seed: number, count: number): { t: number; venues: number }[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const feed: { t: number; venues: number }[] = [];
  let t = 0;
  for (let i = 0; i < count; i += 1) {
    const roll = next();
    t += roll < 0.002 ? 3_000 + Math.floor(next() * 12_000) : 100 + Math.floor(next() * 500);
    feed.push({ t, venues: next() < 0.001 ? 1 : 3 });
  }
  return feed;
}

describe('PrintBreaker', () => {
  it('starts closed at its first healthy print: a fresh stream voids nothing by its start', () => {
    const breaker = new PrintBreaker(rules, 180_000);
    expect(breaker.isOpen).toBe(true); // before any print it knows nothing
    breaker.observe({ t: 1_000, venues: 3 });
    expect(breaker.isOpen).toBe(false);
    for (let t = 2_000; t <= 40_000; t += 1_000) breaker.observe({ t, venues: 3 });
    expect(breaker.overlapping(0, 40_000)).toBeNull();
    expect(breaker.count).toBe(0);
  });

  it('opens at a thin first print and closes after the recovery period of healthy prints', () => {
    const breaker = new PrintBreaker(rules, 180_000);
    breaker.observe({ t: 1_000, venues: 1 });
    expect(breaker.overlapping(1_000, 1_000)).toEqual({ from: 1_000, to: null, reason: 'too_few_venues' });
    // At 2 s it judges the thin print before it; the first healthy evaluation is at 3 s, so it
    // closes at the print at 33 s.
    for (let t = 2_000; t <= 32_000; t += 1_000) breaker.observe({ t, venues: 3 });
    expect(breaker.isOpen).toBe(true);
    breaker.observe({ t: 33_000, venues: 3 });
    expect(breaker.isOpen).toBe(false);
    expect(breaker.overlapping(33_000, 40_000)).toEqual({
      from: 1_000,
      to: 33_000,
      reason: 'too_few_venues',
    });
    expect(breaker.overlapping(33_001, 40_000)).toBeNull();
  });

  it('judges staleness between prints at the next print, from the moment the last one turned stale', () => {
    const breaker = new PrintBreaker(rules, 180_000);
    for (let t = 0; t <= 40_000; t += 1_000) breaker.observe({ t, venues: 3 });
    breaker.observe({ t: 55_000, venues: 3 });
    expect(breaker.overlapping(41_000, 55_000)).toEqual({ from: 50_000, to: null, reason: 'stale_prints' });
    expect(breaker.overlapping(41_000, 49_999)).toBeNull();
  });

  it('forgets how it started once it has seen warmUpMs of prints (a restart judges as the running one)', () => {
    const feed = roughFeed(7, 40_000);
    const running = new PrintBreaker(rules, 10_000_000);
    const startAt = 5_000;
    const restarted = new PrintBreaker(rules, 10_000_000);
    const warmFrom = feed[startAt]!.t + warmUpMs(rules);
    let compared = 0;
    let openSeen = 0;
    for (const [i, print] of feed.entries()) {
      running.observe(print);
      if (i < startAt) continue;
      restarted.observe(print);
      if (print.t < warmFrom) continue;
      expect({ t: print.t, open: restarted.isOpen }).toEqual({ t: print.t, open: running.isOpen });
      compared += 1;
      if (running.isOpen) openSeen += 1;
    }
    expect(compared).toBeGreaterThan(30_000);
    expect(openSeen).toBeGreaterThan(1_000);
    expect(openSeen).toBeLessThan(compared);
  });

  it('drops the intervals that ended before its retention, and keeps at most INTERVALS_MAX', () => {
    const breaker = new PrintBreaker({ ...rules, recoveryMs: 100 }, 60_000);
    let t = 0;
    const at = (venues: number) => {
      t += 100;
      breaker.observe({ t, venues });
    };
    for (let i = 0; i < 10; i += 1) {
      at(1);
      for (let k = 0; k < 5; k += 1) at(3);
    }
    expect(breaker.count).toBe(10); // the start (its first print is thin too), then one per thin print
    t += 120_000;
    at(3);
    expect(breaker.count).toBe(1); // the staleness before this print, still open
    const busy = new PrintBreaker({ ...rules, recoveryMs: 100 }, 1_000_000_000);
    for (let i = 0; i < INTERVALS_MAX + 100; i += 1) {
      for (let k = 0; k < 4; k += 1) busy.observe({ t: (i * 4 + k) * 100, venues: k === 0 ? 1 : 3 });
    }
    expect(busy.count).toBe(INTERVALS_MAX);
  });
});
