/**
 * The balance cache and exposure keys as they must be (docs/bet-path.md "Balance cache"), computed
 * from the segment and the bets still in flight (admitted to `tap:bets`, not in SQLite):
 * available = SQLite balance − in-flight stakes (negative when the cache had drifted and admission
 * let too much through: those bets will be rejected and release their stakes); exposure = the
 * potential payouts of open bets (accepted in SQLite, or in flight), per user, cell, column and in
 * total, plus each user's open-bet count. Cell and column keys expire `W + 120 s` after their
 * window starts, as admission sets them; keys already past that are left out.
 *
 * Used by the batcher's start-up rebuild and by integrity-cron's comparison, so "what the cache
 * must hold" is written once. `db` is the current segment (every open bet is there).
 */
import { type BetEntry, payoutMicros } from '@tap/domain';
import type { Channels } from '../channels.js';

export const CELL_TTL_AFTER_WINDOW_MS = 120_000;

export interface CacheValue {
  value: number;
  /** Absolute expiry (PXAT), ms. */
  expireAtMs?: number;
}

export type CachePlan = Map<string, CacheValue>;

/** The part of a segment connection planCache reads (better-sqlite3's Database has it). */
export interface CacheSourceDb {
  prepare(sql: string): { all(): unknown[] };
}

interface OpenBet {
  userId: string;
  t0: number;
  p0: number;
  windowMs: number;
  stakeMicros: number;
  multiplierBp: number;
}

export function planCache(
  db: CacheSourceDb,
  inFlight: readonly BetEntry[],
  { keys }: Channels,
  nowMs: number,
): CachePlan {
  const plan: CachePlan = new Map();
  const add = (key: string, delta: number, expireAtMs?: number) => {
    const current = plan.get(key);
    plan.set(key, { value: (current?.value ?? 0) + delta, ...(expireAtMs ? { expireAtMs } : {}) });
  };
  const users = db.prepare('SELECT id, balance FROM users').all() as { id: string; balance: number }[];
  for (const user of users) add(keys.balance(user.id), user.balance);
  for (const bet of inFlight) add(keys.balance(bet.userId), -bet.stakeMicros);
  add(keys.exposureTotal, 0);
  const open = db
    .prepare(
      `SELECT user_id AS userId, t0, p0, window_ms AS windowMs, stake AS stakeMicros,
         multiplier_bp AS multiplierBp
       FROM bets WHERE status = 'accepted'`,
    )
    .all() as OpenBet[];
  for (const bet of [...open, ...inFlight]) {
    const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
    add(keys.exposureTotal, payout);
    add(keys.exposureUser(bet.userId), payout);
    add(keys.openBets(bet.userId), 1);
    const expireAtMs = bet.t0 + bet.windowMs + CELL_TTL_AFTER_WINDOW_MS;
    if (expireAtMs <= nowMs) continue;
    add(keys.exposureCell(bet.t0, bet.p0), payout, expireAtMs);
    add(keys.exposureColumn(bet.t0), payout, expireAtMs);
  }
  return plan;
}
