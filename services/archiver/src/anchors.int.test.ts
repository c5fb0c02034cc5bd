/**
 * Ledger anchors into the S3 manifest (issue 18) against a real S3 server: a backup run copies the
 * newest anchor of each segment into the manifest; a local anchors file that disagrees with what
 * S3 holds fails the run; a restore checks the restored segment against the manifest's anchors.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createS3,
  IntegrityError,
  MANIFEST_KEY,
  type Manifest,
  readManifest,
  restoreDataDir,
  type TransferContext,
} from '@tap/archive';
import { anchorsPath, isoWeekOf, type LedgerAnchor, segmentPath, segmentsDir } from '@tap/domain';
import { startS3, type TestS3, writeSegmentFile } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchiver } from './testing.js';

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

/** A data dir with a hot segment, Redis files and an anchors file of two heads of its ledger. */
function dataDir(): { dir: string; segment: string; anchors: LedgerAnchor[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tap-anchors-'));
  mkdirSync(segmentsDir(dir));
  const segment = isoWeekOf(Date.now());
  const head = writeSegmentFile(segmentPath(dir, segment), { users: 3 });
  const db = new Database(segmentPath(dir, segment), { readonly: true });
  const second = db.prepare('SELECT hash FROM transaction_ledger WHERE id = 2').pluck().get() as string;
  db.close();
  const anchors = [
    { segment, rows: 2, hash: second, at: Date.now() - 60_000 },
    { segment, rows: head.id, hash: head.hash, at: Date.now() },
  ];
  writeFileSync(anchorsPath(dir), anchors.map((a) => `${JSON.stringify(a)}\n`).join(''));
  mkdirSync(join(dir, 'redis'));
  writeFileSync(join(dir, 'redis', 'dump.rdb'), 'REDIS0011 rdb');
  return { dir, segment, anchors };
}

describe('ledger anchors in the S3 manifest', () => {
  it('copies the newest anchor per segment, refuses a rewritten anchors file, and restore checks them', async () => {
    const s3c = client();
    const bucket = `a-${Math.random().toString(36).slice(2, 10)}`;
    await s3c.send(new CreateBucketCommand({ Bucket: bucket }));
    const { dir, segment, anchors } = dataDir();
    const env = {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      OPS_PORT: '0',
      DATA_DIR: dir,
      REDIS_DATA_DIR: join(dir, 'redis'),
    };
    const ctx: TransferContext = { s3: s3c, bucket, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

    const first = await runArchiver('backup', env);
    expect(first.code, first.log).toBe(0);
    expect(first.metric('tap_archiver_backup_anchors')).toBe(1);
    expect((await readManifest(ctx)).anchors).toEqual([anchors[1]]);
    const again = await runArchiver('backup', env);
    expect(again.code, again.log).toBe(0);
    expect(again.metric('tap_archiver_backup_anchors')).toBe(0);
    expect((await readManifest(ctx)).anchors).toHaveLength(1);

    // The restore checks the restored copy against the anchors S3 holds.
    const restored = await restoreDataDir(ctx, {
      dataDir: mkdtempSync(join(tmpdir(), 'tap-anchors-restore-')),
      atMs: Date.now(),
      segmentsMax: 5,
    });
    expect(restored.segments.map((s) => [s.segment, s.anchorsChecked])).toEqual([[segment, 1]]);

    // The local file rewritten to another history: the next run refuses to anchor it.
    const forged = { ...anchors[1]!, hash: 'f'.repeat(64) };
    writeFileSync(anchorsPath(dir), `${JSON.stringify(forged)}\n`);
    const refused = await runArchiver('backup', env);
    expect(refused.code).toBe(1);
    expect(refused.log).toContain(`${segment}: local anchor of row ${forged.rows} has hash ${forged.hash}`);

    // A manifest anchor the backup's history does not hold: the restore refuses the segment.
    const manifest: Manifest = await readManifest(ctx);
    manifest.anchors = [{ ...anchors[0]!, hash: 'e'.repeat(64) }];
    await s3c.send(
      new PutObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY, Body: JSON.stringify(manifest) }),
    );
    const target = mkdtempSync(join(tmpdir(), 'tap-anchors-restore-'));
    const restore = restoreDataDir(ctx, { dataDir: target, atMs: Date.now(), segmentsMax: 5 });
    await expect(restore).rejects.toBeInstanceOf(IntegrityError);
    await expect(restore).rejects.toThrow(/disagrees with the manifest's anchors.*row 2 hash/);
    s3c.destroy();
  }, 120_000);
});
