/**
 * File-to-file zstd with the sha256 and size of both sides, computed in the same pass. Everything
 * streams (zstd-napi's CompressStream/DecompressStream): a segment of any size costs a few MB of
 * memory. The output is a standard zstd frame — `zstd -d` reads it.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompressStream, DecompressStream } from 'zstd-napi';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

export interface ZstdResult {
  plain: FileDigest;
  compressed: FileDigest;
}

/**
 * zstd levels: the weekly archive is kept for good in STANDARD_IA, so it spends CPU for size
 * (level 9); the hourly backup competes with the batcher for the cores every hour and is pruned
 * within days, so it favours speed (level 3). `bench run archive-throughput` shows both jobs.
 */
export const ZSTD_LEVELS = { archive: 9, backup: 3 } as const;

export async function compressFile(
  source: string,
  target: string,
  options: {
    level?: number;
    signal?: AbortSignal;
    onBytes?: (plainBytes: number) => void;
    /** Plain bytes per second at most (see `pace`); unset = as fast as the cores allow. */
    bytesPerSecond?: number;
  } = {},
): Promise<ZstdResult> {
  const plain = digestTap(options.onBytes);
  const compressed = digestTap();
  await pipeline(
    createReadStream(source),
    options.bytesPerSecond ? pace(options.bytesPerSecond) : new PassThrough(),
    plain.stream,
    new CompressStream({ compressionLevel: options.level ?? ZSTD_LEVELS.archive, checksumFlag: true }),
    compressed.stream,
    createWriteStream(target),
    { signal: options.signal },
  );
  return { plain: plain.result(), compressed: compressed.result() };
}

export async function decompressFile(
  source: string,
  target: string,
  options: { signal?: AbortSignal } = {},
): Promise<ZstdResult> {
  const compressed = digestTap();
  const plain = digestTap();
  await pipeline(
    createReadStream(source),
    compressed.stream,
    new DecompressStream(),
    plain.stream,
    createWriteStream(target),
    { signal: options.signal },
  );
  return { plain: plain.result(), compressed: compressed.result() };
}

/** sha256 and size of a file, streamed. */
export async function digestFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const tap = digestTap();
  await pipeline(createReadStream(path), tap.stream, devNull(), { signal });
  return tap.result();
}

/** A pass-through that hashes and counts what flows through it. */
export function digestTap(onBytes?: (total: number) => void): {
  stream: Transform;
  result(): FileDigest;
} {
  const hash: Hash = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
      done(null, chunk);
    },
  });
  return {
    stream,
    result() {
      digest ??= hash.digest('hex');
      return { sha256: digest, bytes };
    },
  };
}

/**
 * A pass-through that holds the stream to `bytesPerSecond` on average: after each chunk it waits
 * until the bytes so far are due. Why: an hourly backup shares two cores with the batcher, and how
 * much it slows bet application depends on how much work it does per second, not in total (the
 * same reason as `pg_basebackup --max-rate`). Waiting in the stream also slows everything after it
 * (zstd, hashing, the staging write) to the same pace.
 */
export function pace(bytesPerSecond: number): Transform {
  if (!(bytesPerSecond > 0)) throw new RangeError(`pace: bytesPerSecond must be > 0 (got ${bytesPerSecond})`);
  const startedAt = performance.now();
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      const aheadMs = (bytes / bytesPerSecond) * 1000 - (performance.now() - startedAt);
      if (aheadMs > 1) setTimeout(() => done(null, chunk), aheadMs);
      else done(null, chunk);
    },
  });
}

function devNull(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
