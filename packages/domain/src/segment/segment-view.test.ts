import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { withRestoredSegments } from './restored-view.js';
import { SEGMENT_MIGRATIONS } from './schema.js';
import { restoredSegmentPath, segmentPath } from './segment-files.js';
import { META_KEYS, readSegmentState, type SegmentState, writeMeta } from './segment-meta.js';
import { openSegmentView, type SegmentView } from './segment-view.js';
import { PREV_USER_BET_SQL, PREV_USER_LEDGER_SQL } from './user-chains.js';
import { findBet, openBetRows, printsBetween, userBetsAcross, userLedgerAcross } from './view-queries.js';

interface Fixture {
  state: SegmentState;
  /** [id, status, carriedTo] in insertion order. */
  bets?: [string, string, string?][];
  ledgerIds?: number[];
  prints?: [number, number][];
}

function writeSegment(dataDir: string, name: string, fixture: Fixture): void {
  const db = new Database(segmentPath(dataDir, name));
  // Fixture files need no durability: no syncs keep the set-up quick on a loaded machine.
  db.pragma('synchronous = OFF');
  migrate(db, SEGMENT_MIGRATIONS);
  writeMeta(db, { [META_KEYS.state]: fixture.state, [META_KEYS.segment]: name });
  db.prepare("INSERT INTO users (id, balance, created_at, updated_at) VALUES ('0xa', 0, 0, 0)").run();
  const bet = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
       status, terms, placed_at, carried_to, prev_user_bet_id)
     VALUES (?, '0xa', 'c', 0, 0, 5000, 1000, 1, 10500, ?, '{}', 0, ?, ${PREV_USER_BET_SQL})`,
  );
  for (const [id, status, carriedTo] of fixture.bets ?? []) bet.run(id, status, carriedTo ?? null, '0xa');
  const ledger = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at,
       prev_hash, hash, prev_user_ledger_id)
     VALUES (?, '0xa', 1, 1, 'deposit', 'd', 0, '', '', ${PREV_USER_LEDGER_SQL})`,
  );
  for (const id of fixture.ledgerIds ?? []) ledger.run(id, '0xa');
  const print = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma) VALUES (?, ?, 1, 3, 0)',
  );
  for (const [id, t] of fixture.prints ?? []) print.run(id, t);
  db.close();
}

