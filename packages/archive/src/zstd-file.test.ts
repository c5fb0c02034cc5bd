import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressFile, decompressFile, digestFile, pace } from './zstd-file.js';

describe('zstd files', () => {
  it('compresses to a standard zstd frame and back, with the same hashes on both sides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-zstd-'));
    const plain = Buffer.from('segment page '.repeat(200_000));
    writeFileSync(join(dir, 'a.db'), plain);
    const packed = await compressFile(join(dir, 'a.db'), join(dir, 'a.db.zst'));
    expect(packed.plain).toEqual(await digestFile(join(dir, 'a.db')));
    expect(packed.compressed.bytes).toBeLessThan(plain.length / 10);
    // The standard tool reads it.
    execFileSync('zstd', ['-q', '-d', join(dir, 'a.db.zst'), '-o', join(dir, 'cli.db')]);
    expect(readFileSync(join(dir, 'cli.db')).equals(plain)).toBe(true);
    const unpacked = await decompressFile(join(dir, 'a.db.zst'), join(dir, 'b.db'));
    expect(unpacked).toEqual(packed);
  });

  it('paces: a file takes at least its size over the rate, and arrives whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-zstd-'));
    const plain = Buffer.from('hot segment page '.repeat(120_000)); // ~2 MB
    writeFileSync(join(dir, 'a.db'), plain);
    const startedAt = performance.now();
    const packed = await compressFile(join(dir, 'a.db'), join(dir, 'a.db.zst'), {
      bytesPerSecond: 5_000_000,
    });
    // A lower bound only: a loaded machine may take longer, never shorter.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual((plain.length / 5_000_000) * 1000 - 80);
    expect(packed.plain).toEqual(await digestFile(join(dir, 'a.db')));
    const unpacked = await decompressFile(join(dir, 'a.db.zst'), join(dir, 'b.db'));
    expect(readFileSync(join(dir, 'b.db')).equals(plain)).toBe(true);
    expect(unpacked).toEqual(packed);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => pace(0)).toThrow(RangeError);
    expect(() => pace(Number.NaN)).toThrow(RangeError);
  });
});
