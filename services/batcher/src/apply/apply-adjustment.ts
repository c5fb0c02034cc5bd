/**
 * Applies a deposit, withdrawal or operator adjustment (`tap:adjustments`, written by tapctl):
 * deposit +amount (must be positive), withdrawal −|amount|, adjustment the signed amount. Every
 * debit is conditional; an overdraw is refused (dead-lettered as `insufficient_funds`) and moves
 * nothing. Idempotent by `(ref_type, ref_id = adjustmentId)`.
 *
 * Only an entry whose MAC verifies with the operator key moves money (anything that can write to
 * Redis could otherwise credit itself): a forged or unsigned one is refused as
 * `adjustment_unauthenticated` and dead-lettered. The operator and reason go to `operator_actions`
 * with the ledger row's id, in the same transaction.
 */
import { type AdjustmentEntry, verifyOperatorEntry } from '@tap/domain';
import { type ApplyContext, applied, DUPLICATE, refused, type Verdict } from './verdict.js';

export function applyAdjustment(ctx: ApplyContext, adjustment: AdjustmentEntry): Verdict {
  if (!verifyOperatorEntry('adjustments', adjustment, ctx.operatorKeyHex)) {
    return refused('adjustment_unauthenticated');
  }
  const { userId, kind: refType, adjustmentId: refId } = adjustment;
  if (ctx.ledger.hasRef(refType, refId)) return DUPLICATE;
  const signed = signedAmount(adjustment);
  if (signed === undefined) return refused('deposit_not_positive');
  const move =
    signed > 0
      ? ctx.ledger.credit(userId, signed, refType, refId, ctx.nowMs)
      : ctx.ledger.debit(userId, -signed, refType, refId, ctx.nowMs);
  if (!move.ok) return refused(move.code);
  ctx.operators.record({
    action: refType,
    actionId: refId,
    target: userId,
    amountMicros: signed,
    ledgerId: move.ledgerId,
    operator: adjustment.operator,
    reason: adjustment.reason,
    requestedAt: adjustment.requestedAt,
    appliedAt: ctx.nowMs,
  });
  return applied(
    [{ type: 'balance', userId, balanceMicros: move.balanceAfter, refType, refId }],
    [{ type: 'balance_delta', userId, deltaMicros: signed }],
  );
}

function signedAmount({ kind, amountMicros }: AdjustmentEntry): number | undefined {
  if (kind === 'deposit') return amountMicros > 0 ? amountMicros : undefined;
  if (kind === 'withdrawal') return -Math.abs(amountMicros);
  return amountMicros;
}
