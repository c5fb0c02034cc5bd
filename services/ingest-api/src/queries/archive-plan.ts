/**
 * Which segments a historical query reads (issue 17, SPEC §8) — the file side of queries/history.ts,
 * run in the reader worker thread (it owns the segment connections). A range that reaches weeks the
 * local view no longer holds reads them from the archiver's restore cache (`DATA_DIR/restored/`);
 * a week not cached yet is named back, and the uWS thread starts or joins its restore job (Redis).
 * Which weeks are archived comes from the archiver's local manifest copy
 * (`DATA_DIR/archive/manifest.json`); without one nothing is archived and every query is local.
 * A query reaches at most `segmentsPerQueryMax` archived weeks (else 400 `invalid_query`).
 */
import { existsSync, statSync } from 'node:fs';
import {
  archivedOverlapping,
  localManifestPath,
  type Manifest,
  readLocalManifest,
} from '@tap/archive/manifest-schema';
import { restoredSegmentPath, type SegmentView, withRestoredSegments } from '@tap/domain';

export type ArchivePlan =
  /** `restored` names the cached archived weeks the view adds; `release` closes them. */
  | { ok: true; view: SegmentView; local: boolean; restored: string[]; release: () => void }
  | { ok: false; code: 'invalid_query'; message: string }
  | { ok: false; code: 'restore'; segment: string; bytesTotal: number };

export interface ArchivePlanner {
  viewFor(range: { fromMs: number; toMs: number } | null): ArchivePlan;
}

export function createArchivePlanner(deps: {
  dataDir: string;
  segments: SegmentView;
  segmentsPerQueryMax: number;
}): ArchivePlanner {
  const manifest = localManifestReader(deps.dataDir);
  const local: ArchivePlan = { ok: true, view: deps.segments, local: true, restored: [], release: () => {} };
  return {
    viewFor(range) {
      if (range === null) return local;
      const archived = manifest();
      if (!archived) return local;
      const localNames = new Set(deps.segments.segments().map((s) => s.name));
      const needed = archivedOverlapping(archived, range.fromMs, range.toMs).filter(
        (entry) => !localNames.has(entry.segment),
      );
      if (needed.length === 0) return local;
      if (needed.length > deps.segmentsPerQueryMax) {
        return {
          ok: false,
          code: 'invalid_query',
          message: `the range reaches ${needed.length} archived segments; at most ${deps.segmentsPerQueryMax} per query, narrow it`,
        };
      }
      const restore = (segment: string): ArchivePlan => ({
        ok: false,
        code: 'restore',
        segment,
        bytesTotal: needed.find((e) => e.segment === segment)!.compressed.bytes,
      });
      const names = needed.map((e) => e.segment);
      const missing = names.find((n) => !existsSync(restoredSegmentPath(deps.dataDir, n)));
      if (missing) return restore(missing);
      try {
        const view = withRestoredSegments(deps.segments, deps.dataDir, names);
        view.segments(); // opens the restored files now: one evicted since the check is caught here
        return { ok: true, view, local: false, restored: names, release: () => view.close() };
      } catch (err) {
        const gone = names.find((n) => !existsSync(restoredSegmentPath(deps.dataDir, n)));
        if (gone === undefined) throw err;
        return restore(gone);
      }
    },
  };
}

/** The local manifest copy, re-read only when the file changed (a stat per historical query). */
function localManifestReader(dataDir: string): () => Manifest | null {
  let seen = { mtimeMs: -1, size: -1 };
  let cached: Manifest | null = null;
  return () => {
    // No manifest copy (nothing archived on this machine yet): every query is local. Asked without
    // a throw: an ENOENT error, stack and all, on every history page was ~5 % of the reader's CPU.
    const stat = statSync(localManifestPath(dataDir), { throwIfNoEntry: false });
    if (stat === undefined) return null;
    if (stat.mtimeMs !== seen.mtimeMs || stat.size !== seen.size) {
      cached = readLocalManifest(dataDir);
      seen = { mtimeMs: stat.mtimeMs, size: stat.size };
    }
    return cached;
  };
}
