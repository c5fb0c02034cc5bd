import { describe, expect, it } from 'vitest';
import {
  checkProfile,
  isMeasured,
  plannedCountBefore,
  plannedOffsetMs,
  totalRequests,
  workerIndices,
} from './schedule.js';

describe('open-loop schedule', () => {
  it('plans request i at i / rate on a constant rate', () => {
    const profile = { ratePerS: 4_000, durationMs: 10_000 };
    expect(plannedOffsetMs(profile, 0)).toBe(0);
    expect(plannedOffsetMs(profile, 1)).toBe(0.25);
    expect(plannedOffsetMs(profile, 4_000)).toBe(1_000);
    expect(totalRequests(profile)).toBe(40_000);
  });

  it('fixes planned times in advance, independent of when answers arrive', () => {
    const profile = { ratePerS: 3_000, durationMs: 5_000 };
    const first = Array.from({ length: 100 }, (_, i) => plannedOffsetMs(profile, i));
    const again = Array.from({ length: 100 }, (_, i) => plannedOffsetMs(profile, i));
    expect(again).toEqual(first);
    for (let i = 1; i < first.length; i += 1) expect(first[i]! - first[i - 1]!).toBeCloseTo(1_000 / 3_000, 9);
  });

  it('inverts the ramp: the count before the planned time of request i is i', () => {
    const profile = { ratePerS: 10_000, durationMs: 10_000, rampMs: 4_000, rampFromPerS: 1_000 };
    for (const i of [0, 1, 10, 999, 5_000, 21_999, 22_000, 22_001, 50_000, 79_999]) {
      expect(plannedCountBefore(profile, plannedOffsetMs(profile, i))).toBeCloseTo(i, 6);
    }
    // Ramp 1k→10k over 4 s holds (1k+10k)/2 × 4 = 22,000 requests, then 10k/s for 6 s.
    expect(totalRequests(profile)).toBe(82_000);
  });

  it('ramps from zero without dividing by zero', () => {
    const profile = { ratePerS: 2_000, durationMs: 3_000, rampMs: 1_000 };
    expect(plannedOffsetMs(profile, 0)).toBe(0);
    expect(plannedOffsetMs(profile, 1_000)).toBeCloseTo(1_000, 9);
    expect(plannedOffsetMs(profile, 1_001)).toBeCloseTo(1_000.5, 9);
  });

  it('interleaves requests over workers and counts each worker share', () => {
    expect(workerIndices(0, 3, 10)).toBe(4);
    expect(workerIndices(1, 3, 10)).toBe(3);
    expect(workerIndices(2, 3, 10)).toBe(3);
    expect(workerIndices(5, 8, 3)).toBe(0);
  });

  it('leaves requests planned in the warm-up out of the statistics', () => {
    const profile = { ratePerS: 1_000, durationMs: 10_000, warmupMs: 2_000 };
    expect(isMeasured(profile, 1_999)).toBe(false);
    expect(isMeasured(profile, 2_000)).toBe(true);
  });

  it('refuses a profile that makes no sense', () => {
    expect(() => checkProfile({ ratePerS: 0, durationMs: 1_000 })).toThrow(/ratePerS/);
    expect(() => checkProfile({ ratePerS: 10, durationMs: 1_000, rampMs: 2_000 })).toThrow(/rampMs/);
    expect(() => checkProfile({ ratePerS: 10, durationMs: 1_000, warmupMs: 1_000 })).toThrow(/warmupMs/);
  });
});
