/**
 * The batcher's own dead-man safety net (SPEC §4, issue 18). The resolver voids a bet it could not
 * settle by `t0 + W + 60 s`; if the resolver is down that never happens and the stake and exposure
 * stay locked. So the batcher, which needs nothing but its own segment, voids and refunds every bet
 * still open `60 s + grace` after its window ended. It goes through the same settlement path as the
 * resolver's verdicts, so the first final state wins: a late resolver settlement for a swept bet is
 * a duplicate (nothing changes), and a bet the resolver settled is no longer open here.
 */
import { applySettlement } from './apply-settlement.js';
import type { ApplyContext, Verdict } from './verdict.js';

/** SPEC §4: a bet not settled by t0 + W + 60 s is void. */
export const SETTLEMENT_DEADLINE_MS = 60_000;
/** Bets voided per sweep transaction; after a full one the next runs after the next batch (consumer.ts). */
export const SWEEP_BETS_MAX = 1_000;

export function sweepOverdue(ctx: ApplyContext, graceMs: number): Verdict[] {
  const afterEndMs = SETTLEMENT_DEADLINE_MS + graceMs;
  return ctx.bets.overdue(ctx.nowMs, afterEndMs, SWEEP_BETS_MAX).map((bet) =>
    applySettlement(ctx, {
      betId: bet.id,
      outcome: 'void',
      evidence: {
        reason: 'deadline',
        deadlineMs: bet.t0 + bet.windowMs + SETTLEMENT_DEADLINE_MS,
        sweptBy: 'batcher',
        graceMs,
      },
      settledAt: ctx.nowMs,
    }),
  );
}
