/**
 * The one read-only view over the segments every reader uses (SPEC §8: queries read through
 * read-only connections, never the writer's): the current segment and the last `closedMax`
 * (default 4) closed ones before it, newest first. Older local files (waiting for the archiver) and
 * an `opening` segment (a roll-over in progress) are not in the view.
 *
 * "Current" is the newest segment that is not `opening`: a roll-over switches the writer to the new
 * segment at once and carries users and open bets into it afterwards, so while the segment before
 * it is still `closing`, what is not carried yet is read there (view-queries.ts). Each call to
 * `segments()` lists the directory and reads the states again (a readdir and one meta lookup per
 * file, microseconds), so a roll-over shows at the next query; connections are kept per file, each
 * with its meta statement prepared once, and closed when their file leaves the view.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { listSegments } from './segment-files.js';
import { type SegmentState, segmentStateFrom } from './segment-meta.js';
import { sqliteDriver } from './sqlite-driver.js';

export interface ViewSegment {
  name: string;
  path: string;
  state: SegmentState;
  db: Database.Database;
}

export interface SegmentView {
  /** The current segment first, then the closed ones, newest first; empty before the first. */
  segments(): ViewSegment[];
  close(): void;
}

export interface SegmentViewOptions {
  /** Closed segments kept in the view. Default 4 (SPEC §8). */
  closedMax?: number;
  /** How long a read waits for a lock (ms). Default 2000. */
  busyTimeoutMs?: number;
}

export function openSegmentView(dataDir: string, options: SegmentViewOptions = {}): SegmentView {
  const { closedMax = 4, busyTimeoutMs = 2_000 } = options;
  // Each connection with its meta query prepared once: `segments()` runs on every query (a history
  // page, a bet lookup), and preparing the statement anew each time was a measurable part of a page.
  const open = new Map<string, { db: Database.Database; meta: Database.Statement }>();

  const connect = (path: string) => {
    let connection = open.get(path);
    if (!connection) {
      const db = openSegmentReadOnly(path, busyTimeoutMs);
      try {
        connection = { db, meta: db.prepare('SELECT key, value FROM meta').raw(true) };
      } catch (err) {
        db.close(); // not kept: the next listing opens it again
        throw err;
      }
      open.set(path, connection);
    }
    return connection;
  };

  return {
    segments() {
      const files = listSegments(dataDir).reverse();
      const view: ViewSegment[] = [];
      for (const file of files) {
        if (view.length > closedMax) break;
        let connection: { db: Database.Database; meta: Database.Statement };
        try {
          connection = connect(file.path);
        } catch (err) {
          // The archiver deleted it between the listing and the open: it has left the view.
          if (!existsSync(file.path)) continue;
          throw err;
        }
        const state = segmentStateFrom(new Map(connection.meta.all() as [string, string][]));
        if (state === 'opening') continue;
        view.push({ ...file, state, db: connection.db });
      }
      const kept = new Set(view.map((segment) => segment.path));
      for (const [path, { db }] of open) {
        if (kept.has(path)) continue;
        db.close();
        open.delete(path);
      }
      return view;
    },
    close() {
      for (const { db } of open.values()) db.close();
      open.clear();
    },
  };
}

/** Opens one segment read-only for a single use (tapctl, checks); the caller closes it. */
export function openSegmentReadOnly(path: string, busyTimeoutMs = 2_000): Database.Database {
  const Sqlite = sqliteDriver();
  const db = new Sqlite(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}
