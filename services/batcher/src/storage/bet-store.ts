/**
 * Prepared statements for the `bets` and `index_prints` tables of the writer's segment. The bet id
 * (a ULID assigned at admission) is the primary key, which is what makes re-applying a redelivered
 * entry a no-op.
 */
import { type BetEntry, type BetStatus, PREV_USER_BET_SQL, type PrintEntry } from '@tap/domain';
import type Database from 'better-sqlite3';

/** The columns settlement needs. */
export interface BetRow {
  id: string;
  userId: string;
  t0: number;
  p0: number;
  stakeMicros: number;
  multiplierBp: number;
  status: BetStatus;
}

export interface Settled {
  status: 'won' | 'lost' | 'void';
  reason: string | null;
  payoutMicros: number;
  evidence: unknown;
  settledAt: number;
}

export interface OverdueBet {
  id: string;
  t0: number;
  windowMs: number;
}

export interface BetStore {
  exists(betId: string): boolean;
  insert(bet: BetEntry, status: 'accepted' | 'rejected', reason: string | null): void;
  get(betId: string): BetRow | undefined;
  settle(betId: string, settled: Settled): void;
  /** Accepted bets whose window ended `afterEndMs` or longer before `nowMs`, oldest first, at most `limit`. */
  overdue(nowMs: number, afterEndMs: number, limit: number): OverdueBet[];
  /** INSERT OR IGNORE; false when the print was already there. */
  insertPrint(print: PrintEntry): boolean;
  /**
   * The `n`-th stored print (1 = the first) in time order after `afterMs` (ties: by id), with what
   * pricing reads from it: the print that fills a next-tick bet placed at `afterMs` (n > 1: a
   * wallet's longer fill delay).
   */
  printAfter(afterMs: number, n: number): PrintEntry | undefined;
}

interface PrintRow {
  id: number;
  t: number;
  priceCents: number;
  venues: number;
  sigma: number;
  simulated: number | null;
  noise: number | null;
  filteredCents: number | null;
  filteredNoise: number | null;
}

export function createBetStore(db: Database.Database): BetStore {
  const exists = db.prepare<[string], number>('SELECT 1 FROM bets WHERE id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
       status, reason, terms, placed_at, prev_user_bet_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${PREV_USER_BET_SQL})`,
  );
  const get = db.prepare<[string], BetRow>(
    `SELECT id, user_id AS userId, t0, p0, stake AS stakeMicros, multiplier_bp AS multiplierBp, status
     FROM bets WHERE id = ?`,
  );
  const settle = db.prepare(
    `UPDATE bets SET status = ?, reason = ?, payout = ?, evidence = ?, settled_at = ?
     WHERE id = ? AND status = 'accepted'`,
  );
  // `t0 <= ?` first so the partial index bets_open_by_window (open bets by t0) bounds the scan.
  const overdue = db.prepare<[number, number, number, number], OverdueBet>(
    `SELECT id, t0, window_ms AS windowMs FROM bets
     WHERE status = 'accepted' AND t0 <= ? AND t0 + window_ms + ? <= ?
     ORDER BY t0 LIMIT ?`,
  );
  const insertPrint = db.prepare(
    `INSERT OR IGNORE INTO index_prints (id, t, price_cents, venues, sigma, simulated, noise, filtered_cents,
       filtered_noise) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const newestPrintT = db.prepare<[], number | null>('SELECT MAX(t) FROM index_prints').pluck();
  // The newest stored print's time, or higher (raised by a print whose batch then rolled back):
  // no print lies after it, so a held bet received after it is answered without a lookup — most
  // of the ~800 held at 3,000 bets/s when a print batch re-checks them. Never lower, which is all
  // the shortcut needs.
  let newestT: number | undefined;
  const newest = () => (newestT ??= newestPrintT.get() ?? Number.NEGATIVE_INFINITY);
  // A range scan of index_prints_by_time: one index step, whatever the table's size.
  const printAfter = db.prepare<[number, number], PrintRow>(
    `SELECT id, t, price_cents AS priceCents, venues, sigma, simulated, noise, filtered_cents AS filteredCents,
       filtered_noise AS filteredNoise
     FROM index_prints WHERE t > ? ORDER BY t, id LIMIT 1 OFFSET ?`,
  );
  return {
    exists: (betId) => exists.get(betId) !== undefined,
    insert(bet, status, reason) {
      insert.run(
        bet.betId,
        bet.userId,
        bet.clientBetId,
        bet.t0,
        bet.p0,
        bet.windowMs,
        bet.bandCents,
        bet.stakeMicros,
        bet.multiplierBp,
        status,
        reason,
        JSON.stringify(bet.terms),
        bet.placedAt,
        bet.userId,
      );
    },
    get: (betId) => get.get(betId),
    settle(betId, s) {
      const changed = settle.run(
        s.status,
        s.reason,
        s.payoutMicros,
        JSON.stringify(s.evidence),
        s.settledAt,
        betId,
      ).changes;
      if (changed !== 1) throw new Error(`bet ${betId} is no longer open`);
    },
    overdue: (nowMs, afterEndMs, limit) => overdue.all(nowMs - afterEndMs, afterEndMs, nowMs, limit),
    insertPrint(print) {
      const { id, t, priceCents, venues, sigma, simulated } = print;
      const optional = [print.noise, print.filteredCents, print.filteredNoise].map((v) => v ?? null);
      const stored =
        insertPrint.run(id, t, priceCents, venues, sigma, simulated ? 1 : 0, ...optional).changes === 1;
      if (stored) newestT = Math.max(newest(), t);
      return stored;
    },
    printAfter(afterMs, n) {
      if (afterMs >= newest()) return undefined;
      const row = printAfter.get(afterMs, n - 1);
      return row === undefined ? undefined : printOfRow(row);
    },
  };
}

function printOfRow(row: PrintRow): PrintEntry {
  const { id, t, priceCents, venues, sigma } = row;
  return {
    id,
    t,
    priceCents,
    venues,
    sigma,
    ...(row.noise === null ? {} : { noise: row.noise }),
    ...(row.filteredCents === null ? {} : { filteredCents: row.filteredCents }),
    ...(row.filteredNoise === null ? {} : { filteredNoise: row.filteredNoise }),
    simulated: row.simulated === 1,
  };
}
