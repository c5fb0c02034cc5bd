import { anAdjustment, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerProblems, ledgerRows, openTestSegment, type TestSegment } from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';

describe('applyAdjustment', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
  });
  afterEach(() => s.close());

  const apply = (overrides: Parameters<typeof anAdjustment>[0]) =>
    s.tx(() => applyAdjustment(s.ctx, anAdjustment(overrides)));

  it('credits a deposit, creating the user, and emits a balance event', () => {
    const verdict = apply({ adjustmentId: 'dep-1', kind: 'deposit', amountMicros: 5_000_000 });
    expect(verdict).toEqual({
      kind: 'applied',
      events: [
        { type: 'balance', userId: TEST_USER, balanceMicros: 5_000_000, refType: 'deposit', refId: 'dep-1' },
      ],
      effects: [{ type: 'balance_delta', userId: TEST_USER, deltaMicros: 5_000_000 }],
    });
  });

  it('debits a withdrawal whatever the sign of its amount', () => {
    apply({ kind: 'deposit', amountMicros: 5_000_000 });
    apply({ kind: 'withdrawal', amountMicros: 1_000_000 });
    const verdict = apply({ kind: 'withdrawal', amountMicros: -1_500_000 });
    expect(verdict).toMatchObject({ kind: 'applied', effects: [{ deltaMicros: -1_500_000 }] });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(2_500_000);
    expect(ledgerRows(s.db).map((r) => [r.refType, r.amount])).toEqual([
      ['deposit', 5_000_000],
      ['withdrawal', -1_000_000],
      ['withdrawal', -1_500_000],
    ]);
  });

  it('applies a signed operator adjustment both ways', () => {
    apply({ kind: 'adjustment', amountMicros: 3_000_000 });
    apply({ kind: 'adjustment', amountMicros: -1_000_000 });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(2_000_000);
  });

  it('refuses an overdrawing withdrawal or adjustment with insufficient_funds and moves nothing', () => {
    apply({ kind: 'deposit', amountMicros: 1_000_000 });
    expect(apply({ kind: 'withdrawal', amountMicros: 1_000_001 })).toEqual({
      kind: 'refused',
      code: 'insufficient_funds',
    });
    expect(apply({ kind: 'adjustment', amountMicros: -2_000_000 })).toMatchObject({
      code: 'insufficient_funds',
    });
    expect(apply({ kind: 'withdrawal', amountMicros: 1, userId: `0x${'b'.repeat(40)}` })).toMatchObject({
      code: 'insufficient_funds',
    });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(1_000_000);
    expect(ledgerRows(s.db)).toHaveLength(1);
  });

  it('refuses a deposit of a negative amount', () => {
    expect(apply({ kind: 'deposit', amountMicros: -5 })).toEqual({
      kind: 'refused',
      code: 'deposit_not_positive',
    });
  });

  it('refuses a credit that would take a balance beyond 2^53 − 1 and moves nothing', () => {
    apply({ kind: 'deposit', amountMicros: Number.MAX_SAFE_INTEGER - 1 });
    expect(() => apply({ kind: 'deposit', amountMicros: 2 })).toThrow(/would exceed 2\^53/);
    expect(s.ledger.balanceOf(TEST_USER)).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(ledgerRows(s.db)).toHaveLength(1);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('applies an adjustment id once', () => {
    apply({ adjustmentId: 'same', amountMicros: 1_000_000 });
    expect(apply({ adjustmentId: 'same', amountMicros: 1_000_000 })).toEqual({ kind: 'duplicate' });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(1_000_000);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('refuses an adjustment whose MAC does not verify and moves nothing', () => {
    const forged = { ...anAdjustment({ amountMicros: 1_000_000 }), amountMicros: 1_000_000_000 };
    expect(s.tx(() => applyAdjustment(s.ctx, forged))).toEqual({
      kind: 'refused',
      code: 'adjustment_unauthenticated',
    });
    expect(apply({ mac: '0'.repeat(64) })).toMatchObject({ code: 'adjustment_unauthenticated' });
    const otherKey = { ...s.ctx, operatorKeyHex: 'ab'.repeat(32) };
    expect(s.tx(() => applyAdjustment(otherKey, anAdjustment()))).toMatchObject({
      code: 'adjustment_unauthenticated',
    });
    expect(ledgerRows(s.db)).toHaveLength(0);
    expect(s.db.prepare('SELECT count(*) FROM operator_actions').pluck().get()).toBe(0);
  });

  it('records who, why and when of every movement with its ledger row', () => {
    apply({
      adjustmentId: 'fix-1',
      kind: 'adjustment',
      amountMicros: 2_500_000,
      operator: 'alice',
      reason: 'ticket 7',
      requestedAt: 1_000,
    });
    const row = s.db
      .prepare(
        `SELECT a.action, a.action_id AS actionId, a.target, a.amount, a.operator, a.reason,
           a.requested_at AS requestedAt, a.applied_at AS appliedAt, l.ref_type AS refType, l.amount AS ledgerAmount
         FROM operator_actions a JOIN transaction_ledger l ON l.id = a.ledger_id`,
      )
      .get();
    expect(row).toEqual({
      action: 'adjustment',
      actionId: 'fix-1',
      target: TEST_USER,
      amount: 2_500_000,
      operator: 'alice',
      reason: 'ticket 7',
      requestedAt: 1_000,
      appliedAt: s.ctx.nowMs,
      refType: 'adjustment',
      ledgerAmount: 2_500_000,
    });
  });
});
