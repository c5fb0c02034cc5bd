/**
 * Roll-over step 2 (README "Roll-over"): the next segment's file, in the pause. It holds only the
 * schema and `meta` — `state = open`, the period, the marker `rollover_from = <old>` and the opening
 * record (the old segment's ledger head, which its first row continues; what was carried is added
 * when the carry is done) — nothing is read from the old segment, so it is built in milliseconds
 * whatever the number of users: the users and open bets are carried into it after the switch
 * (carry.ts), while batches go on.
 *
 * It is built as `<name>.db.partial` — invisible to readers and to a restart, which deletes it —
 * and renamed into place once on disk, so a segment file either has its whole schema and opening
 * record or does not exist. The writer reopens the renamed file in WAL mode.
 */
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type ClosingCut,
  META_KEYS,
  migrate,
  type OpeningRecord,
  partialSegmentPath,
  SEGMENT_MIGRATIONS,
  type SegmentPeriod,
  segmentPath,
  writeMeta,
} from '@tap/domain';
import Database from 'better-sqlite3';

export interface NextSegmentInput {
  dataDir: string;
  from: { name: string };
  cut: ClosingCut;
  period: SegmentPeriod;
  atMs: number;
}

export function createNextSegment(input: NextSegmentInput): OpeningRecord {
  const { dataDir, period } = input;
  // What is carried (users, balance sum, open bets) is added when the carry is done.
  const opening: OpeningRecord = { from: input.from.name, prevLedgerHead: input.cut.ledgerHead };
  const partial = partialSegmentPath(dataDir, period.name);
  removeWithSidecars(partial);
  const db = new Database(partial);
  try {
    // No journal and no syncs while building: the fsync before the rename makes it durable.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    assert.ok(migrate(db, SEGMENT_MIGRATIONS).ok, 'a new segment migrates');
    writeMeta(db, {
      [META_KEYS.state]: 'open',
      [META_KEYS.segment]: period.name,
      [META_KEYS.periodStartMs]: period.startMs,
      [META_KEYS.periodEndMs]: period.endMs,
      [META_KEYS.openedAtMs]: input.atMs,
      [META_KEYS.rolloverFrom]: input.from.name,
      [META_KEYS.opening]: JSON.stringify(opening),
    });
  } finally {
    db.close();
  }
  fsyncPath(partial);
  renameSync(partial, segmentPath(dataDir, period.name));
  fsyncPath(dirname(partial));
  return opening;
}

export function removeWithSidecars(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
