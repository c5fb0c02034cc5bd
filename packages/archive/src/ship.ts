/**
 * A local file to S3 and back, with proof at every step. `shipFile`: zstd into a staging file
 * (hashing both sides), multipart upload with both hashes and sizes in the object's metadata, read
 * back and compared, staging file removed. `fetchFile`: download, check the compressed hash against
 * the object's metadata (and the caller's expectation, e.g. the manifest), decompress, check the
 * plain hash. A mismatch anywhere throws IntegrityError; nothing is half-reported as done.
 *
 * Why a staging file instead of piping zstd straight into the upload: S3 metadata is fixed when the
 * multipart upload is created, before the stream's hashes are known; and a retried upload re-reads
 * the staged file instead of compressing the segment again. The staging file is the compressed
 * size (a segment compresses ~3–5×) and lives next to the data, on the same disk.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageClass } from '@aws-sdk/client-s3';
import { downloadFile, IntegrityError, type TransferContext, uploadVerified } from './transfer.js';
import { compressFile, decompressFile, type FileDigest, type ZstdResult } from './zstd-file.js';

export const META = {
  plainSha256: 'plain-sha256',
  plainBytes: 'plain-bytes',
  zstSha256: 'zst-sha256',
  zstBytes: 'zst-bytes',
} as const;

export async function shipFile(
  ctx: TransferContext,
  options: {
    source: string;
    key: string;
    stagingDir: string;
    storageClass?: StorageClass;
    metadata?: Record<string, string>;
    /** zstd level (ZSTD_LEVELS); default the archive's. */
    level?: number;
    /** Compress at most this many plain bytes per second (`pace`); default unpaced. */
    bytesPerSecond?: number;
  },
): Promise<ZstdResult> {
  const staged = join(options.stagingDir, `${options.key.replace(/\//g, '_')}.${process.pid}`);
  try {
    const digests = await compressFile(options.source, staged, {
      level: options.level,
      signal: ctx.signal,
      ...(options.bytesPerSecond ? { bytesPerSecond: options.bytesPerSecond } : {}),
    });
    await uploadVerified(ctx, options.key, staged, digests.compressed, {
      metadata: { ...options.metadata, ...digestMetadata(digests) },
      ...(options.storageClass ? { storageClass: options.storageClass } : {}),
    });
    return digests;
  } finally {
    await rm(staged, { force: true });
  }
}

export function digestMetadata(d: ZstdResult): Record<string, string> {
  return {
    [META.plainSha256]: d.plain.sha256,
    [META.plainBytes]: String(d.plain.bytes),
    [META.zstSha256]: d.compressed.sha256,
    [META.zstBytes]: String(d.compressed.bytes),
  };
}

/**
 * Downloads `key` and decompresses it to `target`, checking the hashes the object carries and, when
 * given, the ones the caller expects (the manifest's). Returns the digests checked.
 */
export async function fetchFile(
  ctx: TransferContext,
  options: { key: string; target: string; stagingDir: string; expected?: ZstdResult },
): Promise<ZstdResult & { metadata: Record<string, string> }> {
  const staged = join(options.stagingDir, `${options.key.replace(/\//g, '_')}.${process.pid}`);
  try {
    const got = await downloadFile(ctx, options.key, staged);
    const claimed = options.expected ?? fromMetadata(options.key, got.metadata);
    expectDigest(options.key, 'compressed', got, claimed.compressed);
    const result = await decompressFile(staged, options.target, { signal: ctx.signal });
    expectDigest(options.key, 'decompressed', result.plain, claimed.plain);
    return { ...result, metadata: got.metadata };
  } finally {
    await rm(staged, { force: true });
  }
}

function fromMetadata(key: string, metadata: Record<string, string>): ZstdResult {
  const get = (name: string) => {
    const value = metadata[name];
    if (value === undefined) throw new IntegrityError(`${key}: object has no ${name} metadata`);
    return value;
  };
  return {
    plain: { sha256: get(META.plainSha256), bytes: Number(get(META.plainBytes)) },
    compressed: { sha256: get(META.zstSha256), bytes: Number(get(META.zstBytes)) },
  };
}

function expectDigest(key: string, what: string, got: FileDigest, want: FileDigest): void {
  if (got.sha256 !== want.sha256 || got.bytes !== want.bytes) {
    throw new IntegrityError(
      `${key}: ${what} ${got.bytes} bytes sha256 ${got.sha256}, expected ${want.bytes} bytes sha256 ${want.sha256}`,
    );
  }
}
