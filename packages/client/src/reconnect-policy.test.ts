import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, reconnectDelayMs } from './reconnect-policy.js';

const policy = { baseMs: 100, capMs: 5_000 };

describe('reconnect policy (exponential backoff, full jitter)', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 60].map((n) => backoffCeilingMs(n, policy))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
  });

  it('draws the delay uniformly from [0, ceiling): the extremes of the random source map to its bounds', () => {
    expect(reconnectDelayMs(3, () => 0, policy)).toBe(0);
    expect(reconnectDelayMs(3, () => 0.999_999, policy)).toBe(799);
    expect(reconnectDelayMs(3, () => 0.5, policy)).toBe(400);
  });

  it('stays within [0, ceiling) for every attempt, and spreads clients over the whole range', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = backoffCeilingMs(attempt, policy);
      const delays = Array.from({ length: 2_000 }, () => reconnectDelayMs(attempt, Math.random, policy));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      // Full jitter, not "ceiling/2 + jitter": a fifth of the clients come back in the first fifth.
      const early = delays.filter((d) => d < ceiling / 5).length / delays.length;
      expect(early).toBeGreaterThan(0.14);
      expect(early).toBeLessThan(0.26);
    }
  });
});
