/**
 * Applies an operator action (`tap:operator`, written by tapctl). Every accepted action gets its
 * audit row in `operator_actions`; only `void` moves money here: the stake of a still-open bet is
 * refunded exactly as a resolver void would (reason `operator_void`, the operator and note in the
 * evidence). A void of a bet already settled or rejected is refused (`bet_not_open`): the first
 * final state wins. halt/resume, freeze/unfreeze and the dlq actions took effect in Redis when tapctl
 * queued them (in the same MULTI); the batcher records them.
 *
 * An entry whose MAC does not verify is refused (`operator_entry_unauthenticated`) and changes
 * nothing, audit included.
 */
import { type OperatorEntry, verifyOperatorEntry } from '@tap/domain';
import { applySettlement } from './apply-settlement.js';
import { type ApplyContext, DUPLICATE, refused, type Verdict } from './verdict.js';

export function applyOperatorAction(ctx: ApplyContext, entry: OperatorEntry): Verdict {
  if (!verifyOperatorEntry('operator', entry, ctx.operatorKeyHex)) {
    return refused('operator_entry_unauthenticated');
  }
  if (ctx.operators.has(entry.action, entry.actionId)) return DUPLICATE;
  let verdict: Verdict = { kind: 'applied', events: [], effects: [] };
  let amountMicros: number | null = null;
  let ledgerId: number | null = null;
  if (entry.action === 'void') {
    const bet = ctx.bets.get(entry.target);
    if (bet === undefined) return refused('bet_not_found');
    if (bet.status !== 'accepted') return refused('bet_not_open');
    verdict = applySettlement(ctx, {
      betId: bet.id,
      outcome: 'void',
      evidence: {
        reason: 'operator_void',
        operator: entry.operator,
        note: entry.reason,
        actionId: entry.actionId,
      },
      settledAt: ctx.nowMs,
    });
    amountMicros = bet.stakeMicros;
    ledgerId = ctx.ledger.head().id;
  }
  ctx.operators.record({
    action: entry.action,
    actionId: entry.actionId,
    target: entry.target,
    amountMicros,
    ledgerId,
    operator: entry.operator,
    reason: entry.reason,
    requestedAt: entry.requestedAt,
    appliedAt: ctx.nowMs,
  });
  return verdict;
}
