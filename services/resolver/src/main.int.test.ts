import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDaemonLifecycle } from '@tap/testkit';

// A fresh data directory (no batcher has run yet): a missing DATA_DIR is a start-up error.
describeDaemonLifecycle({
  service: 'resolver',
  portVariable: 'OPS_PORT',
  env: async () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-resolver-')) }),
});
