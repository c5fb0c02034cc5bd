import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, segmentPath } from '@tap/domain';
import {
  describeDaemonLifecycle,
  freePort,
  freshPrefix,
  startDaemon,
  startRedis,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tempDataDir = () => mkdtempSync(join(tmpdir(), 'tap-batcher-'));

describeDaemonLifecycle({
  service: 'batcher',
  portVariable: 'OPS_PORT',
  env: () => ({ DATA_DIR: tempDataDir() }),
});

describe('batcher data directory', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  async function startBatcher(dataDir: string) {
    const port = await freePort();
    const env = {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: freshPrefix(),
      OPS_PORT: String(port),
      DATA_DIR: dataDir,
    };
    return { daemon: startDaemon('batcher', env), healthUrl: `http://127.0.0.1:${port}/healthz` };
  }

  it("opens this week's segment file", async () => {
    const dataDir = tempDataDir();
    const { daemon, healthUrl } = await startBatcher(dataDir);
    try {
      expect(await waitForHealthy(healthUrl)).toMatchObject({ segment: isoWeekOf(Date.now()) });
      expect(existsSync(segmentPath(dataDir, isoWeekOf(Date.now())))).toBe(true);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses to start a second batcher on the same data directory', async () => {
    const dataDir = tempDataDir();
    const first = await startBatcher(dataDir);
    try {
      await waitForHealthy(first.healthUrl);
      const second = await startBatcher(dataDir);
      const exit = await second.daemon.exited;
      expect(exit.code).toBe(1);
      expect(second.daemon.lines.join('\n')).toContain('another batcher holds');
    } finally {
      await first.daemon.stop();
    }
  });

  it('can start again after the holder was killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    const first = await startBatcher(dataDir);
    await waitForHealthy(first.healthUrl);
    await first.daemon.stop('SIGKILL');
    const second = await startBatcher(dataDir);
    try {
      // The second batcher took the lock the killed one left behind and answers healthy.
      expect(await waitForHealthy(second.healthUrl)).toMatchObject({ ok: true });
    } finally {
      await second.daemon.stop();
    }
  });
});
