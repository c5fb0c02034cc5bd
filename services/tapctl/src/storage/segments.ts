/**
 * The segments tapctl reads, through read-only connections (SPEC §8: never the writer's):
 * `readonly` means tapctl cannot change a segment even by mistake; WAL lets it read while the
 * batcher writes. By default the segment view of @tap/domain — the current segment and the last 4
 * closed ones, newest first — so a bet or ledger row from earlier periods is found; `--segment
 * <name>` reads that one local segment only (an older one waiting for the archiver, say).
 */
import {
  isSegmentName,
  listSegments,
  openSegmentReadOnly,
  openSegmentView,
  SegmentDirError,
  type SegmentView,
  withRestoredSegments,
} from '@tap/domain';
import type Database from 'better-sqlite3';
import { failure, usageError } from '../cli-error.js';

export interface ReadSegment {
  name: string;
  db: Database.Database;
}

export interface OpenedSegments {
  /** Newest first; never empty. */
  segments: ReadSegment[];
  close(): void;
}

/** `restored`: archived weeks from the restore cache to read after the local ones (storage/history.ts). */
export function openSegments(
  dataDir: string,
  name?: string,
  restored: readonly string[] = [],
): OpenedSegments {
  if (name !== undefined && !isSegmentName(name)) {
    throw usageError(`--segment "${name}" is not a segment name like 2026-W48`);
  }
  try {
    if (name !== undefined) return one(dataDir, name);
    const view = openSegmentView(dataDir);
    return fromView(
      dataDir,
      restored.length === 0 ? view : withRestoredSegments(view, dataDir, restored),
      view,
    );
  } catch (err) {
    if (err instanceof SegmentDirError) throw failure(`cannot read segments: ${err.message}`);
    throw err;
  }
}

function fromView(dataDir: string, view: SegmentView, local: SegmentView): OpenedSegments {
  const close = () => {
    view.close();
    if (view !== local) local.close();
  };
  const segments = view.segments();
  if (segments.length === 0) {
    close();
    throw failure(`no segment under ${dataDir}/segments (wrong DATA_DIR, or the batcher never ran)`);
  }
  return { segments, close };
}

function one(dataDir: string, name: string): OpenedSegments {
  const file = listSegments(dataDir).find((segment) => segment.name === name);
  if (!file) throw failure(`no segment ${name} under ${dataDir}/segments (archived, or never written)`);
  const db = openSegmentReadOnly(file.path);
  return { segments: [{ name, db }], close: () => db.close() };
}
