import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('fairness-report loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      ok: true,
      config: {
        OPS_PORT: 9109,
        DATA_DIR: '/var/lib/tap',
        HOURS: 24,
        DECISION_EVERY_MS: 5_000,
        DECISIONS_MIN: 20_000,
        EDGE_BETS_MIN: 300,
        EDGE_Z_MIN: 3,
        EDGE_HOURS: 168,
        EDGE_WALLETS_SHOWN: 10,
      },
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      HOURS: '0',
      DATA_DIR: 'rel',
      REPORT_FILE: 'x.json',
      BANDS_EACH_SIDE: 'many',
      EDGE_BETS_MIN: '5',
      EDGE_Z_MIN: '1',
      EDGE_HOURS: '9999',
      EDGE_WALLETS_SHOWN: '-1',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of [
      'HOURS',
      'DATA_DIR',
      'REPORT_FILE',
      'BANDS_EACH_SIDE',
      'EDGE_BETS_MIN',
      'EDGE_Z_MIN',
      'EDGE_HOURS',
      'EDGE_WALLETS_SHOWN',
    ])
      expect(problems).toContain(variable);
  });
});
