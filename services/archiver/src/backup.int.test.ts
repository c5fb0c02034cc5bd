/**
 * The hourly backup against a real S3 server: an online snapshot of the hot segment readable by the
 * standard tools, its hashes and ledger head in the object's metadata, Redis' files beside it, and
 * retention that deletes only what the policy lets go — after the new backup verified.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { backupKey, backupsToPrune, createS3, redisBackupKey } from '@tap/archive';
import { isoWeekOf, segmentPath, segmentsDir } from '@tap/domain';
import { startS3, type TestS3, writeSegmentFile } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchiver } from './testing.js';

const HOUR = 3_600_000;
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3({ bucket: 'tap-archive' });
});
afterAll(() => s3.stop());

const client = () =>
  createS3({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_RETRY_ATTEMPTS: 1,
    S3_RETRY_BASE_MS: 1,
    S3_REQUEST_TIMEOUT_MS: 10_000,
  });

describe('backup run', () => {
  it('ships a readable snapshot of the hot segment and Redis, then prunes by the retention policy', async () => {
    const s3c = client();
    const bucket = `b-${Math.random().toString(36).slice(2, 10)}`;
    await s3c.send(new CreateBucketCommand({ Bucket: bucket }));
    const dir = mkdtempSync(join(tmpdir(), 'tap-backup-'));
    mkdirSync(segmentsDir(dir));
    const hot = isoWeekOf(Date.now());
    const head = writeSegmentFile(segmentPath(dir, hot), { users: 30 });
    const redisDir = join(dir, 'redis');
    mkdirSync(join(redisDir, 'appendonlydir'), { recursive: true });
    writeFileSync(join(redisDir, 'dump.rdb'), 'REDIS0011 rdb');
    writeFileSync(join(redisDir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), '*1\r\n$4\r\nPING\r\n');
    // Older backups: hourly for 3 days back, plus Redis runs at the same times.
    const now = Date.now();
    const old = Array.from({ length: 72 }, (_, i) => now - (i + 1) * HOUR);
    for (const t of old) {
      for (const Key of [backupKey(hot, t), redisBackupKey(t, 'dump.rdb')]) {
        await s3c.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'old' }));
      }
    }

    const run = await runArchiver('backup', {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      OPS_PORT: '0',
      DATA_DIR: dir,
      REDIS_DATA_DIR: redisDir,
      BACKUP_KEEP_HOURLY: '3',
      BACKUP_KEEP_DAILY: '2',
    });
    expect(run.code, run.log).toBe(0);
    expect(run.metric('last_successful_backup_timestamp')).toBeGreaterThan(now / 1000 - 120);
    expect(run.metric('tap_archiver_backup_objects')).toBe(3);

    const listed = await s3c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `backups/${hot}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
    // What the policy keeps (retention.test.ts pins the rule): here the new one, the two newest old
    // ones (3 hourly) and yesterday's newest (2 daily) — or only three just after midnight.
    const pruned = new Set(backupsToPrune([now, ...old], now, { hourly: 3, daily: 2 }));
    expect(keys).toHaveLength(1 + old.filter((t) => !pruned.has(t)).length);
    expect(keys.length).toBeLessThan(5);
    const newest = keys.at(-1)!;
    expect(newest >= backupKey(hot, now)).toBe(true);
    const redisKeys = await s3c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'backups/redis/' }));
    expect((redisKeys.Contents ?? []).map((o) => o.Key!)).toEqual(
      expect.arrayContaining([
        `backups/redis/${newest.split('/')[2]!.replace('.db.zst', '')}/appendonlydir/appendonly.aof.1.incr.aof.zst`,
      ]),
    );

    const object = await s3c.send(new GetObjectCommand({ Bucket: bucket, Key: newest }));
    expect(object.Metadata).toMatchObject({
      segment: hot,
      'ledger-head-id': String(head.id),
      'ledger-head-hash': head.hash,
    });
    writeFileSync(join(dir, 'b.db.zst'), await object.Body!.transformToByteArray());
    execFileSync('zstd', ['-q', '-d', join(dir, 'b.db.zst'), '-o', join(dir, 'b.db')]);
    expect(
      execFileSync('sqlite3', [join(dir, 'b.db'), 'PRAGMA integrity_check'])
        .toString()
        .trim(),
    ).toBe('ok');
    expect(
      execFileSync('sqlite3', [join(dir, 'b.db'), 'SELECT COUNT(*) FROM users'])
        .toString()
        .trim(),
    ).toBe('30');
    s3c.destroy();
  }, 60_000);
});
