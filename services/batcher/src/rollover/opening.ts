/**
 * Roll-over step 2 (README "Roll-over"): builds the next segment from the old one's closing state.
 * It is built as `<name>.db.partial` — invisible to readers and to a restart, which deletes it —
 * and renamed into place only when complete and on disk, so a segment file either holds a whole
 * opening or does not exist. It opens with every user's closing balance as an `opening` ledger row
 * (ids and hashes continue the old segment's chain) and every bet carried over, then checks its
 * totals against the closing record.
 *
 * The build runs in chunks of CHUNK_ROWS rows, each its own transaction, yielding to the event loop
 * between them: the health endpoint and Redis keep answering while 100,000 users are carried (the
 * partial file needs no atomicity of its own — the rename is the commit point).
 */
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  type ClosingRecord,
  META_KEYS,
  migrate,
  type OpeningRecord,
  PREV_USER_BET_SQL,
  partialSegmentPath,
  SEGMENT_MIGRATIONS,
  type SegmentPeriod,
  segmentPath,
  writeMeta,
} from '@tap/domain';
import Database from 'better-sqlite3';
import { createLedgerWriter } from '../storage/ledger-writer.js';

const CHUNK_ROWS = 5_000;

export interface OpeningInput {
  dataDir: string;
  /** The closing segment's writer connection (read here, not written). */
  from: { name: string; db: Database.Database };
  closing: ClosingRecord;
  period: SegmentPeriod;
  atMs: number;
  /** Called after the first chunk is written (the crash tests' fail point). */
  afterFirstChunk(): void;
}

export async function buildNextSegment(input: OpeningInput): Promise<OpeningRecord> {
  const { dataDir, period } = input;
  const partial = partialSegmentPath(dataDir, period.name);
  removeWithSidecars(partial);
  const opening: OpeningRecord = {
    from: input.from.name,
    prevLedgerHead: input.closing.ledgerHead,
    users: input.closing.users,
    balanceSumMicros: input.closing.balanceSumMicros,
    carriedBets: input.closing.carriedBets,
  };
  const db = new Database(partial);
  try {
    // No journal and no syncs while building: a crash leaves a partial file that the restart
    // deletes, and durability comes from the fsync before the rename. The writer reopens the
    // renamed file in WAL mode.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    const migrated = migrate(db, SEGMENT_MIGRATIONS);
    assert.ok(migrated.ok, 'a new segment migrates');
    writeMeta(db, {
      [META_KEYS.state]: 'opening',
      [META_KEYS.segment]: period.name,
      [META_KEYS.periodStartMs]: period.startMs,
      [META_KEYS.periodEndMs]: period.endMs,
      [META_KEYS.openedAtMs]: input.atMs,
      [META_KEYS.rolloverFrom]: input.from.name,
      [META_KEYS.opening]: JSON.stringify(opening),
    });
    await carryBalances(db, input);
    await carryOpenBets(db, input);
    checkTotals(db, opening);
  } finally {
    db.close();
  }
  fsyncPath(partial);
  renameSync(partial, segmentPath(dataDir, period.name));
  fsyncPath(dirname(partial));
  return opening;
}

async function carryBalances(db: Database.Database, input: OpeningInput): Promise<void> {
  const ledger = createLedgerWriter(db);
  const zeroUser = db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, ?, ?)');
  const page = input.from.db.prepare(
    'SELECT user_id AS userId, balance FROM closing_balances WHERE user_id > ? ORDER BY user_id LIMIT ?',
  );
  const writeChunk = db.transaction((rows: { userId: string; balance: number }[]) => {
    for (const { userId, balance } of rows) {
      if (balance > 0) ledger.credit(userId, balance, 'opening', input.from.name, input.atMs);
      else zeroUser.run(userId, input.atMs, input.atMs);
    }
  });
  let after = '';
  for (let chunk = 0; ; chunk += 1) {
    const rows = page.all(after, CHUNK_ROWS) as { userId: string; balance: number }[];
    if (rows.length === 0) return;
    writeChunk(rows);
    if (chunk === 0) input.afterFirstChunk();
    after = rows.at(-1)!.userId;
    await yieldToEventLoop();
  }
}

const BET_COLUMNS = `id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status,
  reason, payout, terms, evidence, placed_at, settled_at`;

async function carryOpenBets(db: Database.Database, input: OpeningInput): Promise<void> {
  // The open bets through the partial index on `accepted` bets, in one pass: nothing else uses the
  // closing segment's connection while the roll-over runs, so the cursor may stay open across the
  // yields between chunks.
  const carried = input.from.db
    .prepare(`SELECT ${BET_COLUMNS} FROM bets WHERE status = 'accepted' AND carried_to = ? ORDER BY id`)
    .iterate(input.period.name) as IterableIterator<Record<string, unknown>>;
  // Carried bets join their users' chains in id order, before any bet of the new period.
  const insert = db.prepare(
    `INSERT INTO bets (${BET_COLUMNS}, prev_user_bet_id)
     VALUES (@id, @user_id, @client_bet_id, @t0, @p0, @window_ms, @band_cents, @stake, @multiplier_bp,
       @status, @reason, @payout, @terms, @evidence, @placed_at, @settled_at,
       ${PREV_USER_BET_SQL.replace('?', '@user_id')})`,
  );
  const writeChunk = db.transaction((rows: Record<string, unknown>[]) => {
    for (const row of rows) insert.run(row);
  });
  let chunk: Record<string, unknown>[] = [];
  for (const row of carried) {
    chunk.push(row);
    if (chunk.length < CHUNK_ROWS) continue;
    writeChunk(chunk);
    chunk = [];
    await yieldToEventLoop();
  }
  writeChunk(chunk);
}

/** The opening must equal the closing, whatever happened in between (a broken rule crashes). */
function checkTotals(db: Database.Database, opening: OpeningRecord): void {
  const users = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(balance), 0) AS total FROM users').get() as {
    n: number;
    total: number;
  };
  const ledger = db.prepare('SELECT COALESCE(SUM(amount), 0) AS total FROM transaction_ledger').get() as {
    total: number;
  };
  const bets = db.prepare("SELECT COUNT(*) AS n FROM bets WHERE status = 'accepted'").get() as { n: number };
  assert.equal(users.n, opening.users, 'every user is carried');
  assert.equal(users.total, opening.balanceSumMicros, 'the opening balances equal the closing ones');
  assert.equal(ledger.total, opening.balanceSumMicros, 'the opening rows sum to the balances');
  assert.equal(bets.n, opening.carriedBets, 'every open bet is carried');
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
