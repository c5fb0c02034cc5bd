import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LedgerSegment, ledgerBetween, ledgerByRef } from './ledger-queries.js';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS } from './schema.js';

/** [id, user, refType, refId, createdAt] */
type Row = [number, string, string, string, number];

function segment(name: string, rows: Row[]): LedgerSegment {
  const db = new Database(':memory:');
  migrate(db, SEGMENT_MIGRATIONS);
  const insert = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at,
       prev_hash, hash) VALUES (?, ?, 1, 1, ?, ?, ?, '', '')`,
  );
  for (const row of rows) insert.run(...row);
  return { name, db };
}

describe('ledger queries across segments', () => {
  let segments: LedgerSegment[];

  beforeEach(() => {
    // Newest first, as the view lists them; ids continue across the roll-over at row 4.
    segments = [
      segment('2026-W48', [
        [4, '0xa', 'opening', '2026-W48', 2_000],
        [5, '0xb', 'bet_payout', 'BET1', 2_100],
        [6, '0xa', 'bet_stake', 'BET2', 2_100],
      ]),
      segment('2026-W47', [
        [1, '0xa', 'deposit', 'd1', 1_000],
        [2, '0xb', 'bet_stake', 'BET1', 1_500],
        [3, '0xa', 'bet_stake', 'BET3', 1_500],
      ]),
    ];
  });
  afterEach(() => {
    for (const s of segments) s.db.close();
  });

  it('finds every row of a reference in every segment, oldest first, with its segment', () => {
    const stake = ledgerByRef(segments, { refType: 'bet_stake', refId: 'BET1', limit: 10 });
    expect(stake.rows.map((r) => [r.id, r.segment])).toEqual([[2, '2026-W47']]);
    expect(stake.next).toBeNull();
    const payout = ledgerByRef(segments, { refType: 'bet_payout', refId: 'BET1', limit: 10 });
    expect(payout.rows.map((r) => [r.id, r.user_id, r.segment])).toEqual([[5, '0xb', '2026-W48']]);
  });

  it('pages a time range of every user across the boundary by (created_at, id)', () => {
    const seen: number[] = [];
    let after: { createdAt: number; id: number } | undefined;
    let pages = 0;
    do {
      const page = ledgerBetween(segments, {
        fromMs: 1_500,
        toMs: 2_100,
        limit: 2,
        ...(after ? { after } : {}),
      });
      seen.push(...page.rows.map((r) => r.id));
      after = page.next ?? undefined;
      pages += 1;
    } while (after);
    expect(seen).toEqual([2, 3, 4, 5, 6]);
    expect(pages).toBe(3);
  });

  it('answers an empty page for a range or reference that holds nothing', () => {
    expect(ledgerBetween(segments, { fromMs: 5_000, toMs: 6_000, limit: 5 })).toEqual({
      rows: [],
      next: null,
    });
    expect(ledgerByRef(segments, { refType: 'withdrawal', refId: 'x', limit: 5 })).toEqual({
      rows: [],
      next: null,
    });
  });

  it('continues a reference page after the cursor id only', () => {
    const all = ledgerByRef(segments, { refType: 'bet_stake', refId: 'BET2', after: 6, limit: 5 });
    expect(all.rows).toEqual([]);
  });
});
