/**
 * Open bets from the weekly SQLite segments, through read-only connections (SPEC §8: never the
 * writer's). At start the resolver reads every `accepted` bet of this ISO week's segment and of
 * the previous week's (bets carried over a roll-over may sit in either; ids deduplicate). A
 * connection is opened per read and closed after it: reads are rare (start, and an `accepted`
 * event that lacks its cell), and no handle pins a segment the archiver may move.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFileName } from '@tap/domain';
import Database from 'better-sqlite3';
import type { OpenBet } from '../settlement/verdict.js';

const WEEK_MS = 7 * 86_400_000;
const OPEN_BET_COLUMNS = 'id AS betId, t0, p0, window_ms AS windowMs, band_cents AS bandCents';

export type SegmentReader = ReturnType<typeof createSegmentReader>;

export function createSegmentReader(dataDir: string) {
  /** This week's segment and last week's, the ones that exist. */
  const segmentPaths = (nowMs: number): string[] =>
    [nowMs, nowMs - WEEK_MS]
      .map((t) => join(dataDir, 'segments', segmentFileName(t)))
      .filter((path) => existsSync(path));

  return {
    segmentPaths,

    openBets(nowMs: number): OpenBet[] {
      const bets = new Map<string, OpenBet>();
      for (const path of segmentPaths(nowMs)) {
        withReadOnly(path, (db) => {
          const rows = db
            .prepare<[], OpenBet>(`SELECT ${OPEN_BET_COLUMNS} FROM bets WHERE status = 'accepted'`)
            .all();
          for (const row of rows) bets.set(row.betId, row);
        });
      }
      return [...bets.values()];
    },

    /** One bet if it is `accepted` in either segment. */
    findOpenBet(betId: string, nowMs: number): OpenBet | null {
      for (const path of segmentPaths(nowMs)) {
        const found = withReadOnly(path, (db) =>
          db
            .prepare<[string], OpenBet>(
              `SELECT ${OPEN_BET_COLUMNS} FROM bets WHERE id = ? AND status = 'accepted'`,
            )
            .get(betId),
        );
        if (found) return found;
      }
      return null;
    },
  };
}

function withReadOnly<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return read(db);
  } finally {
    db.close();
  }
}
