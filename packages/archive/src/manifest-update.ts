/**
 * Changes to the manifest, one at a time (issue 18). The weekly archive and the hourly backup both
 * write it, and an archive run can last past the next backup: writing a manifest read earlier would
 * drop the other job's change (an archived segment's entry lost is a segment the next run refuses).
 * So each change re-reads the manifest from S3 and writes it back while holding an exclusive lock on
 * `DATA_DIR/archive/manifest.lock` — an SQLite exclusive transaction, so the kernel releases it when
 * the process dies, even by kill -9. Both jobs run on the data's host; a second waits up to
 * `waitMs` for the first, then fails (the run fails loudly, nothing half-written).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readManifest, writeManifest } from './manifest.js';
import { archiverDir, localManifestPath, type Manifest } from './manifest-schema.js';
import type { TransferContext } from './transfer.js';

export const manifestLockPath = (dataDir: string) => join(archiverDir(dataDir), 'manifest.lock');

const LOCK_WAIT_MS = 15 * 60_000;

/** Applies `change` to the current manifest and writes it (S3, read back, then the local copy). */
export async function updateManifest<T>(
  ctx: TransferContext,
  dataDir: string,
  change: (manifest: Manifest) => T,
  waitMs = LOCK_WAIT_MS,
): Promise<{ manifest: Manifest; result: T }> {
  mkdirSync(archiverDir(dataDir), { recursive: true });
  const lock = new Database(manifestLockPath(dataDir), { timeout: waitMs });
  try {
    lock.exec('BEGIN EXCLUSIVE');
    const manifest = await readManifest(ctx);
    const result = change(manifest);
    await writeManifest(ctx, manifest, localManifestPath(dataDir));
    return { manifest, result };
  } finally {
    lock.close();
  }
}
