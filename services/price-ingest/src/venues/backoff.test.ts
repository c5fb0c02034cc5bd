import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from './backoff.js';

const rules = { baseMs: 100, maxMs: 5_000 };

describe('fullJitterDelayMs', () => {
  it('spreads the delay over [0, base·2^attempt)', () => {
    expect(fullJitterDelayMs(0, rules, () => 0)).toBe(0);
    expect(fullJitterDelayMs(0, rules, () => 0.999)).toBe(99);
    expect(fullJitterDelayMs(3, rules, () => 0.5)).toBe(400);
  });

  it('never exceeds the maximum, however many attempts failed', () => {
    expect(fullJitterDelayMs(10, rules, () => 0.999)).toBe(4_995);
    expect(fullJitterDelayMs(10_000, rules, () => 0.999)).toBeLessThan(5_000);
  });
});
