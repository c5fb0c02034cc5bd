/**
 * The bounded cache of restored segments, `<DATA_DIR>/restored/` (issue 17): archived segments the
 * restore worker fetched back for historical queries. The worker is its only writer; ingest-api
 * only reads. Its size is bounded by `RESTORE_CACHE_BYTES_MAX`: before a segment is added, the
 * least recently used ones are deleted until it fits (last use = the newest of the query's
 * `restoreCacheUse` score and the file's mtime, so a segment nobody read yet is not evicted before
 * one read a minute ago). A segment larger than the whole cache is refused, not half-fitted.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSegmentName, RESTORED_DIR, restoredSegmentPath } from '@tap/domain';

export interface CachedSegment {
  name: string;
  bytes: number;
  lastUsedMs: number;
}

export function restoredDir(dataDir: string): string {
  return join(dataDir, RESTORED_DIR);
}

/** The cached segments with their size and last use (`usedAtMs` from the queries' sorted set). */
export function cachedSegments(dataDir: string, usedAtMs: ReadonlyMap<string, number>): CachedSegment[] {
  mkdirSync(restoredDir(dataDir), { recursive: true });
  return readdirSync(restoredDir(dataDir))
    .filter((file) => file.endsWith('.db') && isSegmentName(file.slice(0, -3)))
    .map((file) => {
      const name = file.slice(0, -3);
      const stat = statSync(restoredSegmentPath(dataDir, name));
      return { name, bytes: stat.size, lastUsedMs: Math.max(stat.mtimeMs, usedAtMs.get(name) ?? 0) };
    });
}

export type RoomResult = { ok: true; evicted: string[] } | { ok: false; code: 'cache_too_small' };

/** Deletes least recently used segments until `incomingBytes` more fit under `bytesMax`. */
export function makeRoom(
  dataDir: string,
  cached: readonly CachedSegment[],
  incomingBytes: number,
  bytesMax: number,
): RoomResult {
  if (incomingBytes > bytesMax) return { ok: false, code: 'cache_too_small' };
  let used = cached.reduce((sum, c) => sum + c.bytes, 0);
  const evicted: string[] = [];
  for (const victim of [...cached].sort((a, b) => a.lastUsedMs - b.lastUsedMs)) {
    if (used + incomingBytes <= bytesMax) break;
    // A reader holding the file open keeps reading it: an unlinked file lives until closed.
    rmSync(restoredSegmentPath(dataDir, victim.name), { force: true });
    used -= victim.bytes;
    evicted.push(victim.name);
  }
  return { ok: true, evicted };
}
