/**
 * A data directory as a reader of it meets it in production (issue 16): `segments/` belongs to the
 * batcher's user and is read-only to everyone else, so a reader that tried to write a segment (or
 * create its `-wal`/`-shm`, or delete it) would fail. Here: every segment file sealed as the batcher
 * seals a closed one (`sealSegmentFiles`: empty `-wal`/`-shm` where missing, mode 0444) and the
 * directory 0555. Root ignores file modes, so when the tests run as root the returned `user` is an
 * unprivileged one (nobody) to start the reader as (`startDaemon(…, { user })`): the directories it
 * may write (`writable`, created if missing) and the data dir's path are made usable by it.
 * Unprivileged, `user` is undefined and the modes alone refuse the writes.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listSegments, sealSegmentFiles, segmentsDir } from '@tap/domain';

const NOBODY = { uid: 65534, gid: 65534 };

export interface ReadOnlySegments {
  /** Start the reader as this user (undefined: as the test process, which is not root). */
  user: { uid: number; gid: number } | undefined;
  /** Gives `segments/` its write bit back (for a test that edits a segment afterwards). */
  restore(): void;
}

export interface ReadOnlySegmentsOptions {
  /** Directories the reader writes (created if missing). */
  writable?: readonly string[];
  /** Other trees it reads (e.g. Redis's data dir for the backup), opened to everyone. */
  readable?: readonly string[];
}

export function readOnlySegments(dataDir: string, options: ReadOnlySegmentsOptions = {}): ReadOnlySegments {
  const { writable = [], readable = [] } = options;
  const dir = segmentsDir(dataDir);
  for (const file of listSegments(dataDir)) sealSegmentFiles(file.path);
  chmodSync(dir, 0o555);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // mkdtemp makes 0700 directories: nobody must be able to reach the data dir to read it. Only
    // directories under the temp dir are opened up.
    for (let path = dataDir; path.startsWith(`${tmpdir()}/`); path = dirname(path)) {
      chmodSync(path, (statSync(path).mode | 0o005) & 0o7777);
    }
    for (const path of readable) openToAll(path);
    for (const path of writable) {
      if (!existsSync(path)) mkdirSync(path, { recursive: true });
      chownSync(path, NOBODY.uid, NOBODY.gid);
      for (const name of readdirSync(path)) chownSync(join(path, name), NOBODY.uid, NOBODY.gid);
    }
  }
  return {
    user: asRoot ? NOBODY : undefined,
    restore: () => chmodSync(dir, 0o755),
  };
}

function openToAll(path: string): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  chmodSync(path, (stat.mode | (stat.isDirectory() ? 0o005 : 0o004)) & 0o7777);
  if (stat.isDirectory()) for (const name of readdirSync(path)) openToAll(join(path, name));
}
