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
      },
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({
      HOURS: '0',
      DATA_DIR: 'rel',
      REPORT_FILE: 'x.json',
      BANDS_EACH_SIDE: 'many',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of ['HOURS', 'DATA_DIR', 'REPORT_FILE', 'BANDS_EACH_SIDE'])
      expect(problems).toContain(variable);
  });
});
