/** Closed segments: every `segments/<ISO week>.db` except the week in progress. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isoWeekOf } from '@tap/domain';

const SEGMENT_FILE = /^\d{4}-W\d{2}\.db$/;

export async function closedSegments(dataDir: string, nowMs: number): Promise<string[]> {
  const current = `${isoWeekOf(nowMs)}.db`;
  let names: string[];
  try {
    names = await readdir(join(dataDir, 'segments'));
  } catch (err) {
    // No segments directory yet: nothing has been written, so nothing is waiting to be archived.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((name) => SEGMENT_FILE.test(name) && name !== current).sort();
}
