/**
 * A direct better-sqlite3 writer of the segment schema (@tap/domain's migrations), for the two
 * comparisons that must not go through the batcher: the naive design (one transaction per
 * request) and the synchronous=FULL vs NORMAL micro-benchmark. Per bet it does what the batcher
 * does per bet — conditional stake debit, bet row, hash-chained ledger row — so the difference is
 * the transaction shape and the sync mode, not the work.
 */
import {
  createLedgerChain,
  lastLedgerRow,
  migrate,
  PREV_USER_BET_SQL,
  SEGMENT_MIGRATIONS,
  WRITER_PRAGMAS,
} from '@tap/domain';
import Database from 'better-sqlite3';

export type SyncMode = 'FULL' | 'NORMAL';

export interface BetRow {
  betId: string;
  userId: string;
  clientBetId: string;
  t0: number;
  p0: number;
  stakeMicros: number;
  multiplierBp: number;
  placedAt: number;
  /** The bet's terms as stored (JSON text); `{}` when absent. */
  terms?: string;
}

export interface BetWriter {
  db: Database.Database;
  /** Debits the stake and stores the bet (accepted) or the rejection; returns whether it was accepted. */
  applyBet(bet: BetRow): boolean;
  credit(userId: string, amountMicros: number, refId: string): void;
  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * `pragmas: 'writer'`: the batcher's own connection settings (WRITER_PRAGMAS: no automatic
 * checkpoint, 64 MiB page cache; in-memory temp store) instead of SQLite's defaults with WAL.
 */
export function openBetWriter(
  path: string,
  sync: SyncMode,
  options: { pragmas?: 'default' | 'writer' } = {},
): BetWriter {
  const db = new Database(path);
  if (options.pragmas === 'writer') {
    for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
    db.pragma('temp_store = MEMORY');
  } else {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
  }
  db.pragma(`synchronous = ${sync}`);
  const migrated = migrate(db, SEGMENT_MIGRATIONS);
  if (!migrated.ok) throw new Error(`${path}: unexpected schema version ${migrated.found}`);
  const debit = db.prepare(
    'UPDATE users SET balance = balance - ?, updated_at = ? WHERE id = ? AND balance >= ? RETURNING balance',
  );
  const credit = db.prepare(
    `INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET balance = balance + excluded.balance RETURNING balance`,
  );
  const insertBet = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status, reason, terms,
       placed_at, prev_user_bet_id)
     VALUES (?, ?, ?, ?, ?, 5000, 1000, ?, ?, ?, ?, ?, ?, ${PREV_USER_BET_SQL})`,
  );
  const chain = createLedgerChain(db, lastLedgerRow(db));
  return {
    db,
    applyBet(bet) {
      const debited = debit.get(bet.stakeMicros, bet.placedAt, bet.userId, bet.stakeMicros) as
        | { balance: number }
        | undefined;
      const status = debited ? 'accepted' : 'rejected';
      insertBet.run(
        bet.betId,
        bet.userId,
        bet.clientBetId,
        bet.t0,
        bet.p0,
        bet.stakeMicros,
        bet.multiplierBp,
        status,
        debited ? null : 'insufficient_funds',
        bet.terms ?? '{}',
        bet.placedAt,
        bet.userId,
      );
      if (debited) {
        chain.append({
          userId: bet.userId,
          amount: -bet.stakeMicros,
          balanceAfter: debited.balance,
          refType: 'bet_stake',
          refId: bet.betId,
          createdAt: Date.now(),
        });
      }
      return debited !== undefined;
    },
    credit(userId, amountMicros, refId) {
      const now = Date.now();
      const { balance } = credit.get(userId, amountMicros, now, now) as { balance: number };
      chain.append({
        userId,
        amount: amountMicros,
        balanceAfter: balance,
        refType: 'deposit',
        refId,
        createdAt: Date.now(),
      });
    },
    transaction(fn) {
      return db.transaction(fn).immediate();
    },
    close() {
      db.close();
    },
  };
}
