/**
 * Read-only connections to the batcher's weekly segments (SPEC §8: queries never use the writer's
 * connection). `readonly: true` means tapctl cannot change a segment even by mistake; WAL lets it
 * read while the batcher writes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isoWeekOf } from '@tap/domain';
import Database from 'better-sqlite3';
import { decodeTime } from 'ulid';
import { failure, usageError } from '../cli-error.js';

const WEEK_PATTERN = /^\d{4}-W\d{2}$/;

export interface OpenedSegment {
  week: string;
  db: Database.Database;
}

/** `week` is an ISO week (`2026-W48`); the current week when absent. */
export function openSegment(dataDir: string, week: string = isoWeekOf(Date.now())): OpenedSegment {
  if (!WEEK_PATTERN.test(week)) throw usageError(`--segment "${week}" is not an ISO week like 2026-W48`);
  const path = join(dataDir, 'segments', `${week}.db`);
  if (!existsSync(path)) {
    throw failure(`no segment ${week} at ${path} (wrong DATA_DIR, or the batcher has not run that week)`);
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 2000');
  return { week, db };
}

/** The week a bet id (ULID) was minted in: the segment that holds the bet. */
export function weekOfBet(betId: string): string {
  return isoWeekOf(decodeTime(betId));
}
