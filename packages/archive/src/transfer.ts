/**
 * Moving files to and from the bucket with proof: an upload is only done once the object has been
 * read back and its sha256 and size match what was sent; a download hashes what arrives. Uploads
 * are multipart (lib-storage: 8 MB parts, 2 at a time — a few tens of MB of memory whatever the
 * file size) and streamed from disk. Each upload-and-verify is one retried unit (retry.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client, type StorageClass } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type RetryInfo, type RetryPolicy, withRetry } from './retry.js';
import { digestTap, type FileDigest } from './zstd-file.js';

const PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

export interface TransferContext {
  s3: S3Client;
  bucket: string;
  retry: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Bytes sent so far of the current upload, or received of the current download (progress on a TTY, restore jobs). */
  onProgress?: (key: string, sentBytes: number, totalBytes: number) => void;
}

export class IntegrityError extends Error {
  readonly code = 'integrity_mismatch';
}

/** Uploads `path` to `key`, reads it back and checks `expected`; retries the pair as one unit. */
export async function uploadVerified(
  ctx: TransferContext,
  key: string,
  path: string,
  expected: FileDigest,
  options: { metadata: Record<string, string>; storageClass?: StorageClass },
): Promise<void> {
  await withRetry(
    `upload ${key}`,
    async () => {
      await uploadFile(ctx, key, path, expected.bytes, options);
      await verifyObject(ctx, key, expected);
    },
    { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
  );
}

async function uploadFile(
  ctx: TransferContext,
  key: string,
  path: string,
  totalBytes: number,
  options: { metadata: Record<string, string>; storageClass?: StorageClass },
): Promise<void> {
  const upload = new Upload({
    client: ctx.s3,
    params: {
      Bucket: ctx.bucket,
      Key: key,
      Body: createReadStream(path),
      ContentLength: totalBytes,
      Metadata: options.metadata,
      ...(options.storageClass ? { StorageClass: options.storageClass } : {}),
    },
    partSize: PART_BYTES,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => ctx.onProgress?.(key, p.loaded ?? 0, totalBytes));
  const abort = () => void upload.abort();
  ctx.signal?.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } finally {
    ctx.signal?.removeEventListener('abort', abort);
  }
}

/** Reads the object back in full and compares its sha256 and size with `expected`. */
export async function verifyObject(ctx: TransferContext, key: string, expected: FileDigest): Promise<void> {
  const got = await readObjectDigest(ctx, key);
  if (got.sha256 !== expected.sha256 || got.bytes !== expected.bytes) {
    throw new IntegrityError(
      `${key}: read back ${got.bytes} bytes sha256 ${got.sha256}, uploaded ${expected.bytes} bytes sha256 ${expected.sha256}`,
    );
  }
}

async function readObjectDigest(ctx: TransferContext, key: string): Promise<FileDigest> {
  const tap = digestTap();
  const res = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }), {
    abortSignal: ctx.signal,
  });
  await pipeline(res.Body as Readable, tap.stream, discard(), { signal: ctx.signal });
  return tap.result();
}

export interface Downloaded extends FileDigest {
  metadata: Record<string, string>;
}

/** Downloads `key` to `path` (retried), returning what arrived and the object's metadata. */
export async function downloadFile(ctx: TransferContext, key: string, path: string): Promise<Downloaded> {
  return withRetry(
    `download ${key}`,
    async () => {
      const tap = digestTap();
      const res = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }), {
        abortSignal: ctx.signal,
      });
      const totalBytes = res.ContentLength ?? 0;
      let receivedBytes = 0;
      const progress = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          receivedBytes += chunk.length;
          ctx.onProgress?.(key, receivedBytes, totalBytes);
          done(null, chunk);
        },
      });
      await pipeline(res.Body as Readable, progress, tap.stream, createWriteStream(path), {
        signal: ctx.signal,
      });
      return { ...tap.result(), metadata: res.Metadata ?? {} };
    },
    { policy: ctx.retry, signal: ctx.signal, onRetry: ctx.onRetry },
  );
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
