import { describe, expect, it } from 'vitest';
import { monitorHealth } from './monitor-health.js';

const openMachine = {
  state: 'open' as const,
  reason: 'stale_prints',
  since: 1_000,
  healthySinceMs: null,
  lastPrint: { t: 500, venues: 3 },
};

describe('monitorHealth', () => {
  it('is healthy with an open breaker as long as the heartbeat is being written', () => {
    expect(monitorHealth(openMachine, 9_000, 10_000)).toEqual({
      ok: true,
      breaker: { state: 'open', reason: 'stale_prints', since: 1_000 },
      heartbeatAt: 9_000,
      lastPrintAgeMs: 9_500,
    });
  });

  it('is unhealthy before the first heartbeat and when the heartbeat is older than 5 s', () => {
    expect(monitorHealth(null, null, 10_000).ok).toBe(false);
    expect(monitorHealth(openMachine, 4_999, 10_000).ok).toBe(false);
  });
});
