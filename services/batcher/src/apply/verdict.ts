/**
 * What applying one stream entry decided, as a value (STYLE: errors are values). The batch
 * transaction turns a `refused` verdict into a rolled-back savepoint and a dead letter; `events`
 * go to the outbox; `effects` are the Redis cache changes made after the batch is committed and
 * acknowledged (docs/bet-path.md "Balance cache").
 */
import type { EventEntry } from '@tap/domain';
import type { BetTermsQuote, PrintQuoteMemo } from '@tap/pricing';
import type { BetStore } from '../storage/bet-store.js';
import type { LedgerWriter } from '../storage/ledger-writer.js';
import type { OperatorLog } from '../storage/operator-log.js';
import type { BetRules } from './bet-bounds.js';

export type Effect =
  /** Add to the cached available balance (release a reservation, a credit, a debit). */
  | { type: 'balance_delta'; userId: string; deltaMicros: number }
  /** Give back exposure booked at admission: the bet's potential payout and its open-bet slot. */
  | { type: 'exposure_release'; userId: string; t0: number; p0: number; payoutMicros: number }
  /**
   * Give back the part of a next-tick bet's reserved potential payout its fill did not need
   * (reserved − filled, ≥ 0); the bet stays open, so its open-bet slot stays booked.
   */
  | { type: 'exposure_trueup'; userId: string; t0: number; p0: number; payoutMicros: number }
  /** The cache proved wrong (SQLite refused a stake it had reserved): recompute it for this user. */
  | { type: 'balance_resync'; userId: string }
  /** The bet is in SQLite now: drop its "pending" marker set at admission (`keys.pendingBet`). */
  | { type: 'pending_cleared'; betId: string };

export type Verdict =
  | { kind: 'applied'; events: EventEntry[]; effects: Effect[] }
  | { kind: 'rejected'; code: RejectionCode; events: EventEntry[]; effects: Effect[] }
  /**
   * A next-tick bet whose filling print has not been applied yet (fill.ts): nothing is written, the
   * entry is not acknowledged, and it is applied again with a later batch.
   */
  | { kind: 'held' }
  /** Already applied (a redelivery after a crash): nothing changes, nothing is emitted. */
  | { kind: 'duplicate' }
  /** Cannot be applied; dead-lettered with `code` as the reason. */
  | { kind: 'refused'; code: string }
  /**
   * Outside the bounds admission enforces (a forged or corrupted entry): nothing is written to
   * SQLite, it is dead-lettered with `code`, and only `events`/`effects` that move no money follow.
   */
  | { kind: 'out_of_bounds'; code: string; events: EventEntry[]; effects: Effect[] };

/** Why a bet was stored `rejected`: the cache drifted, or its next-tick fill was refused (fill.ts). */
export type RejectionCode = 'insufficient_funds' | 'quote_moved' | 'cell_not_offered' | 'price_stale';

export type Outcome = 'applied' | 'rejected' | 'duplicate' | 'dead_letter' | 'held';

/** What every apply function works with, inside the batch transaction. */
export interface ApplyContext {
  ledger: LedgerWriter;
  bets: BetStore;
  operators: OperatorLog;
  /** The key operator entries are authenticated with (OPERATOR_MAC_KEY). */
  operatorKeyHex: string;
  /** The batch's clock: ledger rows' created_at. */
  nowMs: number;
  /**
   * A time by which every print published is stored by the end of this batch (the batch's read
   * started then and drained `tap:prices`), or null when not known (start-up, a full read): "no
   * print after a next-tick bet by its deadline" is only decided against it (fill.ts).
   */
  pricesReadAtMs: number | null;
  /** The bounds every bet entry is checked against before money moves, and how next-tick bets are priced. */
  betRules: BetRules;
  /** Next-tick fills' quotes by (stored print id, cell), each computed once (fill.ts). */
  fillQuotes: PrintQuoteMemo<BetTermsQuote>;
}

export const DUPLICATE: Verdict = { kind: 'duplicate' };
export const HELD: Verdict = { kind: 'held' };

export function applied(events: EventEntry[], effects: Effect[] = []): Verdict {
  return { kind: 'applied', events, effects };
}

export function refused(code: string): Verdict {
  return { kind: 'refused', code };
}
