/**
 * Where segments live: `<DATA_DIR>/segments/<name>.db` (SPEC §8). The only code that builds a
 * segment path. A segment under construction by a roll-over is `<name>.db.partial` until it is
 * complete (see rollover in services/batcher): listings never show it, so no reader and no
 * restart can mistake a half-built file for a segment.
 *
 * Listing errors are errors: a missing or unreadable DATA_DIR throws `SegmentDirError` naming the
 * path. Only a DATA_DIR without `segments/` (no batcher has run yet) lists as empty.
 */
import { chmodSync, closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSegmentName } from './period.js';

export const SEGMENTS_DIR = 'segments';
/** The bounded cache of archived segments fetched back from S3 for historical queries (issue 17). */
export const RESTORED_DIR = 'restored';
const DB_SUFFIX = '.db';
const PARTIAL_SUFFIX = '.db.partial';

export interface SegmentFile {
  name: string;
  path: string;
}

export class SegmentDirError extends Error {
  constructor(
    readonly code: 'data_dir_missing' | 'data_dir_unreadable',
    readonly path: string,
    cause: unknown,
  ) {
    super(`${code}: ${path}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export function segmentsDir(dataDir: string): string {
  return join(dataDir, SEGMENTS_DIR);
}

export function segmentPath(dataDir: string, name: string): string {
  if (!isSegmentName(name)) throw new RangeError(`"${name}" is not a segment name`);
  return join(segmentsDir(dataDir), `${name}${DB_SUFFIX}`);
}

/** Where the archiver's restore worker caches an archived segment it fetched back and verified. */
export function restoredSegmentPath(dataDir: string, name: string): string {
  if (!isSegmentName(name)) throw new RangeError(`"${name}" is not a segment name`);
  return join(dataDir, RESTORED_DIR, `${name}${DB_SUFFIX}`);
}

/** Mode of a closed segment's files: read-only for everyone; the directory (0750) decides who reads. */
export const SEALED_SEGMENT_MODE = 0o444;

/**
 * Seals a closed segment (the batcher, after its last write): every reader opens it read-only from a
 * directory it cannot write (issue 16: only the batcher's user writes `segments/`). SQLite (≥ 3.22)
 * reads a WAL-mode file read-only only if its `-wal` and `-shm` exist, since it cannot create them;
 * a checkpointed, closed segment's are empty, so the empty files are created when the last
 * connection's close removed them. Then the three files are made read-only.
 */
export function sealSegmentFiles(path: string): void {
  for (const suffix of ['-wal', '-shm']) {
    try {
      closeSync(openSync(`${path}${suffix}`, 'wx', SEALED_SEGMENT_MODE));
    } catch (err) {
      // Still there: a reader held the segment open when the writer closed it. Its content is the
      // checkpointed (empty) WAL and a valid index; it stays as it is.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  for (const suffix of ['', '-wal', '-shm']) chmodSync(`${path}${suffix}`, SEALED_SEGMENT_MODE);
}

/** The file a roll-over builds the segment `name` in before it becomes `segmentPath`. */
export function partialSegmentPath(dataDir: string, name: string): string {
  return `${segmentPath(dataDir, name)}.partial`;
}

/** The segments of a data directory, oldest first (names sort in time order). */
export function listSegments(dataDir: string): SegmentFile[] {
  return namesIn(dataDir)
    .filter((file) => file.endsWith(DB_SUFFIX) && isSegmentName(file.slice(0, -DB_SUFFIX.length)))
    .map((file) => file.slice(0, -DB_SUFFIX.length))
    .sort()
    .map((name) => ({ name, path: segmentPath(dataDir, name) }));
}

/** Leftovers of a roll-over that died before its new segment was complete (to delete). */
export function listPartialSegments(dataDir: string): string[] {
  return namesIn(dataDir)
    .filter((file) => file.includes(PARTIAL_SUFFIX))
    .map((file) => join(segmentsDir(dataDir), file));
}

function namesIn(dataDir: string): string[] {
  try {
    if (!statSync(dataDir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    const code =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'data_dir_missing' : 'data_dir_unreadable';
    throw new SegmentDirError(code, dataDir, err);
  }
  try {
    return readdirSync(segmentsDir(dataDir));
  } catch (err) {
    // DATA_DIR exists but no batcher has created `segments/` yet: there is nothing to read.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SegmentDirError('data_dir_unreadable', segmentsDir(dataDir), err);
  }
}
