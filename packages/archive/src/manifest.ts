/**
 * The archive manifest: which segments are archived, where, with which hashes — and each segment's
 * closing ledger head, so a segment rewritten after archiving (even one whose chain was recomputed)
 * cannot verify against it. The copy in S3 (`segments/manifest.json`) is the truth; the archiver
 * keeps a local copy beside the data (`<DATA_DIR>/archive/manifest.json`) for operators and for a
 * lost bucket listing. Entries are only ever added: an archived segment is immutable. Since
 * issue 18 it also holds the batcher's ledger anchors (manifest-anchors.ts). The archive and the
 * backup job both change it, so every change is a read-modify-write under the manifest lock
 * (`updateManifest`), never a write of a copy read earlier.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { MANIFEST_KEY } from './keys.js';
import { emptyManifest, type Manifest, manifestSchema } from './manifest-schema.js';
import { withRetry } from './retry.js';
import type { TransferContext } from './transfer.js';

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
  await saveLocalManifest(manifest, localPath);
}

/** The local copy (`localManifestPath`), by atomic rename: a reader never sees half a file. */
export async function saveLocalManifest(manifest: Manifest, localPath: string): Promise<void> {
  await mkdir(dirname(localPath), { recursive: true });
  const temp = `${localPath}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, localPath);
}
