/**
 * Next-tick entry (issue 22, docs/pricing.md "Informed traders"): a bet admitted with `nextPrint`
 * is priced here, at the first index print whose time is after its receive time (`placedAt`) — or
 * the `delayPrints`-th, a flagged wallet's longer delay (`tapctl delay`) — with
 * `@tap/pricing`'s `betTermsOf` — the function and terms snapshot admission uses for a bet priced
 * at receipt — and filled only if that multiplier is within [the trader's minimum, the multiplier
 * its exposure was reserved at].
 *
 * Why here: the batcher is the single, ordered and durable writer. It already applies every print
 * (`index_prints`) in the same stream-id order as the bets, so the filling print is read from the
 * segment in the bet's own transaction; a bet whose print is not stored yet is `held` — not
 * acknowledged, so it stays pending in the consumer group and survives a crash (redelivered at the
 * next start, where the same print gives the same verdict) — and applied again with a later batch.
 * Once decided, the verdict is committed with the bet row, so it is made exactly once.
 *
 * The verdict is a pure function of the entry and the stored prints, except when no print after
 * `placedAt` exists at all: when every print stamped by `placedAt + timeoutMs` has been read (a read
 * that drained `tap:prices` started more than PUBLISH_LAG_MS_MAX after it), the bet is refused
 * `price_stale` (a stalled feed, the breaker open). A filling print later than
 * `placedAt + timeoutMs` is refused the same way, whenever it is seen.
 *
 * A refused fill moves no money and stores the bet `rejected` with the code (like
 * `insufficient_funds`): the stake reservation and the exposure are released. An accepted fill
 * debits the stake, stores the fill's multiplier and terms (`entry: 'next_print'`), and gives back
 * the reserved exposure it did not need.
 */
import { type BetEntry, payoutMicros, type Terms } from '@tap/domain';
import { betTermsOf, checkPlaceable } from '@tap/pricing';
import type { ApplyContext, RejectionCode } from './verdict.js';

type NextPrintBet = BetEntry & { nextPrint: NonNullable<BetEntry['nextPrint']> };

export function isNextPrint(bet: BetEntry): bet is NextPrintBet {
  return bet.nextPrint !== undefined;
}

/** What pricing the bet at its next print decided: the bet as it is stored, or why it is refused. */
export type Fill =
  | { kind: 'held' }
  | { kind: 'filled'; bet: BetEntry }
  | { kind: 'refused'; code: Exclude<RejectionCode, 'insufficient_funds'>; bet: BetEntry };

const WAIT: Fill = { kind: 'held' };

/**
 * How long after its own time a print may still be appended to `tap:prices` (price-ingest stamps
 * `t`, then XADDs): a read that drained the stream this long after the deadline has seen every
 * print stamped before it. Admission refuses prints older than 500 ms anyway.
 */
const PUBLISH_LAG_MS_MAX = 1_000;

export function fillOf(ctx: ApplyContext, bet: NextPrintBet): Fill {
  const { pricing, fillTimeoutMs: timeoutMs } = ctx.betRules;
  // A wallet's longer fill delay (tapctl delay): the n-th print, with n times the time to come.
  const n = bet.nextPrint.delayPrints ?? 1;
  const print = ctx.bets.printAfter(bet.placedAt, n);
  const deadline = bet.placedAt + n * timeoutMs;
  if (print === undefined) {
    // Refused on the clock only when no unread print could still fill it (a backlog after a restart
    // is not a stalled feed).
    const readAtMs = ctx.pricesReadAtMs;
    const stalled = readAtMs !== null && readAtMs > deadline + PUBLISH_LAG_MS_MAX;
    return stalled ? { kind: 'refused', code: 'price_stale', bet } : WAIT;
  }
  if (print.t > deadline) return { kind: 'refused', code: 'price_stale', bet };
  // Placeability was decided at receipt (SPEC §3; bet-bounds.ts refuses a bet not placeable then);
  // τ1 is taken at the filling print. The rest of the quote is the print's and the cell's alone:
  // the bets one print fills share it per cell (print-quote-memo.ts).
  if (!checkPlaceable({ t0: bet.t0, p0: bet.p0, nowMs: bet.placedAt }, pricing).ok)
    return { kind: 'refused', code: 'cell_not_offered', bet };
  const quote = ctx.fillQuotes.get(print.id, `${bet.t0}|${bet.p0}`, () =>
    betTermsOf(bet, print, bet.placedAt, pricing, 'next_print'),
  );
  if (!quote.ok) return { kind: 'refused', code: 'cell_not_offered', bet };
  const terms = quote.terms as Terms;
  const priced: BetEntry = { ...bet, multiplierBp: terms.multiplierBp, terms };
  const tooLow = terms.multiplierBp < bet.nextPrint.minMultiplierBp;
  // Above the reservation the booked exposure would not cover the payout: refused, not capped, so
  // the terms always explain the multiplier.
  const tooHigh = terms.multiplierBp > bet.multiplierBp;
  if (tooLow || tooHigh) return { kind: 'refused', code: 'quote_moved', bet: priced };
  return { kind: 'filled', bet: priced };
}

/** The exposure a filled bet gives back: reserved potential payout − the fill's. */
export function trueUp(reserved: BetEntry, filled: BetEntry) {
  const unused =
    payoutMicros(reserved.stakeMicros, reserved.multiplierBp) -
    payoutMicros(filled.stakeMicros, filled.multiplierBp);
  return {
    type: 'exposure_trueup' as const,
    userId: filled.userId,
    t0: filled.t0,
    p0: filled.p0,
    payoutMicros: unused,
  };
}
