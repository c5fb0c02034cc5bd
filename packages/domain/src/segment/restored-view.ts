/**
 * The segment view extended, for one historical query, by archived segments the archiver's restore
 * worker fetched back into `<DATA_DIR>/restored/` (issue 17). Its `segments()` answers the local
 * view's segments first, then the restored ones newest first — the order every cross-segment walk
 * in view-queries.ts expects — so a bet carried over a roll-over still shows once.
 *
 * The restored files are opened read-only for this query and closed by `close()` (which leaves the
 * underlying view open): the worker may evict a file from its cache between two queries, and an
 * unlinked file stays readable through a connection opened before.
 */
import type Database from 'better-sqlite3';
import { restoredSegmentPath } from './segment-files.js';
import type { SegmentView, ViewSegment } from './segment-view.js';
import { openSegmentReadOnly } from './segment-view.js';

export function withRestoredSegments(
  view: SegmentView,
  dataDir: string,
  names: readonly string[],
): SegmentView {
  const opened: Database.Database[] = [];
  let restored: ViewSegment[] | null = null;
  const openRestored = (): ViewSegment[] => {
    restored ??= [...names]
      .sort()
      .reverse()
      .map((name) => {
        const path = restoredSegmentPath(dataDir, name);
        const db = openSegmentReadOnly(path);
        opened.push(db);
        return { name, path, state: 'archived' as const, db };
      });
    return restored;
  };
  return {
    segments() {
      const local = view.segments();
      const localNames = new Set(local.map((segment) => segment.name));
      return [...local, ...openRestored().filter((segment) => !localNames.has(segment.name))];
    },
    close() {
      for (const db of opened.splice(0)) db.close();
      restored = null;
    },
  };
}
