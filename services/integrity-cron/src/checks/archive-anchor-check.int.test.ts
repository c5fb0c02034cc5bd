/**
 * The manifest's ledger heads against local segments, on a real S3 server (s3rver): heads that
 * the chain holds pass; a history rewritten consistently — which the local chain check and a
 * rewritten local anchors file would both accept — is named; heads of segments no longer local are
 * skipped; an unreachable bucket is an error (the check is then `not_run`, never `ok`).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3, emptyManifest, MANIFEST_KEY, type S3Settings } from '@tap/archive';
import { segmentPath, segmentsDir } from '@tap/domain';
import { startS3, type TestS3, writeSegmentFile } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../report/report.js';
import { checkArchiveAnchors } from './archive-anchor-check.js';

const SEGMENT = '2026-W48';

describe('checkArchiveAnchors (s3rver)', () => {
  let s3: TestS3;
  let settings: S3Settings;
  let dataDir: string;
  let head: { id: number; hash: string };
  const signal = new AbortController().signal;

  beforeAll(async () => {
    s3 = await startS3({ bucket: 'tap-archive' });
    settings = {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: `i-${Math.random().toString(36).slice(2, 10)}`,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_RETRY_ATTEMPTS: 1,
      S3_RETRY_BASE_MS: 1,
      S3_REQUEST_TIMEOUT_MS: 5_000,
    };
    const client = createS3(settings);
    await client.send(new CreateBucketCommand({ Bucket: settings.S3_BUCKET }));
    client.destroy();
    dataDir = mkdtempSync(join(tmpdir(), 'tap-integrity-archive-'));
    mkdirSync(segmentsDir(dataDir));
    head = writeSegmentFile(segmentPath(dataDir, SEGMENT), { users: 2 });
  }, 60_000);
  afterAll(() => s3.stop());

  const putManifest = async (anchors: { segment: string; rows: number; hash: string }[]) => {
    const manifest = emptyManifest();
    manifest.anchors.push(...anchors.map((a) => ({ ...a, at: 1_764_000_000_000 })));
    const client = createS3(settings);
    await client.send(
      new PutObjectCommand({ Bucket: settings.S3_BUCKET, Key: MANIFEST_KEY, Body: JSON.stringify(manifest) }),
    );
    client.destroy();
  };

  it('passes heads the chain holds and skips segments no longer local', async () => {
    await putManifest([
      { segment: SEGMENT, rows: head.id, hash: head.hash },
      { segment: '2026-W40', rows: 3, hash: 'a'.repeat(64) },
    ]);
    expect(await checkArchiveAnchors(settings, dataDir, signal)).toEqual({
      anchors: 2,
      checked: 1,
      skippedNotLocal: 1,
      closingHeads: 0,
      problems: [],
    });
  });

  it('names a history rewritten consistently after the head went to S3', async () => {
    await putManifest([{ segment: SEGMENT, rows: head.id, hash: head.hash }]);
    const copy = mkdtempSync(join(tmpdir(), 'tap-integrity-archive-'));
    mkdirSync(segmentsDir(copy));
    // Another history of the same length, every hash recomputed: its own chain verifies.
    writeSegmentFile(segmentPath(copy, SEGMENT), { users: 2, openedAtMs: 1_764_000_000_999 });
    const rewritten = new Database(segmentPath(copy, SEGMENT), { readonly: true });
    const hash = rewritten.prepare('SELECT hash FROM transaction_ledger WHERE id = ?').pluck().get(head.id);
    rewritten.close();
    expect(hash).not.toBe(head.hash);
    const report = await checkArchiveAnchors(settings, copy, signal);
    expect(report.problems).toEqual([
      `${SEGMENT}: ledger row ${head.id} hash ${hash} != anchored ${head.hash} (anchored 2025-11-24T16:00:00.000Z): the history was rewritten`,
    ]);
  });

  it('is not_run, never ok, when the bucket cannot be read', async () => {
    const result = await runCheck('archive_anchors', async () => {
      const { problems, ...facts } = await checkArchiveAnchors(
        { ...settings, S3_ENDPOINT: 'http://127.0.0.1:1' },
        dataDir,
        signal,
      );
      return { problems, facts };
    });
    expect(result.status).toBe('not_run');
  });
});
