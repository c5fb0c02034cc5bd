import { aBet, anAdjustment, anOperatorEntry, aSettlement, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerProblems, ledgerRows, openTestSegment, type TestSegment } from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet } from './apply-bet.js';
import { applyOperatorAction } from './apply-operator.js';
import { applySettlement } from './apply-settlement.js';

describe('applyOperatorAction', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros: 10_000_000 })));
  });
  afterEach(() => s.close());

  const openBet = () => {
    const bet = aBet({ stakeMicros: 2_000_000 });
    s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
    return bet;
  };
  const act = (overrides: Parameters<typeof anOperatorEntry>[0]) =>
    s.tx(() => applyOperatorAction(s.ctx, anOperatorEntry(overrides)));
  const audit = () =>
    s.db.prepare('SELECT action, target, amount, operator, reason FROM operator_actions ORDER BY id').all();

  it('voids an open bet, refunds its stake and audits it with the ledger row', () => {
    const bet = openBet();
    const verdict = act({ action: 'void', target: bet.betId, operator: 'bob', reason: 'stuck, ticket 9' });
    expect(verdict).toMatchObject({
      kind: 'applied',
      events: [
        { type: 'bet', betId: bet.betId, status: 'void', reason: 'operator_void', balanceMicros: 10_000_000 },
      ],
    });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(10_000_000);
    expect(ledgerRows(s.db).at(-1)).toMatchObject({
      refType: 'bet_refund',
      refId: bet.betId,
      amount: 2_000_000,
    });
    expect(audit().at(-1)).toEqual({
      action: 'void',
      target: bet.betId,
      amount: 2_000_000,
      operator: 'bob',
      reason: 'stuck, ticket 9',
    });
    const refundId = s.db
      .prepare("SELECT id FROM transaction_ledger WHERE ref_type = 'bet_refund'")
      .pluck()
      .get();
    expect(s.db.prepare("SELECT ledger_id FROM operator_actions WHERE action = 'void'").pluck().get()).toBe(
      refundId,
    );
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('refuses to void a settled bet: the first final state wins', () => {
    const bet = openBet();
    s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'lost' })));
    expect(act({ action: 'void', target: bet.betId })).toEqual({ kind: 'refused', code: 'bet_not_open' });
    expect(act({ action: 'void', target: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).toEqual({
      kind: 'refused',
      code: 'bet_not_found',
    });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(8_000_000);
  });

  it('refuses a forged operator entry and changes nothing, audit included', () => {
    const bet = openBet();
    expect(act({ action: 'void', target: bet.betId, mac: 'e'.repeat(64) })).toEqual({
      kind: 'refused',
      code: 'operator_entry_unauthenticated',
    });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(8_000_000);
    expect(audit()).toHaveLength(1); // the setup's deposit only
  });

  it('audits halt, freeze and dead-letter actions once each', () => {
    act({ actionId: 'h1', action: 'halt', reason: 'exchange outage' });
    act({ actionId: 'f1', action: 'freeze', target: TEST_USER, reason: 'fraud review' });
    expect(act({ actionId: 'f1', action: 'freeze', target: TEST_USER, reason: 'fraud review' })).toEqual({
      kind: 'duplicate',
    });
    act({ actionId: 'd1', action: 'dlq_discard', target: '1-0', reason: 'test entry' });
    expect(audit().slice(1)).toEqual([
      { action: 'halt', target: '', amount: null, operator: 'test-operator', reason: 'exchange outage' },
      {
        action: 'freeze',
        target: TEST_USER,
        amount: null,
        operator: 'test-operator',
        reason: 'fraud review',
      },
      { action: 'dlq_discard', target: '1-0', amount: null, operator: 'test-operator', reason: 'test entry' },
    ]);
  });
});
