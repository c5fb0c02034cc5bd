/**
 * Applies a bet admitted by ingest-api (SPEC §6.3): the stake is debited conditionally; if SQLite
 * holds less than the Redis cache believed (drift), the bet is stored as `rejected` with
 * `insufficient_funds` and its reservation and exposure are released. A bet id already in SQLite
 * is a redelivery and changes nothing.
 */
import { type BetEntry, type EventEntry, payoutMicros } from '@tap/domain';
import { type ApplyContext, applied, DUPLICATE, type Effect, type Verdict } from './verdict.js';

export function applyBet(ctx: ApplyContext, bet: BetEntry): Verdict {
  if (ctx.bets.exists(bet.betId)) return DUPLICATE;
  const debit = ctx.ledger.debit(bet.userId, bet.stakeMicros, 'bet_stake', bet.betId, ctx.nowMs);
  if (debit.ok) {
    ctx.bets.insert(bet, 'accepted', null);
    const { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp } = bet;
    const event = {
      ...betEvent(bet, 'accepted', debit.balanceAfter),
      bet: { t0, p0, windowMs, bandCents, stakeMicros, multiplierBp },
    };
    return applied([event], [{ type: 'pending_cleared', betId: bet.betId }]);
  }
  ctx.bets.insert(bet, 'rejected', debit.code);
  return {
    kind: 'rejected',
    code: debit.code,
    events: [{ ...betEvent(bet, 'rejected', debit.balance), reason: debit.code }],
    effects: [...releaseReservation(bet), { type: 'balance_resync', userId: bet.userId }],
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
