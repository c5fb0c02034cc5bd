/**
 * Roll-over step 4 (README "Roll-over"): carrying the closing segment's users and open bets into
 * the new segment, after the writer has switched to it. Two ways, one rule:
 *
 * - **on touch**: before a batch moves a user's money, inserts a user's bet or reads a bet that is
 *   still open in the closing segment, that user is carried — in the batch's own transaction, so the
 *   carry commits or rolls back with the entry that needed it;
 * - **in the background**: between batches, users in id order, a chunk per transaction.
 *
 * Carrying a user writes its closing balance as one `opening` ledger row (through the segment's
 * one ledger writer: ids and hashes continue the chain wherever the row falls; a zero balance gets a
 * `users` row and no ledger row), then its open bets, whole, in the order of its bet chain (a walk
 * from the user's newest bet in the frozen segment: no index by user is needed, and nothing has to
 * be read when the roll-over starts) — before any row of the new
 * period for that user, so its balance and its chains start from what it closed with. Whether a user
 * is carried is read from the new segment (it holds the user), never remembered, so a rolled-back
 * batch or a restart cannot fool it: the closing segment is frozen, so carrying is idempotent and a
 * restart just carries whoever is missing.
 */
import { PREV_USER_BET_SQL } from '@tap/domain';
import type Database from 'better-sqlite3';
import type { BetStore } from '../storage/bet-store.js';
import type { LedgerWriter } from '../storage/ledger-writer.js';

export interface Carrier {
  /** Carries the user if the closing segment has it and the new segment does not yet. */
  user(userId: string): void;
  /** Carries the owner of a bet still open in the closing segment (with all its open bets). */
  bet(betId: string): void;
  /** A user not carried yet has its closing balance; undefined when the new segment is the truth. */
  balanceOf(userId: string): number | undefined;
  /** Whether the new segment holds the user. */
  carried(userId: string): boolean;
  /** Carries the next chunk of users; false once the last one is carried. */
  carryChunk(): boolean;
}

export interface CarrierInput {
  /** The closing segment (frozen) and its name, the opening rows' `ref_id`. */
  from: { name: string; db: Database.Database };
  to: Database.Database;
  /** The new segment's ledger writer, unwrapped (its chain head is the segment's). */
  ledger: LedgerWriter;
  /** The opening rows' time: the cut. */
  atMs: number;
  chunkUsers: number;
}

const BET_COLUMNS = `id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status,
  reason, payout, terms, evidence, placed_at, settled_at`;

