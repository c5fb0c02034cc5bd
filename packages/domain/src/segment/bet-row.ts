/**
 * A row of the segment's `bets` table as SQLite returns it, and its JSON view — the shape
 * `GET /v1/bets/:id` and `tapctl bet` show (SPEC §4: the bet with its terms and evidence).
 */
import { fillPrintOf, type Terms } from '../entries.js';

export interface BetDbRow {
  id: string;
  user_id: string;
  client_bet_id: string;
  t0: number;
  p0: number;
  window_ms: number;
  band_cents: number;
  stake: number;
  multiplier_bp: number;
  status: string;
  reason: string | null;
  payout: number;
  terms: string;
  evidence: string | null;
  placed_at: number;
  settled_at: number | null;
  /** Set on a closed segment's copy of a bet carried into a newer segment (migration 4). */
  carried_to?: string | null;
}

/** `fillPrint` (next-tick bets only): the print its terms were priced at, as on its `accepted` event. */
export function betView(row: BetDbRow) {
  const terms = JSON.parse(row.terms) as unknown;
  const fillPrint = fillPrintOf(row.t0, terms as Terms);
  return {
    betId: row.id,
    status: row.status,
    reason: row.reason,
    t0: row.t0,
    p0: row.p0,
    windowMs: row.window_ms,
    bandCents: row.band_cents,
    stakeMicros: row.stake,
    multiplierBp: row.multiplier_bp,
    payoutMicros: row.payout,
    terms,
    evidence: row.evidence === null ? null : (JSON.parse(row.evidence) as unknown),
    placedAt: row.placed_at,
    settledAt: row.settled_at,
    ...(fillPrint === undefined ? {} : { fillPrint }),
  };
}

export type BetView = ReturnType<typeof betView>;
