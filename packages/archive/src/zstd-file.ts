/**
 * File-to-file zstd with the sha256 and size of both sides, computed in the same pass. Everything
 * streams (zstd-napi's CompressStream/DecompressStream): a segment of any size costs a few MB of
 * memory. The output is a standard zstd frame — `zstd -d` reads it.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, Writable } from 'node:stream';
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
  options: { level?: number; signal?: AbortSignal; onBytes?: (plainBytes: number) => void } = {},
): Promise<ZstdResult> {
  const plain = digestTap(options.onBytes);
  const compressed = digestTap();
  await pipeline(
    createReadStream(source),
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

function devNull(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
