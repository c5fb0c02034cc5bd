import { describe, expect, it } from 'vitest';
import { backupKey, parseBackupKey, parseRedisBackupKey, redisBackupKey } from './keys.js';
import { isoWeekEndMs, segmentStartMs } from './segment-period.js';

describe('archive keys', () => {
  it('round-trips a segment backup key to the second', () => {
    const atMs = Date.UTC(2026, 11, 6, 19, 8, 12);
    expect(backupKey('2026-W49', atMs)).toBe('backups/2026-W49/20261206T190812Z.db.zst');
    expect(parseBackupKey(backupKey('2026-W49', atMs + 456))).toMatchObject({ segment: '2026-W49', atMs });
  });

  it('round-trips a Redis file key and ignores foreign keys', () => {
    const atMs = Date.UTC(2026, 0, 1);
    const key = redisBackupKey(atMs, 'appendonlydir/appendonly.aof.1.incr.aof');
    expect(parseRedisBackupKey(key)).toMatchObject({ atMs, file: 'appendonlydir/appendonly.aof.1.incr.aof' });
    expect(parseBackupKey(key)).toBeUndefined();
    expect(parseBackupKey('backups/2026-W49/yesterday.db.zst')).toBeUndefined();
  });

  it('knows when a segment began from its name, for both period schemes', () => {
    expect(segmentStartMs('2026-W01')).toBe(Date.UTC(2025, 11, 29));
    expect(isoWeekEndMs('2026-W01')).toBe(Date.UTC(2026, 0, 5));
    expect(segmentStartMs('2026-12-06T19-08-30-000Z')).toBe(Date.UTC(2026, 11, 6, 19, 8, 30));
    expect(isoWeekEndMs('2026-12-06T19-08-30-000Z')).toBeNull();
    expect(segmentStartMs('last-week')).toBeNull();
  });
});
