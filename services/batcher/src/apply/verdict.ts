/**
 * What applying one stream entry decided, as a value (STYLE: errors are values). The batch
 * transaction turns a `refused` verdict into a rolled-back savepoint and a dead letter; `events`
 * go to the outbox; `effects` are the Redis cache changes made after the batch is committed and
 * acknowledged (docs/bet-path.md "Balance cache").
 */
import type { EventEntry } from '@tap/domain';
import type { BetStore } from '../storage/bet-store.js';
import type { LedgerWriter } from '../storage/ledger-writer.js';
import type { OperatorLog } from '../storage/operator-log.js';
import type { BetRules } from './bet-bounds.js';

export type Effect =
  /** Add to the cached available balance (release a reservation, a credit, a debit). */
  | { type: 'balance_delta'; userId: string; deltaMicros: number }
  /** Give back exposure booked at admission: the bet's potential payout and its open-bet slot. */
  | { type: 'exposure_release'; userId: string; t0: number; p0: number; payoutMicros: number }
  /** The cache proved wrong (SQLite refused a stake it had reserved): recompute it for this user. */
  | { type: 'balance_resync'; userId: string }
  /** The bet is in SQLite now: drop its "pending" marker set at admission (`keys.pendingBet`). */
  | { type: 'pending_cleared'; betId: string };

export type Verdict =
  | { kind: 'applied'; events: EventEntry[]; effects: Effect[] }
  | { kind: 'rejected'; code: 'insufficient_funds'; events: EventEntry[]; effects: Effect[] }
  /** Already applied (a redelivery after a crash): nothing changes, nothing is emitted. */
  | { kind: 'duplicate' }
  /** Cannot be applied; dead-lettered with `code` as the reason. */
  | { kind: 'refused'; code: string }
  /**
   * Outside the bounds admission enforces (a forged or corrupted entry): nothing is written to
   * SQLite, it is dead-lettered with `code`, and only `events`/`effects` that move no money follow.
   */
  | { kind: 'out_of_bounds'; code: string; events: EventEntry[]; effects: Effect[] };

export type Outcome = 'applied' | 'rejected' | 'duplicate' | 'dead_letter';

/** What every apply function works with, inside the batch transaction. */
export interface ApplyContext {
  ledger: LedgerWriter;
  bets: BetStore;
  operators: OperatorLog;
  /** The key operator entries are authenticated with (OPERATOR_MAC_KEY). */
  operatorKeyHex: string;
  /** The batch's clock: ledger rows' created_at. */
  nowMs: number;
  /** The bounds every bet entry is checked against before money moves. */
  betRules: BetRules;
}

export const DUPLICATE: Verdict = { kind: 'duplicate' };

export function applied(events: EventEntry[], effects: Effect[] = []): Verdict {
  return { kind: 'applied', events, effects };
}

export function refused(code: string): Verdict {
  return { kind: 'refused', code };
}
