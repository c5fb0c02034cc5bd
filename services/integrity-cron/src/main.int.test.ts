import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, ensureGroup } from '@tap/channels';
import {
  isoWeekOf,
  META_KEYS,
  migrate,
  SEGMENT_MIGRATIONS,
  segmentPath,
  segmentsDir,
  writeMeta,
} from '@tap/domain';
import { Redis } from '@tap/runtime';
import { describeJobLifecycle, freshPrefix, startDaemon, startRedis, type TestRedis } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A data directory holding one valid (empty) segment: a run has something to verify. */
function dataDirWithSegment(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-integrity-'));
  mkdirSync(segmentsDir(dataDir));
  const db = new Database(segmentPath(dataDir, isoWeekOf(Date.now())));
  migrate(db, SEGMENT_MIGRATIONS);
  writeMeta(db, { [META_KEYS.state]: 'open' });
  db.close();
  return dataDir;
}

/** Redis as a started batcher leaves it for an empty segment: its group on the bets stream, the cache ready. */
async function batcherReadyRedis(url: string): Promise<string> {
  const prefix = freshPrefix();
  const channels = createChannels(prefix);
  const redis = new Redis(url);
  try {
    await ensureGroup(redis, channels.streams.bets, channels.groups.batcher, '0');
    await redis.set(channels.keys.balanceCacheReady, '1');
  } finally {
    redis.disconnect();
  }
  return prefix;
}

describeJobLifecycle({
  service: 'integrity-cron',
  env: async (redis) => ({
    REDIS_URL: redis.url,
    TAP_KEY_PREFIX: await batcherReadyRedis(redis.url),
    OPS_PORT: '0',
    DATA_DIR: dataDirWithSegment(),
    ARCHIVE_ANCHORS_CHECK: '0',
  }),
  hangingEnv: (hangUrl) => ({ REDIS_URL: hangUrl('redis'), DATA_DIR: tmpdir() }),
  successMetric: 'tap_integrity_cron_last_success_timestamp_seconds',
  textfile: 'integrity-cron.prom',
  badEnv: { REDIS_URL: 'nope', DATA_DIR: 'relative/path', OPS_PORT: 'abc' },
});

describe('integrity-cron on a data directory it cannot verify', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const run = async (dataDir: string) => {
    const env = {
      REDIS_URL: redis.url,
      OPS_PORT: '0',
      DATA_DIR: dataDir,
      TEXTFILE_DIR: '',
      ARCHIVE_ANCHORS_CHECK: '0',
    };
    const job = startDaemon('integrity-cron', env);
    return { exit: await job.exited, output: job.lines.join('\n') };
  };

  it('fails naming the path when DATA_DIR does not exist', async () => {
    const missing = join(tmpdir(), `tap-integrity-missing-${process.pid}`);
    const { exit, output } = await run(missing);
    expect(exit.code).toBe(1);
    expect(output).toContain(`data_dir_missing: ${missing}`);
  });

  it('fails naming the path when segments/ cannot be read', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-integrity-'));
    writeFileSync(segmentsDir(dataDir), 'not a directory');
    const { exit, output } = await run(dataDir);
    expect(exit.code).toBe(1);
    expect(output).toContain(`data_dir_unreadable: ${segmentsDir(dataDir)}`);
  });

  it('fails when there is no segment to verify', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tap-integrity-'));
    const { exit, output } = await run(dataDir);
    expect(exit.code).toBe(1);
    expect(output).toContain(`no segments under ${dataDir}`);
  });
});
