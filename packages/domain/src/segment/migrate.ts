/**
 * Migration runner for segment files. The applied version is `PRAGMA user_version`; each pending
 * migration runs in its own transaction together with the version bump, so a crash leaves the file
 * at a whole version. A file newer than this code is refused (never downgrade silently).
 */
import type { Migration } from './schema.js';

/** The subset of a better-sqlite3 Database the runner needs (kept structural for tests). */
export interface SqlDatabase {
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

export type MigrateResult =
  | { ok: true; from: number; to: number }
  | { ok: false; code: 'schema_too_new'; found: number; known: number };

export function migrate(db: SqlDatabase, migrations: readonly Migration[]): MigrateResult {
  const from = Number(db.pragma('user_version', { simple: true }));
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (from > known) return { ok: false, code: 'schema_too_new', found: from, known };
  const pending = [...migrations].filter((m) => m.version > from).sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return { ok: true, from, to: Math.max(from, known) };
}
