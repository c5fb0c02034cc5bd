import { describe, expect, it } from 'vitest';
import { createLocalTokenBucket } from './local-token-bucket.js';

describe('createLocalTokenBucket', () => {
  it('allows the burst at once, then the rate', () => {
    const bucket = createLocalTokenBucket({ ratePerS: 10, burst: 3 });
    expect([1, 2, 3, 4].map(() => bucket.take(1_000))).toEqual([true, true, true, false]);
    expect(bucket.take(1_050)).toBe(false);
    expect(bucket.take(1_100)).toBe(true);
    expect(bucket.take(1_100)).toBe(false);
  });

  it('never holds more than the burst after a long pause, nor refills from a clock going back', () => {
    const bucket = createLocalTokenBucket({ ratePerS: 100, burst: 2 });
    bucket.take(0);
    expect([1, 2, 3].map(() => bucket.take(60_000))).toEqual([true, true, false]);
    expect(bucket.take(59_000)).toBe(false);
  });
});
