import { GENESIS_HASH } from '@tap/domain';
import { aBet, anAdjustment, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_APPENDED_MS,
  ledgerProblems,
  ledgerRows,
  openTestSegment,
  type TestSegment,
} from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet } from './apply-bet.js';

describe('applyBet', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
  });
  afterEach(() => s.close());

  const deposit = (amountMicros: number) =>
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros })));

  it('debits the stake, stores the accepted bet and chains a bet_stake ledger row', () => {
    deposit(10_000_000);
    const bet = aBet({ stakeMicros: 2_500_000 });
    const verdict = s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
    expect(verdict).toEqual({
      kind: 'applied',
      events: [
        {
          type: 'bet',
          userId: TEST_USER,
          betId: bet.betId,
          status: 'accepted',
          balanceMicros: 7_500_000,
          bet: {
            t0: bet.t0,
            p0: bet.p0,
            windowMs: 5_000,
            bandCents: 1_000,
            stakeMicros: 2_500_000,
            multiplierBp: 20_000,
          },
        },
      ],
      effects: [{ type: 'pending_cleared', betId: bet.betId }],
    });
    const rows = ledgerRows(s.db);
    expect(rows.map((r) => [r.refType, r.amount, r.balanceAfter])).toEqual([
      ['deposit', 10_000_000, 10_000_000],
      ['bet_stake', -2_500_000, 7_500_000],
    ]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    const row = s.db.prepare('SELECT status, stake, terms FROM bets WHERE id = ?').get(bet.betId);
    expect(row).toEqual({ status: 'accepted', stake: 2_500_000, terms: JSON.stringify(bet.terms) });
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('rejects a bet SQLite cannot fund with insufficient_funds and releases its reservation', () => {
    deposit(1_000_000);
    const bet = aBet({ stakeMicros: 2_000_000, multiplierBp: 30_000 });
    const verdict = s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
    expect(verdict).toMatchObject({
      kind: 'rejected',
      code: 'insufficient_funds',
      events: [{ status: 'rejected', reason: 'insufficient_funds', balanceMicros: 1_000_000 }],
      effects: [
        { type: 'pending_cleared', betId: bet.betId },
        { type: 'balance_delta', userId: TEST_USER, deltaMicros: 2_000_000 },
        { type: 'exposure_release', userId: TEST_USER, t0: bet.t0, p0: bet.p0, payoutMicros: 6_000_000 },
        { type: 'balance_resync', userId: TEST_USER },
      ],
    });
    expect(s.db.prepare('SELECT status, reason FROM bets').get()).toEqual({
      status: 'rejected',
      reason: 'insufficient_funds',
    });
    expect(ledgerRows(s.db)).toHaveLength(1);
    expect(s.ledger.balanceOf(TEST_USER)).toBe(1_000_000);
  });

  it('rejects a bet of a user who never had a ledger entry', () => {
    const verdict = s.tx(() => applyBet(s.ctx, aBet(), FIXTURE_APPENDED_MS));
    expect(verdict).toMatchObject({ kind: 'rejected', events: [{ balanceMicros: 0 }] });
    expect(s.db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(0);
  });

  it('changes nothing when a bet is delivered again', () => {
    deposit(10_000_000);
    const bet = aBet();
    s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
    expect(s.tx(() => applyBet(s.ctx, bet, bet.placedAt))).toEqual({ kind: 'duplicate' });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(9_000_000);
    expect(ledgerRows(s.db)).toHaveLength(2);
  });
});
