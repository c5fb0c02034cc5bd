/**
 * The layout of the archive bucket — every S3 key the archiver writes and restore reads comes from
 * here, so nobody spells one by hand:
 *
 *   segments/<segment>.db.zst                      a closed segment (weekly archive)
 *   segments/manifest.json                         what is archived, with each segment's closing head
 *   backups/<segment>/<stamp>.db.zst               an online backup of a segment (hourly)
 *   backups/redis/<stamp>/<file>.zst               Redis' RDB and AOF files of the same run
 *
 * `<stamp>` is the UTC time the backup's snapshot was taken, `20261206T190812Z`: sortable as text,
 * no characters that need escaping.
 */
import { isSegmentName } from '@tap/domain';

export const MANIFEST_KEY = 'segments/manifest.json';
export const BACKUPS_PREFIX = 'backups/';
export const REDIS_BACKUPS_PREFIX = 'backups/redis/';

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function archiveKey(segment: string): string {
  return `segments/${segment}.db.zst`;
}

export function stampOf(atMs: number): string {
  return new Date(atMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function timeOfStamp(stamp: string): number | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

export function backupKey(segment: string, atMs: number): string {
  return `${BACKUPS_PREFIX}${segment}/${stampOf(atMs)}.db.zst`;
}

export function redisBackupKey(atMs: number, file: string): string {
  return `${REDIS_BACKUPS_PREFIX}${stampOf(atMs)}/${file}.zst`;
}

export interface BackupRef {
  key: string;
  segment: string;
  atMs: number;
}

/** A segment backup's key parsed back; undefined for anything else under backups/. */
export function parseBackupKey(key: string): BackupRef | undefined {
  const m = /^backups\/([^/]+)\/([^/]+)\.db\.zst$/.exec(key);
  if (!m || !isSegmentName(m[1]!)) return undefined;
  const atMs = timeOfStamp(m[2]!);
  return atMs === undefined ? undefined : { key, segment: m[1]!, atMs };
}

/** A Redis backup file's key parsed back: the run's time and the file's path inside Redis' dir. */
export function parseRedisBackupKey(key: string): { key: string; atMs: number; file: string } | undefined {
  const m = /^backups\/redis\/([^/]+)\/(.+)\.zst$/.exec(key);
  const atMs = m ? timeOfStamp(m[1]!) : undefined;
  return m && atMs !== undefined ? { key, atMs, file: m[2]! } : undefined;
}
