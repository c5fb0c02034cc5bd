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
        CACHE_SETTLE_MS: 1_000,
        CACHE_STABLE_ROUNDS: 3,
        CACHE_ROUNDS_MAX: 6,
        ARCHIVE_ANCHORS_CHECK: true,
        S3_BUCKET: 'tap-archive',
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
    const result = loadConfig({
      OPS_PORT: '70000',
      DATA_DIR: 'relative/dir',
      LOG_LEVEL: 'loud',
      REPORT_FILE: 'report.json',
      CACHE_SETTLE_MS: '0',
      ARCHIVE_ANCHORS_CHECK: 'maybe',
      S3_ACCESS_KEY_ID: 'only-the-id',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? '' : result.problems.join('\n');
    for (const variable of [
      'OPS_PORT',
      'DATA_DIR',
      'LOG_LEVEL',
      'REPORT_FILE',
      'CACHE_SETTLE_MS',
      'ARCHIVE_ANCHORS_CHECK',
      'S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY',
    ]) {
      expect(problems).toContain(variable);
    }
  });
});
