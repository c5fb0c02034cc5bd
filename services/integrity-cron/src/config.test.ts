import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('integrity-cron loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      ok: true,
      config: {
        OPS_PORT: 9106,
        DATA_DIR: '/var/lib/tap',
        TEXTFILE_DIR: '/var/lib/node_exporter/textfile_collector',
        TAP_KEY_PREFIX: 'tap:',
      },
    });
  });

  it('reads overrides', () => {
    const result = loadConfig({ DATA_DIR: '/srv/tap', OPS_PORT: '0', TEXTFILE_DIR: '/srv/textfiles' });
    expect(result).toMatchObject({
      ok: true,
      config: { DATA_DIR: '/srv/tap', OPS_PORT: 0, TEXTFILE_DIR: '/srv/textfiles' },
    });
  });

  it('names every bad variable', () => {
    const result = loadConfig({ OPS_PORT: '70000', DATA_DIR: 'relative/dir', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of ['OPS_PORT', 'DATA_DIR', 'LOG_LEVEL']) {
      expect(problems).toContain(variable);
    }
  });
});
