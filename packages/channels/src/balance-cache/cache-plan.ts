/**
 * The balance cache and exposure keys as they must be (docs/bet-path.md "Balance cache"), computed
 * from the segment and the bets still in flight (admitted to `tap:bets`, not in SQLite):
 * available = SQLite balance − in-flight stakes (negative when the cache had drifted and admission
 * let too much through: those bets will be rejected and release their stakes); exposure = the
 * potential payouts of open bets (accepted in SQLite, or in flight), per user, cell, column and in
 * total, plus each user's open-bet count. Cell and column keys expire `W + 120 s` after their
 * window starts, as admission sets them; keys already past that are left out. A user's balance,
 * exposure and open bets are fields of the wallet hash (`keys.wallet`, `WALLET_FIELDS`): the plan
 * addresses every value as a slot, a key or a key's field (`slotName`).
 *
 * Used by the batcher's start-up rebuild and by integrity-cron's comparison, so "what the cache
 * must hold" is written once. `db` is the current segment (every open bet is there).
 */
import { type BetEntry, payoutMicros } from '@tap/domain';
import { type Channels, WALLET_FIELDS, type WalletCacheField } from '../channels.js';

export const CELL_TTL_AFTER_WINDOW_MS = 120_000;

/** Where a cached value lives: a string key, or a field of a wallet's hash. */
export interface CacheSlot {
  key: string;
  field?: WalletCacheField;
}

export interface CacheValue extends CacheSlot {
  value: number;
  /** Absolute expiry (PXAT), ms; only for string keys. */
  expireAtMs?: number;
}

/** By `slotName`. */
export type CachePlan = Map<string, CacheValue>;

/** `key` or `key#field`: how a slot is named in a plan and in a problem report. */
export const slotName = ({ key, field }: CacheSlot): string => (field ? `${key}#${field}` : key);

/** The slot `slotName` named (no key of ours holds a `#`). */
export function slotOfName(name: string): CacheSlot {
  const at = name.lastIndexOf('#');
  return at < 0 ? { key: name } : { key: name.slice(0, at), field: name.slice(at + 1) as WalletCacheField };
}

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
  const addSlot = (slot: CacheSlot, delta: number, expireAtMs?: number) => {
    const name = slotName(slot);
    const current = plan.get(name);
    plan.set(name, { ...slot, value: (current?.value ?? 0) + delta, ...(expireAtMs ? { expireAtMs } : {}) });
  };
  const add = (key: string, delta: number, expireAtMs?: number) => addSlot({ key }, delta, expireAtMs);
  const wallet = (userId: string, field: WalletCacheField, delta: number) =>
    addSlot({ key: keys.wallet(userId), field }, delta);
  const users = db.prepare('SELECT id, balance FROM users').all() as { id: string; balance: number }[];
  for (const user of users) wallet(user.id, WALLET_FIELDS.balance, user.balance);
  for (const bet of inFlight) wallet(bet.userId, WALLET_FIELDS.balance, -bet.stakeMicros);
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
    wallet(bet.userId, WALLET_FIELDS.exposure, payout);
    wallet(bet.userId, WALLET_FIELDS.openBets, 1);
    const expireAtMs = bet.t0 + bet.windowMs + CELL_TTL_AFTER_WINDOW_MS;
    if (expireAtMs <= nowMs) continue;
    add(keys.exposureCell(bet.t0, bet.p0), payout, expireAtMs);
    add(keys.exposureColumn(bet.t0), payout, expireAtMs);
  }
  return plan;
}
