/**
 * Read-only access to the weekly segments for the query routes (SPEC §8: queries never use the
 * writer's connection). A bet is looked up in the segment of the week its ULID was minted in;
 * lists read the current week. Connections are opened lazily, read-only, and kept per file; a
 * segment that does not exist yet (no batcher run this week) reads as empty.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isoWeekOf } from '@tap/domain';
import Database from 'better-sqlite3';
import { decodeTime } from 'ulid';

export class SegmentReader {
  private readonly open = new Map<string, Database.Database>();

  constructor(private readonly dataDir: string) {}

  /** The segment of the week `timeMs` falls in, or null when it does not exist. */
  forTime(timeMs: number): Database.Database | null {
    const week = isoWeekOf(timeMs);
    const cached = this.open.get(week);
    if (cached) return cached;
    const path = join(this.dataDir, 'segments', `${week}.db`);
    if (!existsSync(path)) return null;
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    this.open.set(week, db);
    return db;
  }

  /** The segment holding bet `betId` (by the ULID's time), or null. */
  forBet(betId: string): Database.Database | null {
    let timeMs: number;
    try {
      timeMs = decodeTime(betId);
    } catch {
      return null;
    }
    return this.forTime(timeMs);
  }

  close(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}
