/**
 * Applies the resolver's verdict on an open bet (SPEC §4): won credits the payout
 * floor(stake × M / 10 000) (`bet_payout`), lost moves no money, void refunds the stake
 * (`bet_refund`). The bet row gets its status, payout, evidence and settlement time, and its
 * exposure is released. Only an `accepted` bet is settled: a settled one is a redelivery.
 */
import { type EventEntry, payoutMicros, type SettlementEntry } from '@tap/domain';
import type { BetRow, Settled } from '../storage/bet-store.js';
import { type ApplyContext, applied, DUPLICATE, type Effect, refused, type Verdict } from './verdict.js';

export function applySettlement(ctx: ApplyContext, settlement: SettlementEntry): Verdict {
  const bet = ctx.bets.get(settlement.betId);
  if (bet === undefined) return refused('bet_not_found');
  if (bet.status === 'rejected') return refused('bet_not_open');
  if (bet.status !== 'accepted') return DUPLICATE;
  const { settled, balanceMicros, creditMicros } = settle(ctx, bet, settlement);
  ctx.bets.settle(bet.id, settled);
  const effects: Effect[] = [
    {
      type: 'exposure_release',
      userId: bet.userId,
      t0: bet.t0,
      p0: bet.p0,
      payoutMicros: payoutMicros(bet.stakeMicros, bet.multiplierBp),
    },
  ];
  if (creditMicros > 0)
    effects.push({ type: 'balance_delta', userId: bet.userId, deltaMicros: creditMicros });
  const event: EventEntry = {
    type: 'bet',
    userId: bet.userId,
    betId: bet.id,
    status: settled.status,
    balanceMicros,
  };
  if (settled.status === 'won') event.payoutMicros = settled.payoutMicros;
  if (settled.reason !== null) event.reason = settled.reason;
  return applied([event], effects);
}

function settle(ctx: ApplyContext, bet: BetRow, s: SettlementEntry) {
  const base = { evidence: s.evidence, settledAt: s.settledAt };
  if (s.outcome === 'won') {
    const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
    const credit = ctx.ledger.credit(bet.userId, payout, 'bet_payout', bet.id, ctx.nowMs);
    const settled: Settled = { ...base, status: 'won', reason: null, payoutMicros: payout };
    return { settled, balanceMicros: credit.balanceAfter, creditMicros: payout };
  }
  if (s.outcome === 'void') {
    const credit = ctx.ledger.credit(bet.userId, bet.stakeMicros, 'bet_refund', bet.id, ctx.nowMs);
    const settled: Settled = { ...base, status: 'void', reason: voidReason(s), payoutMicros: 0 };
    return { settled, balanceMicros: credit.balanceAfter, creditMicros: bet.stakeMicros };
  }
  const settled: Settled = { ...base, status: 'lost', reason: null, payoutMicros: 0 };
  return { settled, balanceMicros: ctx.ledger.balanceOf(bet.userId), creditMicros: 0 };
}

/** The evidence of a void names its reason (SPEC §4); `void` when the resolver gave none. */
function voidReason(s: SettlementEntry): string {
  const reason = s.evidence['reason'];
  return typeof reason === 'string' && reason.length > 0 ? reason.slice(0, 200) : 'void';
}
