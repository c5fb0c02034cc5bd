/**
 * The local segments with their state, from @tap/domain's segment module (listing, meta state):
 * the archiver's one view of the data directory, always through read-only connections (issue 16:
 * the archiver never writes a segment). Only `closed` segments are archived; `archived` in meta was
 * set by archivers before issue 16 (the manifest is the record now); `opening` (a roll-over half
 * done) is never touched. A missing or unreadable DATA_DIR throws (SegmentDirError).
 */

import { listSegments, META_KEYS, readMeta, readSegmentState, type SegmentState } from '@tap/domain';
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

export function withReadOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
