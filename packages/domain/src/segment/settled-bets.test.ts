import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS } from './schema.js';
import { segmentPath } from './segment-files.js';
import { META_KEYS, writeMeta } from './segment-meta.js';
import { openSegmentView } from './segment-view.js';
import { forEachSettledBet, type SettledBetRow } from './settled-bets.js';

/** [id, status, t0, settledAt, carriedTo] */
type BetFixture = [string, string, number, number | null, string?];

function writeSegment(dataDir: string, name: string, state: string, bets: BetFixture[]): void {
  const db = new Database(segmentPath(dataDir, name));
  db.pragma('synchronous = OFF');
  migrate(db, SEGMENT_MIGRATIONS);
  writeMeta(db, { [META_KEYS.state]: state, [META_KEYS.segment]: name });
  const insert = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
       status, payout, terms, placed_at, settled_at, carried_to)
     VALUES (?, '0xa', 'c', ?, 0, 5000, 1000, 1000000, 20000, ?, ?, '{"probability":0.4}', 0, ?, ?)`,
  );
  for (const [id, status, t0, settledAt, carriedTo] of bets) {
    insert.run(id, t0, status, status === 'won' ? 2_000_000 : 0, settledAt, carriedTo ?? null);
  }
  db.close();
}

describe('forEachSettledBet (real SQLite files)', () => {
  it('reads each won or lost bet of the range once, each segment in t0 order, with its P', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'settled-bets-'));
    mkdirSync(join(dataDir, 'segments'));
    // A bet open at the roll-over (C) is carried: its closed copy stays accepted, the new one settles.
    writeSegment(dataDir, '2026-W46', 'closed', [
      ['B', 'lost', 20_000, 1_500],
      ['A', 'won', 10_000, 1_200],
      ['C', 'accepted', 30_000, null, '2026-W47'],
      ['V', 'void', 40_000, 1_600],
      ['OLD', 'won', 5_000, 900],
    ]);
    writeSegment(dataDir, '2026-W47', 'open', [
      ['E', 'lost', 60_000, 2_100],
      ['C', 'won', 30_000, 2_000],
      ['OPEN', 'accepted', 70_000, null],
      ['LATE', 'lost', 80_000, 3_000],
    ]);
    const view = openSegmentView(dataDir);
    const rows: SettledBetRow[] = [];
    const count = forEachSettledBet(view, { fromMs: 1_000, toMs: 3_000 }, (row) => rows.push(row));
    view.close();
    expect(count).toBe(rows.length);
    expect(rows.map((row) => [row.t0, row.payout])).toEqual([
      [30_000, 2_000_000],
      [60_000, 0],
      [10_000, 2_000_000],
      [20_000, 0],
    ]);
    expect(rows[0]).toEqual({
      user_id: '0xa',
      t0: 30_000,
      stake: 1_000_000,
      multiplier_bp: 20_000,
      payout: 2_000_000,
      probability: 0.4,
    });
  });
});
