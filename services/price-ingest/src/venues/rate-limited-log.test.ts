import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limited-log.js';

describe('createRateLimiter', () => {
  it('admits one line per key per interval and reports what it suppressed', () => {
    let t = 0;
    const limiter = createRateLimiter(10_000, () => t);
    expect(limiter.admit('coinbase:malformed')).toEqual({ suppressed: 0 });
    expect(limiter.admit('coinbase:malformed')).toBeNull();
    expect(limiter.admit('kraken:malformed')).toEqual({ suppressed: 0 });
    t = 9_999;
    expect(limiter.admit('coinbase:malformed')).toBeNull();
    t = 10_000;
    expect(limiter.admit('coinbase:malformed')).toEqual({ suppressed: 2 });
  });
});
