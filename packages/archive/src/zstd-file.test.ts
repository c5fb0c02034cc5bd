import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressFile, decompressFile, digestFile } from './zstd-file.js';

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
});
