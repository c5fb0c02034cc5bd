import { aBet, anAdjustment, aSettlement, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerProblems, openTestSegment, type TestSegment } from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet } from './apply-bet.js';
import { applySettlement } from './apply-settlement.js';
import { SETTLEMENT_DEADLINE_MS, sweepOverdue } from './dead-man-sweep.js';

const GRACE_MS = 30_000;

describe('the dead-man sweep', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros: 10_000_000 })));
  });
  afterEach(() => s.close());

  const bet = aBet({ stakeMicros: 2_000_000 });
  const due = bet.t0 + bet.windowMs + SETTLEMENT_DEADLINE_MS + GRACE_MS;
  const sweepAt = (nowMs: number) => s.tx(() => sweepOverdue({ ...s.ctx, nowMs }, GRACE_MS));
  const status = () => s.db.prepare('SELECT status, reason FROM bets WHERE id = ?').get(bet.betId);

  beforeEach(() => {
    s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
  });

  it('leaves a bet alone until its deadline plus the grace has passed', () => {
    expect(sweepAt(due - 1)).toEqual([]);
    expect(status()).toEqual({ status: 'accepted', reason: null });
  });

  it('voids and refunds a bet nobody settled; a late settlement then changes nothing', () => {
    const [verdict] = sweepAt(due);
    expect(verdict).toMatchObject({ kind: 'applied', events: [{ status: 'void', reason: 'deadline' }] });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(10_000_000);
    const late = s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'won' })));
    expect(late).toEqual({ kind: 'duplicate' });
    expect(status()).toEqual({ status: 'void', reason: 'deadline' });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(10_000_000);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('does not touch a bet the resolver settled first', () => {
    s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'won' })));
    const balance = s.ledger.balanceOf(TEST_USER);
    expect(sweepAt(due + 3_600_000)).toEqual([]);
    expect(status()).toEqual({ status: 'won', reason: null });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(balance);
  });
});
