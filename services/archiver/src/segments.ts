/**
 * The local segments with their state, from @tap/domain's segment module (listing, meta state):
 * the archiver's one view of the data directory. Only `closed` segments are archived; `archived`
 * is set by the archiver itself once a segment is in the manifest; `opening` (a roll-over half
 * done) is never touched. A missing or unreadable DATA_DIR throws (SegmentDirError).
 */

import { chmodSync, statSync } from 'node:fs';
import {
  listSegments,
  META_KEYS,
  readMeta,
  readSegmentState,
  type SegmentState,
  writeMeta,
} from '@tap/domain';
import Database from 'better-sqlite3';

export interface LocalSegment {
  name: string;
  path: string;
  state: SegmentState;
  /** `period_end_ms` from meta, when the segment records it. */
  periodEndMs: number | null;
}

/** Oldest first. */
export function localSegments(dataDir: string): LocalSegment[] {
  return listSegments(dataDir).map((file) =>
    withReadOnly(file.path, (db) => {
      const end = readMeta(db).get(META_KEYS.periodEndMs);
      return { ...file, state: readSegmentState(db), periodEndMs: end === undefined ? null : Number(end) };
    }),
  );
}

/**
 * Records in the segment's own meta that it is archived (manifest first, then this). The batcher
 * leaves a closed segment read-only on disk (0444); the archiver runs as the same user, so it lifts
 * the write bit for this one transaction and puts the mode back.
 */
export function markArchived(path: string, atMs: number): void {
  const mode = statSync(path).mode & 0o7777;
  chmodSync(path, mode | 0o200);
  try {
    const db = new Database(path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      db.transaction(() =>
        writeMeta(db, { [META_KEYS.state]: 'archived', [META_KEYS.archivedAtMs]: atMs }),
      )();
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } finally {
    chmodSync(path, mode);
  }
}

export function withReadOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
