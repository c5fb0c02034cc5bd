/**
 * The weekly archive against a real S3 server (s3rver): round trip readable by the standard tools,
 * the manifest — and what S3 failing mid-run must never do: exit 0 or advance the success
 * timestamp. Every run meets `segments/` read-only (testing.ts, issue 16): the archiver never writes
 * or deletes a segment; the batcher deletes archived ones (its segment-retention tests).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3, localManifestPath, MANIFEST_KEY, manifestSchema } from '@tap/archive';
import { isoWeekOf, segmentPath, segmentsDir } from '@tap/domain';
import { type FaultProxy, startFaultProxy, startS3, type TestS3, writeSegmentFile } from '@tap/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runArchiver } from './testing.js';

const CLOSED = ['2020-W01', '2020-W02', '2020-W03', '2020-W04', '2020-W05', '2020-W06'];

let s3: TestS3;
let proxy: FaultProxy;
beforeAll(async () => {
  s3 = await startS3({ bucket: 'tap-archive' });
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
});
afterAll(async () => {
  await proxy.close();
  await s3.stop();
});
afterEach(() => proxy.setFault({ kind: 'none' }));

/** Six closed weeks and the hot one; each run gets its own bucket prefix through its own bucket. */
function dataDir(users = 40): { dir: string; heads: Record<string, { id: number; hash: string }> } {
  const dir = mkdtempSync(join(tmpdir(), 'tap-archive-'));
  mkdirSync(segmentsDir(dir));
  const heads: Record<string, { id: number; hash: string }> = {};
  for (const [i, name] of CLOSED.entries()) {
    heads[name] = writeSegmentFile(segmentPath(dir, name), {
      users: users + i,
      betsPerUser: 20,
      state: 'closed',
    });
  }
  writeSegmentFile(segmentPath(dir, isoWeekOf(Date.now())), { users: 3 });
  return { dir, heads };
}

