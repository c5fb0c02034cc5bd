/**
 * better-sqlite3, loaded on first use. @tap/domain is bundled into every service, but only the
 * services that read segments ship the native addon (tsup.service.ts keeps it external, a
 * deployable folder carries it only when the service depends on it): a top-level import would
 * make ws-gateway or price-ingest fail at start for a module they never use.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

let driver: typeof BetterSqlite3 | undefined;

export function sqliteDriver(): typeof BetterSqlite3 {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return driver;
}