export function createCarrier(input: CarrierInput): Carrier {
  const { from, to, ledger, atMs } = input;
  const oldBalance = from.db.prepare<[string], number>('SELECT balance FROM users WHERE id = ?').pluck();
  const oldUser = from.db.prepare<[string], [number, string | null]>(
    'SELECT balance, last_bet_id FROM users WHERE id = ?',
  );
  const oldUsers = from.db.prepare<[string, number], [string, number, string | null]>(
    'SELECT id, balance, last_bet_id FROM users WHERE id > ? ORDER BY id LIMIT ?',
  );
  const oldChainStep = from.db.prepare<[string], [string, string | null]>(
    'SELECT status, prev_user_bet_id FROM bets WHERE id = ?',
  );
  const oldOpenOwner = from.db
    .prepare<[string], string>("SELECT user_id FROM bets WHERE id = ? AND status = 'accepted'")
    .pluck();
  const oldBet = from.db.prepare<[string], Record<string, unknown>>(
    `SELECT ${BET_COLUMNS} FROM bets WHERE id = ?`,
  );
  const hasUser = to.prepare<[string], number>('SELECT 1 FROM users WHERE id = ?').pluck();
  const zeroUser = to.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, ?, ?)');
  const insertBet = to.prepare(
    `INSERT INTO bets (${BET_COLUMNS}, prev_user_bet_id)
     VALUES (@id, @user_id, @client_bet_id, @t0, @p0, @window_ms, @band_cents, @stake, @multiplier_bp,
       @status, @reason, @payout, @terms, @evidence, @placed_at, @settled_at,
       ${PREV_USER_BET_SQL.replace('?', '@user_id')})`,
  );
  const carried = (userId: string) => hasUser.get(userId) !== undefined;

  /** The user's open bets in the frozen segment, oldest first: a walk of its bet chain. */
  const openBetsOf = (lastBetId: string | null): string[] => {
    const open: string[] = [];
    for (let id = lastBetId; id !== null; ) {
      const [status, prev] = oldChainStep.raw().get(id)!;
      if (status === 'accepted') open.push(id);
      id = prev;
    }
    return open.reverse();
  };
  // In the caller's transaction (a savepoint inside a batch); the chain head follows a rollback.
  const carryTx = to.transaction((userId: string, balance: number, lastBetId: string | null) => {
    if (balance > 0) ledger.credit(userId, balance, 'opening', from.name, atMs);
    else zeroUser.run(userId, atMs, atMs);
    for (const betId of openBetsOf(lastBetId)) insertBet.run(oldBet.get(betId)!);
  });
  const carry = (userId: string, balance: number, lastBetId: string | null) => {
    const head = ledger.head();
    try {
      carryTx(userId, balance, lastBetId);
    } catch (err) {
      ledger.resetHead(head);
      throw err;
    }
  };
  const user = (userId: string) => {
    if (carried(userId)) return;
    const row = oldUser.raw().get(userId);
    if (row !== undefined) carry(userId, row[0], row[1]);
  };
  const chunkTx = to.transaction((rows: [string, number, string | null][]) => {
    for (const [userId, balance, lastBetId] of rows) if (!carried(userId)) carry(userId, balance, lastBetId);
  });
  // A chunk's commit needs no fsync of its own: a crash that loses it only leaves its users to be
  // carried again, and the next batch's commit (synchronous=FULL) syncs the WAL up to and including
  // it before anything that depends on it is acknowledged.
  const synchronous = to.pragma('synchronous', { simple: true }) as number;
  let after = '';
  return {
    user,
    bet(betId) {
      const owner = oldOpenOwner.get(betId);
      if (owner !== undefined) user(owner);
    },
    balanceOf: (userId) => (carried(userId) ? undefined : oldBalance.get(userId)),
    carried,
    carryChunk() {
      const rows = oldUsers.raw().all(after, input.chunkUsers);
      if (rows.length === 0) return false;
      const head = ledger.head();
      to.pragma('synchronous = NORMAL');
      try {
        chunkTx(rows);
      } catch (err) {
        ledger.resetHead(head);
        throw err;
      } finally {
        to.pragma(`synchronous = ${synchronous}`);
      }
      after = rows.at(-1)![0];
      return true;
    },
  };
}

/** The ledger writer of a segment that is carrying: a user is carried before its money moves. */
export function carryingLedger(raw: LedgerWriter, carrier: () => Carrier | null): LedgerWriter {
  return {
    credit(userId, ...rest) {
      carrier()?.user(userId);
      return raw.credit(userId, ...rest);
    },
    debit(userId, ...rest) {
      carrier()?.user(userId);
      return raw.debit(userId, ...rest);
    },
    balanceOf: (userId) => carrier()?.balanceOf(userId) ?? raw.balanceOf(userId),
    hasRef: (refType, refId) => raw.hasRef(refType, refId),
    head: () => raw.head(),
    ownHead: () => raw.ownHead(),
    resetHead: (head) => raw.resetHead(head),
  };
}

/** The bet store of a segment that is carrying: a bet still open in the closing segment is carried first. */
export function carryingBets(raw: BetStore, carrier: () => Carrier | null): BetStore {
  return {
    ...raw,
    exists(betId) {
      carrier()?.bet(betId);
      return raw.exists(betId);
    },
    insert(bet, status, reason) {
      carrier()?.user(bet.userId);
      raw.insert(bet, status, reason);
    },
    get(betId) {
      carrier()?.bet(betId);
      return raw.get(betId);
    },
  };
}
