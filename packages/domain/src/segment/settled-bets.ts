/**
 * The bets that settled won or lost in a time range, across the segment view (segment-view.ts), one
 * row at a time: what the per-wallet edge monitor (@tap/calibration wallet-edge.ts) judges. Void
 * bets carry no information about an edge (the stake came back) and open ones have no outcome yet.
 *
 * A bet appears once: a bet carried over a roll-over is settled only in the newer segment (the
 * closed segment's copy stays `accepted`), so `status IN ('won', 'lost')` reads each settled bet
 * exactly once without a set of ids. There is no index on `settled_at`: this is a scan of each
 * segment's `bets` (a daily job's cost, rows streamed through `iterate`), sorted by window start
 * (SQLite's sorter, spilling to a temp file when large): the monitor groups a wallet's bets on one
 * window, whose outcomes share one price path.
 */
import type { SegmentView } from './segment-view.js';

export interface SettledBetRow {
  user_id: string;
  t0: number;
  stake: number;
  multiplier_bp: number;
  payout: number;
  /** P of the terms snapshot (SPEC §3): what the price predicted. */
  probability: number;
}

const SETTLED_SQL = `SELECT user_id, t0, stake, multiplier_bp, payout,
  json_extract(terms, '$.probability') AS probability
  FROM bets WHERE status IN ('won', 'lost') AND settled_at >= ? AND settled_at < ? ORDER BY t0`;

/**
 * Calls `visit` for every bet settled won or lost with `fromMs ≤ settled_at < toMs`, each segment's
 * in `t0` order (segments newest first); returns the count.
 */
export function forEachSettledBet(
  view: SegmentView,
  range: { fromMs: number; toMs: number },
  visit: (row: SettledBetRow) => void,
): number {
  let count = 0;
  for (const segment of view.segments()) {
    for (const row of segment.db.prepare(SETTLED_SQL).iterate(range.fromMs, range.toMs)) {
      visit(row as SettledBetRow);
      count += 1;
    }
  }
  return count;
}
