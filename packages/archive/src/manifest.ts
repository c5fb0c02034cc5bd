/**
 * The archive manifest: which segments are archived, where, with which hashes — and each segment's
 * closing ledger head, so a segment rewritten after archiving (even one whose chain was recomputed)
 * cannot verify against it. The copy in S3 (`segments/manifest.json`) is the truth; the archiver
 * keeps a local copy beside the data (`<DATA_DIR>/archive-manifest.json`) for operators and for a
 * lost bucket listing. Entries are only ever added: an archived segment is immutable. Since
 * issue 18 it also holds the batcher's ledger anchors (manifest-anchors.ts). The archive and the
 * backup job both change it, so every change is a read-modify-write under the manifest lock
 * (`updateManifest`), never a write of a copy read earlier.
 */
import { rename, writeFile } from 'node:fs/promises';
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { MANIFEST_KEY } from './keys.js';
import { withRetry } from './retry.js';
import type { TransferContext } from './transfer.js';

const digest = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });

export const manifestEntrySchema = z.object({
  segment: z.string(),
  key: z.string(),
  plain: digest,
  compressed: digest,
  /** The last ledger row of the segment: its id and hash (GENESIS id 0 for an empty ledger). */
  ledgerHead: z.object({ id: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  users: z.number().int().min(0),
  bets: z.number().int().min(0),
  /** When the segment was opened (meta `opened_at`), ms. */
  openedAtMs: z.number().int().nullable(),
  /** End of the segment's period (meta `period_end_ms`, else its ISO week's end): restore --at takes the archive from then on. */
  periodEndMs: z.number().int(),
  archivedAtMs: z.number().int(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

/** A ledger anchor (`LedgerAnchor` of @tap/domain) copied from the batcher's anchors file. */
export const anchorSchema = z
  .object({
    segment: z.string(),
    rows: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.number().int(),
  })
  .strict();

export const manifestSchema = z.object({
  version: z.literal(1),
  segments: z.record(z.string(), manifestEntrySchema),
  /**
   * Ledger heads anchored out of the batcher's reach (issue 18): the newest anchor of each segment
   * at every archiver run (hourly with the backups), appended, never changed. Absent in manifests
   * written before anchors were uploaded (read as none).
   */
  anchors: z.array(anchorSchema).default([]),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const emptyManifest = (): Manifest => ({ version: 1, segments: {}, anchors: [] });

/** The manifest in S3; an empty one when none was written yet. A malformed one throws. */
export async function readManifest(ctx: TransferContext): Promise<Manifest> {
  return withRetry(
    'read manifest',
    async () => {
      try {
        const res = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: MANIFEST_KEY }), {
          abortSignal: ctx.signal,
        });
        const text = await res.Body!.transformToString();
        return manifestSchema.parse(JSON.parse(text));
      } catch (err) {
        if (err instanceof NoSuchKey) return emptyManifest();
        throw err;
      }
    },
    { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
  );
}

/** Writes the manifest to S3 (read back and compared), then the local copy by atomic rename. */
export async function writeManifest(
  ctx: TransferContext,
  manifest: Manifest,
  localPath: string,
): Promise<void> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await withRetry(
    'write manifest',
    async () => {
      await ctx.s3.send(
        new PutObjectCommand({
          Bucket: ctx.bucket,
          Key: MANIFEST_KEY,
          Body: text,
          ContentType: 'application/json',
        }),
        { abortSignal: ctx.signal },
      );
      const back = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: MANIFEST_KEY }), {
        abortSignal: ctx.signal,
      });
      if ((await back.Body!.transformToString()) !== text) throw new Error('manifest read back differs');
    },
    { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
  );
  const temp = `${localPath}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, localPath);
}
