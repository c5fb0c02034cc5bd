import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerRow, verifyLedgerChain } from '@tap/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BetRow, openBetWriter } from './bet-writer.js';

const bet = (betId: string, stakeMicros: number): BetRow => ({
  betId,
  userId: '0xa',
  clientBetId: `c-${betId}`,
  t0: 10_000,
  p0: 9_500_000,
  stakeMicros,
  multiplierBp: 20_000,
  placedAt: 1_000,
});

describe('openBetWriter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-bet-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('debits what the balance covers, rejects the rest, and keeps one verifiable ledger chain across reopening', () => {
    const path = join(dir, 'segment.sqlite');
    const writer = openBetWriter(path, 'NORMAL');
    writer.transaction(() => {
      writer.credit('0xa', 3_000_000, 'dep-1');
      expect(writer.applyBet(bet('B1', 2_000_000))).toBe(true);
      expect(writer.applyBet(bet('B2', 2_000_000))).toBe(false);
    });
    writer.close();
    const reopened = openBetWriter(path, 'FULL');
    expect(reopened.transaction(() => reopened.applyBet(bet('B3', 1_000_000)))).toBe(true);
    const rows = reopened.db
      .prepare(
        `SELECT id, user_id AS userId, amount, balance_after AS balanceAfter, ref_type AS refType, ref_id AS refId,
           created_at AS createdAt, prev_hash AS prevHash, hash FROM transaction_ledger ORDER BY id`,
      )
      .all() as (LedgerRow & { prevHash: string; hash: string })[];
    const statuses = reopened.db.prepare('SELECT id, status FROM bets ORDER BY id').all();
    reopened.close();
    expect(rows.map((r) => [r.refId, r.amount, r.balanceAfter])).toEqual([
      ['dep-1', 3_000_000, 3_000_000],
      ['B1', -2_000_000, 1_000_000],
      ['B3', -1_000_000, 0],
    ]);
    expect(verifyLedgerChain(rows)).toEqual({ ok: true, rows: 3 });
    expect(statuses).toEqual([
      { id: 'B1', status: 'accepted' },
      { id: 'B2', status: 'rejected' },
      { id: 'B3', status: 'accepted' },
    ]);
  });
});