describe('the segment view (real SQLite files)', () => {
  let dataDir: string;
  let view: SegmentView;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'segment-view-'));
    mkdirSync(join(dataDir, 'segments'));
    writeSegment(dataDir, '2026-W45', { state: 'archived', ledgerIds: [1] });
    writeSegment(dataDir, '2026-W46', {
      state: 'closed',
      bets: [
        ['A1', 'won'],
        ['A2', 'accepted', '2026-W47'],
      ],
      ledgerIds: [2, 3],
      prints: [[1, 100]],
    });
    writeSegment(dataDir, '2026-W47', {
      state: 'closed',
      bets: [
        ['A2', 'accepted', '2026-W48'],
        ['A3', 'lost'],
      ],
      ledgerIds: [4, 5, 6],
      prints: [[2, 200]],
    });
    writeSegment(dataDir, '2026-W48', {
      state: 'open',
      bets: [
        ['A2', 'won'],
        ['A4', 'accepted'],
      ],
      ledgerIds: [7, 8],
      prints: [[3, 300]],
    });
    writeSegment(dataDir, '2026-W49', { state: 'opening', bets: [['A9', 'accepted']] });
    view = openSegmentView(dataDir, { closedMax: 2 });
  }, 60_000);
  afterEach(() => {
    view.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds the current segment and the last closed ones, newest first, never an opening one', () => {
    expect(view.segments().map((s) => [s.name, s.state])).toEqual([
      ['2026-W48', 'open'],
      ['2026-W47', 'closed'],
      ['2026-W46', 'closed'],
    ]);
  });

  it('extends the view with restored segments after the local ones, and closes only those', () => {
    writeSegment(dataDir, '2026-W44', { state: 'archived', ledgerIds: [-2, -1] });
    mkdirSync(join(dataDir, 'restored'));
    renameSync(segmentPath(dataDir, '2026-W44'), restoredSegmentPath(dataDir, '2026-W44'));
    const history = withRestoredSegments(view, dataDir, ['2026-W44']);
    expect(history.segments().map((s) => [s.name, s.state])).toEqual([
      ['2026-W48', 'open'],
      ['2026-W47', 'closed'],
      ['2026-W46', 'closed'],
      ['2026-W44', 'archived'],
    ]);
    const page = userLedgerAcross(history, '0xa', { limit: 20, scanMax: 100 });
    expect(page.rows.map((r) => r.id)).toEqual([8, 7, 6, 5, 4, 3, 2, -1, -2]);
    history.close();
    expect(view.segments().map((s) => s.name)).toEqual(['2026-W48', '2026-W47', '2026-W46']);
  });

  it('reads a kept connection’s state afresh at every call (its meta statement is prepared once)', () => {
    expect(view.segments()[0]).toMatchObject({ name: '2026-W48', state: 'open' });
    const db = new Database(segmentPath(dataDir, '2026-W48'));
    writeMeta(db, { [META_KEYS.state]: 'closing' });
    db.close();
    expect(view.segments()[0]).toMatchObject({ name: '2026-W48', state: 'closing' });
  });

  it('shows the newest segment at the next call after a roll-over switches', () => {
    const db = new Database(segmentPath(dataDir, '2026-W49'));
    writeMeta(db, { [META_KEYS.state]: 'open' });
    db.close();
    expect(view.segments().map((s) => s.name)).toEqual(['2026-W49', '2026-W48', '2026-W47']);
  });

  it('finds a bet in its home segment: a carried bet with its settlement', () => {
    expect(findBet(view, 'A2')).toMatchObject({ segment: '2026-W48', row: { status: 'won' } });
    expect(findBet(view, 'A1')).toMatchObject({ segment: '2026-W46', row: { status: 'won' } });
    expect(findBet(view, 'A9')).toBeUndefined();
  });

  it('lists a trader’s bets once each across segments, and the cursor continues over a boundary', () => {
    const all = userBetsAcross(view, '0xa', { limit: 50, scanMax: 100 });
    expect(all).toEqual({ rows: expect.any(Array), next: null });
    expect(all.rows.map((r) => [r.id, r.status])).toEqual([
      ['A4', 'accepted'],
      ['A2', 'won'],
      ['A3', 'lost'],
      ['A1', 'won'],
    ]);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = userBetsAcross(view, '0xa', { before: cursor, limit: 1, scanMax: 100 });
      paged.push(...page.rows.map((r) => r.id));
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    expect(paged).toEqual(['A4', 'A2', 'A3', 'A1']);
  });

  it('pages a trader’s ledger across segments by id', () => {
    const paged: number[] = [];
    let cursor: number | undefined;
    do {
      const page = userLedgerAcross(view, '0xa', { before: cursor, limit: 2, scanMax: 100 });
      paged.push(...page.rows.map((r) => r.id));
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    expect(paged).toEqual([8, 7, 6, 5, 4, 3, 2]);
  });

  it('reads the open bets from the current segment only', () => {
    expect(openBetRows<{ id: string }>(view, 'id')).toEqual([{ id: 'A4' }]);
    expect(openBetRows<{ id: string }>(view, 'id', 'A2')).toEqual([]);
  });

  it('reads a bet not carried yet from the closing segment while a roll-over carries, and once each', () => {
    writeSegment(dataDir, '2026-W50', {
      state: 'closing',
      bets: [
        ['B1', 'accepted'],
        ['B2', 'accepted'],
        ['B3', 'lost'],
      ],
    });
    // The writer switched to W51 and has carried B1 (and settled it there) but not B2 yet.
    writeSegment(dataDir, '2026-W51', {
      state: 'open',
      bets: [
        ['B1', 'won'],
        ['B4', 'accepted'],
      ],
    });
    const carrying = openSegmentView(dataDir, { closedMax: 2 });
    try {
      expect(carrying.segments().map((s) => [s.name, s.state])).toEqual([
        ['2026-W51', 'open'],
        ['2026-W50', 'closing'],
        ['2026-W48', 'open'],
      ]);
      expect(findBet(carrying, 'B2')).toMatchObject({ segment: '2026-W50', row: { status: 'accepted' } });
      expect(findBet(carrying, 'B1')).toMatchObject({ segment: '2026-W51', row: { status: 'won' } });
      expect(
        openBetRows<{ id: string }>(carrying, 'id')
          .map((r) => r.id)
          .sort(),
      ).toEqual(['B2', 'B4']);
      expect(openBetRows<{ id: string }>(carrying, 'id', 'B2')).toEqual([{ id: 'B2' }]);
      expect(openBetRows<{ id: string }>(carrying, 'id', 'B1')).toEqual([]);
      const bets = userBetsAcross(carrying, '0xa', { limit: 50, scanMax: 100 }).rows;
      expect(bets.map((r) => [r.id, r.status])).toEqual([
        ['B4', 'accepted'],
        ['B1', 'won'],
        ['B3', 'lost'],
        ['B2', 'accepted'],
        ['A4', 'accepted'],
        ['A2', 'won'],
      ]);
    } finally {
      carrying.close();
    }
  });

  it('merges the index prints of every segment in (t, id) order, after a keyset cursor', () => {
    const prints = printsBetween(view, { fromMs: 0, toMs: 1_000, limit: 10 });
    expect(prints.map((p) => p.id)).toEqual([1, 2, 3]);
    const second = prints[1]!;
    expect(
      printsBetween(view, { fromMs: 150, toMs: 1_000, after: { t: second.t, id: second.id }, limit: 10 }).map(
        (p) => p.id,
      ),
    ).toEqual([3]);
  });

  it('reads a segment without a state as open (written before roll-overs existed)', () => {
    const db = new Database(':memory:');
    migrate(db, SEGMENT_MIGRATIONS);
    expect(readSegmentState(db)).toBe('open');
    writeMeta(db, { [META_KEYS.state]: 'bogus' });
    expect(() => readSegmentState(db)).toThrow('unknown state');
    db.close();
  });
});
