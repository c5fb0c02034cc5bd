import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoredSegmentPath } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { cachedSegments, makeRoom, restoredDir } from './restore-cache.js';

function cacheWith(files: Record<string, number>): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-restore-cache-'));
  mkdirSync(restoredDir(dataDir));
  for (const [name, bytes] of Object.entries(files))
    writeFileSync(restoredSegmentPath(dataDir, name), Buffer.alloc(bytes));
  return dataDir;
}

describe('the restored-segment cache', () => {
  it('evicts the least recently used segments until the new one fits', () => {
    const dataDir = cacheWith({ '2020-W01': 400, '2020-W02': 400, '2020-W03': 400 });
    const used = new Map([
      ['2020-W01', Date.now() + 3_000],
      ['2020-W02', Date.now() + 1_000],
      ['2020-W03', Date.now() + 2_000],
    ]);
    const result = makeRoom(dataDir, cachedSegments(dataDir, used), 500, 1_200);
    expect(result).toEqual({ ok: true, evicted: ['2020-W02', '2020-W03'] });
    expect(readdirSync(restoredDir(dataDir))).toEqual(['2020-W01.db']);
  });

  it('evicts nothing while the new segment fits', () => {
    const dataDir = cacheWith({ '2020-W01': 400 });
    expect(makeRoom(dataDir, cachedSegments(dataDir, new Map()), 400, 1_000)).toEqual({
      ok: true,
      evicted: [],
    });
  });

  it('refuses a segment larger than the whole cache and deletes nothing', () => {
    const dataDir = cacheWith({ '2020-W01': 400 });
    expect(makeRoom(dataDir, cachedSegments(dataDir, new Map()), 2_000, 1_000)).toEqual({
      ok: false,
      code: 'cache_too_small',
    });
    expect(readdirSync(restoredDir(dataDir))).toEqual(['2020-W01.db']);
  });
});
