import { describe, expect, it } from 'vitest';
import { breakerRules, indexRules, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the SPEC values', () => {
    const result = loadConfig({});
    expect(result.ok && result.config).toMatchObject({
      GAP_MS_MAX: 1_000,
      DEADLINE_MS: 60_000,
      BLOCK_MS: 100,
      EVENTS_REPLAY_MS: 60_000,
      DATA_DIR: '/var/lib/tap',
      CONSUMER_NAME: 'resolver-1',
    });
    expect(result.ok && indexRules(result.config)).toEqual({
      gapMsMax: 1_000,
      deadlineMs: 60_000,
      settledMemoryMs: 300_000,
    });
    expect(result.ok && breakerRules(result.config)).toEqual({
      staleMs: 10_000,
      minVenues: 2,
      recoveryMs: 30_000,
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      DATA_DIR: 'relative/dir',
      GAP_MS_MAX: '0',
      DEADLINE_MS: 'soon',
      BLOCK_MS: '5000',
      EVENTS_REPLAY_MS: '-1',
      PRINT_HISTORY_MS: '1.5',
      CONSUMER_NAME: 'two words',
      BREAKER_STALE_MS: '50',
      BREAKER_MIN_VENUES: 'three',
      BREAKER_RECOVERY_MS: '0',
    });
    expect(result.ok).toBe(false);
    const named = [...new Set(result.ok ? [] : result.problems.map((p) => p.split(':')[0]))];
    expect(named.sort()).toEqual(
      [
        'BLOCK_MS',
        'BREAKER_MIN_VENUES',
        'BREAKER_RECOVERY_MS',
        'BREAKER_STALE_MS',
        'CONSUMER_NAME',
        'DATA_DIR',
        'DEADLINE_MS',
        'EVENTS_REPLAY_MS',
        'GAP_MS_MAX',
        'PRINT_HISTORY_MS',
      ].sort(),
    );
  });
});
