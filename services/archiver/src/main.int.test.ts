import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, segmentPath, segmentsDir } from '@tap/domain';
import {
  describeDaemonLifecycle,
  describeJobLifecycle,
  startS3,
  type TestS3,
  writeSegmentFile,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchiver } from './testing.js';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3({ bucket: 'tap-archive' });
});
afterAll(() => s3.stop());

/** A data dir holding this week's (hot) segment, and a Redis dir with a dump.rdb. */
function dataDirWithHotSegment(): { DATA_DIR: string; REDIS_DATA_DIR: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-archiver-'));
  mkdirSync(segmentsDir(dataDir));
  writeSegmentFile(segmentPath(dataDir, isoWeekOf(Date.now())), { users: 2 });
  const redisDir = join(dataDir, 'redis');
  mkdirSync(redisDir);
  writeFileSync(join(redisDir, 'dump.rdb'), 'REDIS0011 test');
  return { DATA_DIR: dataDir, REDIS_DATA_DIR: redisDir };
}

const s3Env = () => ({
  S3_ENDPOINT: s3.endpoint,
  S3_BUCKET: s3.bucket,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  OPS_PORT: '0',
  ...dataDirWithHotSegment(),
});
const hangingEnv = (hangUrl: (scheme: string) => string) => ({
  S3_ENDPOINT: hangUrl('http'),
  S3_ACCESS_KEY_ID: 'x',
  S3_SECRET_ACCESS_KEY: 'y',
  ...dataDirWithHotSegment(),
});
const badEnv = { S3_BUCKET: 'B', S3_ENDPOINT: 'not-a-url', OPS_PORT: '-1', BACKUP_KEEP_HOURLY: '0' };

for (const mode of ['archive', 'backup']) {
  describeJobLifecycle({
    service: 'archiver',
    args: [mode],
    env: async () => s3Env(),
    hangingEnv,
    successMetric: `last_successful_${mode}_timestamp`,
    textfile: `archiver-${mode}.prom`,
    badEnv,
  });
}

describe('archiver refuses to report success for work it did not do', () => {
  for (const mode of ['archive', 'backup']) {
    it(`${mode}: fails on a data directory without segments`, async () => {
      const env = { ...s3Env(), DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-archiver-empty-')) };
      const run = await runArchiver(mode, env);
      expect(run.code).toBe(1);
      expect(run.textfiles).not.toContain(`archiver-${mode}.prom`);
      expect(run.textfiles).toContain(`archiver-${mode}.failure.prom`);
      expect(run.log).toContain('no segment');
    });

    it(`${mode}: fails when the bucket does not exist`, async () => {
      const run = await runArchiver(mode, { ...s3Env(), S3_BUCKET: 'no-such-bucket' });
      expect(run.code).toBe(1);
      expect(run.textfiles).not.toContain(`archiver-${mode}.prom`);
    });
  }

  it('backup: fails when Redis has nothing to back up', async () => {
    const env = s3Env();
    const run = await runArchiver('backup', { ...env, REDIS_DATA_DIR: join(env.DATA_DIR, 'segments') });
    expect(run.code).toBe(1);
    expect(run.log).toContain('nothing of Redis to back up');
  });
});

describeDaemonLifecycle({
  service: 'archiver',
  args: ['restores'],
  portVariable: 'OPS_PORT',
  env: async () => ({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    DATA_DIR: dataDirWithHotSegment().DATA_DIR,
  }),
});
