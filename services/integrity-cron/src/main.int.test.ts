import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobLifecycle } from '@tap/testkit';

describeJobLifecycle({
  service: 'integrity-cron',
  env: async (redis) => ({
    REDIS_URL: redis.url,
    OPS_PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-integrity-')),
  }),
  hangingEnv: (hangUrl) => ({ REDIS_URL: hangUrl('redis'), DATA_DIR: tmpdir() }),
  successMetric: 'tap_integrity_last_success_timestamp_seconds',
  textfile: 'integrity-cron.prom',
  badEnv: { REDIS_URL: 'nope', DATA_DIR: 'relative/path', OPS_PORT: 'abc' },
});
