import { aBet, anAdjustment, aPrint, aSettlement, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerProblems, ledgerRows, openTestSegment, type TestSegment } from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet } from './apply-bet.js';
import { applyPrint } from './apply-print.js';
import { applySettlement } from './apply-settlement.js';

describe('applySettlement', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros: 10_000_000 })));
  });
  afterEach(() => s.close());

  /** An accepted $2 bet at 2.35×. */
  const openBet = () => {
    const bet = aBet({ stakeMicros: 2_000_000, multiplierBp: 23_500 });
    s.tx(() => applyBet(s.ctx, bet, bet.placedAt));
    return bet;
  };
  const betRow = (id: string) =>
    s.db
      .prepare('SELECT status, reason, payout, evidence, settled_at AS settledAt FROM bets WHERE id = ?')
      .get(id);

  it('pays floor(stake × M / 10 000) on a win and records the evidence', () => {
    const bet = openBet();
    const settlement = aSettlement({ betId: bet.betId, outcome: 'won' });
    const verdict = s.tx(() => applySettlement(s.ctx, settlement));
    expect(verdict).toEqual({
      kind: 'applied',
      events: [
        {
          type: 'bet',
          userId: TEST_USER,
          betId: bet.betId,
          status: 'won',
          payoutMicros: 4_700_000,
          balanceMicros: 12_700_000,
        },
      ],
      effects: [
        { type: 'exposure_release', userId: TEST_USER, t0: bet.t0, p0: bet.p0, payoutMicros: 4_700_000 },
        { type: 'balance_delta', userId: TEST_USER, deltaMicros: 4_700_000 },
      ],
    });
    expect(betRow(bet.betId)).toEqual({
      status: 'won',
      reason: null,
      payout: 4_700_000,
      evidence: JSON.stringify(settlement.evidence),
      settledAt: settlement.settledAt,
    });
    expect(ledgerRows(s.db).at(-1)).toMatchObject({
      refType: 'bet_payout',
      refId: bet.betId,
      amount: 4_700_000,
    });
  });

  it('moves no money on a loss', () => {
    const bet = openBet();
    const verdict = s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'lost' })));
    expect(verdict).toMatchObject({ events: [{ status: 'lost', balanceMicros: 8_000_000 }] });
    expect(verdict).toMatchObject({ effects: [{ type: 'exposure_release' }] });
    expect(ledgerRows(s.db)).toHaveLength(2);
    expect(betRow(bet.betId)).toMatchObject({ status: 'lost', payout: 0 });
  });

  it('refunds the stake on a void and keeps its reason', () => {
    const bet = openBet();
    const settlement = aSettlement({
      betId: bet.betId,
      outcome: 'void',
      evidence: { reason: 'breaker_open' },
    });
    const verdict = s.tx(() => applySettlement(s.ctx, settlement));
    expect(verdict).toMatchObject({
      events: [{ status: 'void', reason: 'breaker_open', balanceMicros: 10_000_000 }],
    });
    expect(ledgerRows(s.db).at(-1)).toMatchObject({ refType: 'bet_refund', amount: 2_000_000 });
    expect(betRow(bet.betId)).toMatchObject({ status: 'void', reason: 'breaker_open' });
  });

  it('settles a bet once', () => {
    const bet = openBet();
    s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'won' })));
    expect(s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'won' })))).toEqual({
      kind: 'duplicate',
    });
    expect(s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome: 'void' })))).toEqual({
      kind: 'duplicate',
    });
    expect(s.ledger.balanceOf(TEST_USER)).toBe(12_700_000);
  });

  it('refuses a settlement of an unknown or rejected bet', () => {
    expect(s.tx(() => applySettlement(s.ctx, aSettlement({ betId: aBet().betId })))).toEqual({
      kind: 'refused',
      code: 'bet_not_found',
    });
    const rejected = aBet({ stakeMicros: 50_000_000 });
    s.tx(() => applyBet(s.ctx, rejected, rejected.placedAt));
    expect(s.tx(() => applySettlement(s.ctx, aSettlement({ betId: rejected.betId })))).toEqual({
      kind: 'refused',
      code: 'bet_not_open',
    });
  });

  it('keeps balance == SUM(ledger) through bets, wins, losses and voids', () => {
    for (const outcome of ['won', 'lost', 'void', 'won'] as const) {
      const bet = openBet();
      s.tx(() => applySettlement(s.ctx, aSettlement({ betId: bet.betId, outcome })));
    }
    expect(ledgerProblems(s.db)).toEqual([]);
    expect(s.ledger.balanceOf(TEST_USER)).toBe(10_000_000 + 2 * 2_700_000 - 2_000_000);
  });
});

describe('applyPrint', () => {
  it('stores a print once', () => {
    const s = openTestSegment();
    try {
      const print = aPrint();
      expect(s.tx(() => applyPrint(s.ctx, print))).toEqual({ kind: 'applied', events: [], effects: [] });
      expect(s.tx(() => applyPrint(s.ctx, print))).toEqual({ kind: 'duplicate' });
      expect(s.db.prepare('SELECT price_cents FROM index_prints WHERE id = ?').pluck().get(print.id)).toBe(
        print.priceCents,
      );
    } finally {
      s.close();
    }
  });

  it('records whether the print was simulated (settlement evidence says demo or market)', () => {
    const s = openTestSegment();
    try {
      const real = aPrint({ simulated: false });
      const demo = aPrint({ simulated: true });
      s.tx(() => applyPrint(s.ctx, real));
      s.tx(() => applyPrint(s.ctx, demo));
      const simulatedOf = s.db.prepare('SELECT simulated FROM index_prints WHERE id = ?').pluck();
      expect([simulatedOf.get(real.id), simulatedOf.get(demo.id)]).toEqual([0, 1]);
    } finally {
      s.close();
    }
  });
});