async function freshBucket(): Promise<string> {
  // s3rver creates buckets on request; one per test keeps manifests apart.
  const bucket = `t-${Math.random().toString(36).slice(2, 10)}`;
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await client().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

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

const env = (dir: string, bucket: string, endpoint = s3.endpoint) => ({
  S3_ENDPOINT: endpoint,
  S3_BUCKET: bucket,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  OPS_PORT: '0',
  DATA_DIR: dir,
});

const localSegments = (dir: string) =>
  readdirSync(segmentsDir(dir))
    .filter((f) => f.endsWith('.db'))
    .sort();

describe('archive run', () => {
  it('archives every closed segment readably and records it in the manifest, writing no segment', async () => {
    const { dir, heads } = dataDir();
    const bucket = await freshBucket();
    const run = await runArchiver('archive', env(dir, bucket));
    expect(run.code, run.log).toBe(0);
    expect(run.metric('last_successful_archive_timestamp')).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(run.metric('tap_archiver_archive_objects')).toBe(6);
    expect(run.metric('tap_archiver_archive_compression_ratio')).toBeGreaterThan(1);
    expect(run.metric('tap_archiver_archive_removed')).toBeUndefined();
    // Nothing deleted or marked: the local files are the very bytes archived (the batcher's
    // retention relies on it to delete them later).
    expect(localSegments(dir)).toEqual([...CLOSED.map((s) => `${s}.db`), `${isoWeekOf(Date.now())}.db`]);
    for (const name of CLOSED) {
      const state = execFileSync('sqlite3', [
        '-readonly',
        segmentPath(dir, name),
        "SELECT value FROM meta WHERE key = 'state'",
      ]);
      expect(state.toString().trim()).toBe('closed');
    }
    const s3c = client();
    const manifest = manifestSchema.parse(
      JSON.parse(
        await (
          await s3c.send(new GetObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY }))
        ).Body!.transformToString(),
      ),
    );
    expect(Object.keys(manifest.segments)).toEqual(CLOSED);
    for (const name of CLOSED) {
      expect(manifest.segments[name]!.ledgerHead).toEqual(heads[name]);
      const local = readFileSync(segmentPath(dir, name));
      expect(manifest.segments[name]!.plain).toEqual({
        sha256: createHash('sha256').update(local).digest('hex'),
        bytes: local.length,
      });
    }
    expect(JSON.parse(readFileSync(localManifestPath(dir), 'utf8'))).toEqual(manifest);

    const head = await s3c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'segments/2020-W01.db.zst' }));
    expect(head.Metadata).toMatchObject({
      'plain-sha256': manifest.segments['2020-W01']!.plain.sha256,
      'zst-sha256': manifest.segments['2020-W01']!.compressed.sha256,
      'zst-bytes': String(head.ContentLength),
    });

    // Readable by the standard tools: zstd -d, then the sqlite3 CLI.
    const object = await s3c.send(new GetObjectCommand({ Bucket: bucket, Key: 'segments/2020-W01.db.zst' }));
    const zst = join(dir, 'w01.db.zst');
    writeFileSync(zst, await object.Body!.transformToByteArray());
    execFileSync('zstd', ['-q', '-d', zst, '-o', join(dir, 'w01.db')]);
    expect(
      execFileSync('sqlite3', [join(dir, 'w01.db'), 'PRAGMA integrity_check'])
        .toString()
        .trim(),
    ).toBe('ok');
    expect(
      execFileSync('sqlite3', [join(dir, 'w01.db'), 'SELECT COUNT(*) FROM users'])
        .toString()
        .trim(),
    ).toBe('40');
    s3c.destroy();

    // Nothing due the next week: still a verified success, nothing uploaded twice.
    const again = await runArchiver('archive', env(dir, bucket));
    expect(again.code, again.log).toBe(0);
    expect(again.metric('tap_archiver_archive_objects')).toBe(0);
  }, 60_000);

  it('refuses a segment whose proof fails', async () => {
    const { dir } = dataDir(4);
    const bucket = await freshBucket();
    execFileSync('sqlite3', [
      segmentPath(dir, '2020-W04'),
      'UPDATE users SET balance = balance + 1 WHERE id = (SELECT MIN(id) FROM users)',
    ]);
    const run = await runArchiver('archive', env(dir, bucket));
    expect(run.code).toBe(1);
    expect(run.log).toContain('2020-W04');
    expect(run.log).toContain('!= ledger sum');
    expect(localSegments(dir)).toHaveLength(7);
    expect(run.textfiles).not.toContain('archiver-archive.prom');
  }, 60_000);

  const faults = [
    { name: 'S3 down (503 to every request)', fault: { kind: 'error' } as const },
    { name: 'connections reset mid-upload', fault: { kind: 'reset', afterBytes: 60_000 } as const },
    { name: 'S3 stalls mid-upload', fault: { kind: 'stall', afterBytes: 60_000 } as const },
  ];
  for (const { name, fault } of faults) {
    it(`${name}: exits 1, keeps the success timestamp; the next run succeeds`, async () => {
      const { dir } = dataDir();
      const bucket = await freshBucket();
      proxy.setFault(fault);
      const failed = await runArchiver('archive', {
        ...env(dir, bucket, proxy.url),
        S3_REQUEST_TIMEOUT_MS: '1500',
      });
      expect(failed.code, failed.log).toBe(1);
      expect(localSegments(dir)).toHaveLength(7);
      expect(failed.textfiles).not.toContain('archiver-archive.prom');
      expect(failed.textfiles).toContain('archiver-archive.failure.prom');

      proxy.setFault({ kind: 'none' });
      const next = await runArchiver('archive', env(dir, bucket, proxy.url));
      expect(next.code, next.log).toBe(0);
      expect(localSegments(dir)).toHaveLength(7);
      expect(next.metric('last_successful_archive_timestamp')).toBeGreaterThan(0);
    }, 90_000);
  }

  it('detects bytes flipped on the way to S3 by reading the object back', async () => {
    const { dir } = dataDir();
    const bucket = await freshBucket();
    proxy.setFault({ kind: 'flip', afterBytes: 30_000 });
    const run = await runArchiver('archive', { ...env(dir, bucket, proxy.url), S3_RETRY_ATTEMPTS: '1' });
    expect(run.code).toBe(1);
    expect(run.log).toContain('read back');
    expect(localSegments(dir)).toHaveLength(7);
    expect(existsSync(localManifestPath(dir))).toBe(true); // earlier segments may be in it
  }, 60_000);
});
