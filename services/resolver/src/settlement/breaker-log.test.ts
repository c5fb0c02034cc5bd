import { describe, expect, it } from 'vitest';
import { BreakerLog } from './breaker-log.js';

describe('BreakerLog', () => {
  const log = new BreakerLog();
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
});
