import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  migrate,
  PREV_USER_BET_SQL,
  PREV_USER_LEDGER_SQL,
  SEGMENT_MIGRATIONS,
  WRITER_PRAGMAS,
} from '@tap/domain';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSegment } from './segment-check.js';

const USER = '0x00000000000000000000000000000000000000aa';
const BET_IDS = ['01JAB00000000000000000000A', '01JAB00000000000000000000B'];

/**
 * Writes a small, valid segment as the batcher would: the user's row, a deposit and a stake for it
 * (balance matching the ledger), two bets, every row linked into the user's chains.
 */
function writeSegment(path: string): Database.Database {
  const db = new Database(path);
  for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
  migrate(db, SEGMENT_MIGRATIONS);
  db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, 1, 2)').run(
    USER,
    9_000_000,
  );
  const rows: LedgerRow[] = [
    {
      id: 1,
      userId: USER,
      amount: 10_000_000,
      balanceAfter: 10_000_000,
      refType: 'deposit',
      refId: 'd1',
      createdAt: 1,
    },
    {
      id: 2,
      userId: USER,
      amount: -1_000_000,
      balanceAfter: 9_000_000,
      refType: 'bet_stake',
      refId: 'b1',
      createdAt: 2,
    },
  ];
  const insert = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash,
       prev_user_ledger_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${PREV_USER_LEDGER_SQL})`,
  );
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const hash = ledgerHash(prev, row);
    insert.run(
      row.id,
      row.userId,
      row.amount,
      row.balanceAfter,
      row.refType,
      row.refId,
      row.createdAt,
      prev,
      hash,
      row.userId,
    );
    prev = hash;
  }
  const insertBet = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status,
       terms, placed_at, prev_user_bet_id)
     VALUES (?, ?, 'c', 0, 0, 5000, 1000, 1000000, 20000, 'accepted', '{}', 2, ${PREV_USER_BET_SQL})`,
  );
  for (const betId of BET_IDS) insertBet.run(betId, USER, USER);
  return db;
}

describe('checkSegment', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-integrity-'));
    path = join(dir, '2026-W48.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds nothing wrong in a consistent segment', () => {
    writeSegment(path).close();
    expect(checkSegment(path)).toEqual({ path, ledgerRows: 2, problems: [] });
  });

  it('reports a balance that drifted from the ledger sum', () => {
    const db = writeSegment(path);
    db.prepare('UPDATE users SET balance = balance + 1').run();
    db.close();
    expect(checkSegment(path).problems).toEqual([`user ${USER}: balance 9000001 != ledger sum 9000000`]);
  });

  it("reports a ledger link that skips a row of the user's chain", () => {
    const db = writeSegment(path);
    db.exec('DROP TRIGGER ledger_no_update');
    db.prepare('UPDATE transaction_ledger SET prev_user_ledger_id = NULL WHERE id = 2').run();
    db.close();
    expect(checkSegment(path).problems).toEqual([`ledger row 2 of ${USER} links to nothing, expected 1`]);
  });

  it('reports a ledger head that is not the newest row, and ledger rows of an unknown user', () => {
    const db = writeSegment(path);
    db.prepare('UPDATE users SET last_ledger_id = 1').run();
    db.prepare("UPDATE users SET id = '0x00000000000000000000000000000000000000bb' WHERE id = ?").run(USER);
    db.close();
    const other = '0x00000000000000000000000000000000000000bb';
    expect(checkSegment(path).problems).toEqual(
      expect.arrayContaining([
        `user ${other}: ledger head 1, newest row none`,
        `ledger rows of unknown user ${USER}: 2`,
      ]),
    );
  });

  it('reports a broken bet link, a stale bet head, a fork, a cycle and a link to another user', () => {
    const db = writeSegment(path);
    const [first, second] = BET_IDS as [string, string];
    const setLink = db.prepare('UPDATE bets SET prev_user_bet_id = ? WHERE id = ?');
    const outside = (id: string) =>
      `bet row ${id} of ${USER} is outside the user's chain (only bets refused before the wallet had funds may be)`;
    setLink.run(null, second);
    expect(checkSegment(path).problems).toEqual([outside(first)]);

    setLink.run(first, second);
    db.prepare('UPDATE users SET last_bet_id = ?').run(first);
    expect(checkSegment(path).problems).toEqual([
      outside(second),
      `user ${USER}: bet head ${first} is not the newest, bet ${second} links to it`,
    ]);

    db.prepare('UPDATE users SET last_bet_id = ?').run(second);
    const third = '01JAB00000000000000000000C';
    db.prepare(
      `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status,
         terms, placed_at, prev_user_bet_id)
       VALUES (?, ?, 'c', 0, 0, 5000, 1000, 1000000, 20000, 'accepted', '{}', 3, ?)`,
    ).run(third, USER, first);
    db.prepare('UPDATE users SET last_bet_id = ?').run(second);
    expect(checkSegment(path).problems).toEqual([
      `bet row ${first} is the previous bet of 2 bets (the chain forks)`,
      outside(third),
    ]);
    db.prepare('DELETE FROM bets WHERE id = ?').run(third);

    setLink.run(second, first);
    expect(checkSegment(path).problems).toEqual([
      `user ${USER}: the bet chain never reaches a first bet (a cycle)`,
      `user ${USER}: bet head ${second} is not the newest, bet ${first} links to it`,
    ]);

    setLink.run(null, first);
    db.prepare('UPDATE bets SET user_id = ? WHERE id = ?').run(
      '0x00000000000000000000000000000000000000bb',
      first,
    );
    expect(checkSegment(path).problems).toEqual(
      expect.arrayContaining([
        `bet row ${second} of ${USER} links to ${first}, which is not a bet of that user`,
      ]),
    );
    db.close();
  });

  it('accepts bets stored out of id order (a later bet filled first under the adaptive fill delay)', () => {
    const db = writeSegment(path);
    const [first, second] = BET_IDS as [string, string];
    // Relink as if `second` had been stored first: second ← first, head first.
    db.prepare('UPDATE bets SET prev_user_bet_id = NULL WHERE id = ?').run(second);
    db.prepare('UPDATE bets SET prev_user_bet_id = ? WHERE id = ?').run(second, first);
    db.prepare('UPDATE users SET last_bet_id = ?').run(first);
    db.close();
    expect(checkSegment(path).problems).toEqual([]);
  });

  it("accepts a user's oldest bets outside the chain (placed before the wallet had a row)", () => {
    const db = writeSegment(path);
    const unlinked = '01JAA00000000000000000000A';
    db.prepare(
      `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status,
         reason, terms, placed_at)
       VALUES (?, ?, 'c', 0, 0, 5000, 1000, 1000000, 20000, 'rejected', 'insufficient_funds', '{}', 1)`,
    ).run(unlinked, USER);
    // Stored while the wallet had no row, the bet never moved the head; the trigger just did.
    db.prepare('UPDATE users SET last_bet_id = ?').run(BET_IDS[1]);
    db.close();
    expect(checkSegment(path).problems).toEqual([]);
  });

  it('reports a ledger row edited behind the append-only triggers', () => {
    const db = writeSegment(path);
    db.exec('DROP TRIGGER ledger_no_update');
    db.prepare('UPDATE transaction_ledger SET amount = -500000, balance_after = 9500000 WHERE id = 2').run();
    db.prepare('UPDATE users SET balance = 9500000').run();
    db.close();
    expect(checkSegment(path).problems).toEqual(['ledger hash chain broken at row 2']);
  });
});
