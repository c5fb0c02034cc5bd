import { describe, expect, it } from 'vitest';
import { BreakerLog } from './breaker-log.js';
import { PrintBreaker } from './print-breaker.js';

const rules = { staleMs: 10_000, minVenues: 2, recoveryMs: 30_000 };

/** A log whose print breaker has seen healthy prints every second from -60 s to 0. */
function warmLog(): BreakerLog {
  const fromPrints = new PrintBreaker(rules, 180_000);
  for (let t = -60_000; t <= 0; t += 1_000) fromPrints.observe({ t, venues: 3 });
  return new BreakerLog(fromPrints);
}

describe('BreakerLog', () => {
  const log = warmLog();
  log.replace([
    { from: 1_000, to: 2_000, reason: 'stale' },
    { from: 5_000, to: null, reason: 'venues' },
  ]);

  it('finds an interval open at some moment of a span, both ends inclusive', () => {
    expect(log.overlapping(1_500, 1_500)?.reason).toBe('stale');
    expect(log.overlapping(0, 1_000)?.reason).toBe('stale');
    expect(log.overlapping(2_000, 4_999)?.reason).toBe('stale');
    expect(log.overlapping(2_001, 4_999)).toBeNull();
    expect(log.overlapping(0, 999)).toBeNull();
  });

  it('treats an interval still open as covering everything after it opened', () => {
    expect(log.overlapping(9_000_000, 9_000_001)?.reason).toBe('venues');
    expect(log.overlapping(4_000, 5_000)?.reason).toBe('venues');
  });

  it('adds the intervals judged from the prints to the recorded ones, preferring them', () => {
    const both = warmLog();
    both.replace([{ from: 20_000, to: 20_500, reason: 'stale_prints' }]);
    both.observe({ id: 1, t: 1_000, priceCents: 100, venues: 1 });
    expect(both.openByPrints).toBe(true);
    const judged = { from: 1_000, to: null, reason: 'too_few_venues' };
    expect(both.overlapping(1_000, 1_000)).toEqual(judged);
    expect(both.overlapping(0, 999)).toBeNull();
    expect(both.overlapping(20_000, 20_000)).toEqual(judged);
    expect(both.count).toBe(1);
  });
});
