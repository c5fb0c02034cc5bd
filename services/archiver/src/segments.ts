/**
 * The local segments and their state — the archiver's ONE view of the data directory, so that
 * switching to @tap/domain's segment module (listing, `readSegmentState`) is an edit here only.
 * Today: every `segments/<ISO week>.db`; the week in progress is `open`, earlier ones `closed`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isoWeekOf } from '@tap/domain';

const SEGMENT_FILE = /^(\d{4}-W\d{2})\.db$/;

export interface LocalSegment {
  name: string;
  path: string;
  state: 'open' | 'closed';
}

/** Oldest first. An absent `segments/` directory is an empty list. */
export async function localSegments(dataDir: string, nowMs: number): Promise<LocalSegment[]> {
  const current = isoWeekOf(nowMs);
  let files: string[];
  try {
    files = await readdir(join(dataDir, 'segments'));
  } catch (err) {
    // No segments directory yet: nothing has been written, so nothing is waiting to be archived.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return files
    .map((file) => SEGMENT_FILE.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort()
    .map((name) => ({
      name,
      path: join(dataDir, 'segments', `${name}.db`),
      state: name >= current ? 'open' : 'closed',
    }));
}
