/**
 * The exclusive lock that makes the batcher the only SQLite writer (SPEC §6): a second batcher on
 * the same data directory refuses to start.
 *
 * The lock is an exclusive SQLite transaction on `<dataDir>/batcher.lock`, held open for the life of
 * the process. SQLite takes it with a POSIX advisory lock, so the kernel releases it when the
 * process dies — even by kill -9 — and no stale PID file can block a restart.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type LockResult = { ok: true; release(): void } | { ok: false; code: 'data_dir_locked'; path: string };

export function lockDataDir(dataDir: string): LockResult {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'batcher.lock');
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      return { ok: false, code: 'data_dir_locked', path };
    throw err;
  }
  let released = false;
  return {
    ok: true,
    release() {
      if (released) return;
      released = true;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
