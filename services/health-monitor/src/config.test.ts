import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the SPEC thresholds', () => {
    expect(loadConfig({})).toMatchObject({
      ok: true,
      config: {
        BREAKER_STALE_MS: 10_000,
        BREAKER_MIN_VENUES: 2,
        BREAKER_RECOVERY_MS: 30_000,
        BREAKER_TICK_MS: 100,
      },
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      BREAKER_STALE_MS: 'soon',
      BREAKER_MIN_VENUES: '0',
      BREAKER_RECOVERY_MS: '-5',
    });
    const text = result.ok ? '' : result.problems.join('\n');
    for (const name of ['BREAKER_STALE_MS', 'BREAKER_MIN_VENUES', 'BREAKER_RECOVERY_MS'])
      expect(text).toContain(name);
  });

  it('refuses a tick too coarse to see staleness in time', () => {
    const result = loadConfig({ BREAKER_STALE_MS: '1000', BREAKER_TICK_MS: '500' });
    expect(result.ok ? '' : result.problems.join('\n')).toContain('BREAKER_TICK_MS');
  });
});
