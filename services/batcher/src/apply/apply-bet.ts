/**
 * Applies a bet admitted by ingest-api (SPEC §6.3): the stake is debited conditionally; if SQLite
 * holds less than the Redis cache believed (drift), the bet is stored as `rejected` with
 * `insufficient_funds` and its reservation and exposure are released. A bet id already in SQLite
 * is a redelivery and changes nothing. A bet outside the admission bounds (bet-bounds.ts) moves no
 * money: it is dead-lettered, its owner is told it was rejected, its pending marker is dropped and
 * the owner's cached balance is recomputed from SQLite (which releases a reservation if admission
 * made one and grants nothing if the entry was forged). Its exposure stays booked until its keys
 * expire: releasing exposure a forged entry never booked would hand out room.
 *
 * A next-tick bet (`nextPrint`, fill.ts) is priced first: held until its print is stored, stored
 * `rejected` when its fill is refused, else debited and stored with the fill's terms; its `accepted`
 * event names the fill print (`fillPrint`), so clients can time fill print → accepted.
 */
import { type BetEntry, type EventEntry, fillPrintOf, payoutMicros } from '@tap/domain';
import { brokenBetBound } from './bet-bounds.js';
import { fillOf, isNextPrint, trueUp } from './fill.js';
import { type ApplyContext, applied, DUPLICATE, type Effect, HELD, type Verdict } from './verdict.js';

/** `appendedAtMs`: the Redis time the entry was appended (its stream id). */
export function applyBet(ctx: ApplyContext, bet: BetEntry, appendedAtMs: number): Verdict {
  if (ctx.bets.exists(bet.betId)) return DUPLICATE;
  const broken = brokenBetBound(bet, appendedAtMs, ctx.betRules);
  if (broken !== null) {
    const reason = 'bet_out_of_bounds';
    return {
      kind: 'out_of_bounds',
      code: `${reason}: ${broken}`,
      events: [{ ...betEvent(bet, 'rejected', ctx.ledger.balanceOf(bet.userId)), reason }],
      effects: [
        { type: 'pending_cleared', betId: bet.betId },
        { type: 'balance_resync', userId: bet.userId },
      ],
    };
  }
  if (!isNextPrint(bet)) return debitAndStore(ctx, bet, bet);
  const fill = fillOf(ctx, bet);
  if (fill.kind === 'held') return HELD;
  if (fill.kind === 'filled') return debitAndStore(ctx, bet, fill.bet);
  // Refused: stored with what priced it (when it was priced) and the code; the reservation made at
  // admission (the entry's multiplier) is what is released.
  ctx.bets.insert(fill.bet, 'rejected', fill.code);
  return {
    kind: 'rejected',
    code: fill.code,
    events: [{ ...betEvent(bet, 'rejected', ctx.ledger.balanceOf(bet.userId)), reason: fill.code }],
    effects: releaseReservation(bet),
  };
}

/**
 * Debits the stake and stores `bet` accepted (`admitted` is the entry as admitted: its multiplier is
 * the exposure reserved, which a next-tick fill trues up), or stores it rejected on drift.
 */
function debitAndStore(ctx: ApplyContext, admitted: BetEntry, bet: BetEntry): Verdict {
  const debit = ctx.ledger.debit(bet.userId, bet.stakeMicros, 'bet_stake', bet.betId, ctx.nowMs);
  if (debit.ok) {
    ctx.bets.insert(bet, 'accepted', null);
    const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = bet;
    const fillPrint = fillPrintOf(t0, bet.terms);
    const event: BetEvent = {
      ...betEvent(bet, 'accepted', debit.balanceAfter),
      bet: { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp },
    };
    if (fillPrint !== undefined) event.fillPrint = fillPrint;
    const effects: Effect[] = [{ type: 'pending_cleared', betId: bet.betId }];
    if (admitted !== bet) effects.push(trueUp(admitted, bet));
    return applied([event], effects);
  }
  ctx.bets.insert(bet, 'rejected', debit.code);
  return {
    kind: 'rejected',
    code: debit.code,
    events: [{ ...betEvent(bet, 'rejected', debit.balance), reason: debit.code }],
    effects: [...releaseReservation(admitted), { type: 'balance_resync', userId: bet.userId }],
  };
}

/**
 * Gives back what admission reserved for a bet that will never be open (its stake and exposure)
 * and drops its pending marker.
 */
export function releaseReservation(bet: BetEntry): Effect[] {
  return [
    { type: 'pending_cleared', betId: bet.betId },
    { type: 'balance_delta', userId: bet.userId, deltaMicros: bet.stakeMicros },
    {
      type: 'exposure_release',
      userId: bet.userId,
      t0: bet.t0,
      p0: bet.p0,
      payoutMicros: payoutMicros(bet.stakeMicros, bet.multiplierBp),
    },
  ];
}

type BetEvent = Extract<EventEntry, { type: 'bet' }>;

function betEvent(bet: BetEntry, status: 'accepted' | 'rejected', balanceMicros: number): BetEvent {
  return { type: 'bet', userId: bet.userId, betId: bet.betId, status, balanceMicros };
}
