import type { BetEntry, PrintEntry } from '@tap/domain';
import { betTermsOf, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { aBet, anAdjustment, aPrint, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerProblems, ledgerRows, openTestSegment, type TestSegment } from '../storage/test-segment.js';
import { applyAdjustment } from './apply-adjustment.js';
import { applyBet } from './apply-bet.js';
import { applyPrint } from './apply-print.js';

const PLACED_AT = 1_764_000_100_000;
const T0 = 1_764_000_110_000;

describe('applyBet, next-tick entry (fill.ts)', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
    s.tx(() => applyAdjustment(s.ctx, anAdjustment({ amountMicros: 10_000_000 })));
  });
  afterEach(() => s.close());

  /** A bet received at PLACED_AT, reserved at `reservedBp`, the trader's minimum `minBp`. */
  const nextTickBet = (reservedBp: number, minBp: number): BetEntry =>
    aBet({ placedAt: PLACED_AT, t0: T0, multiplierBp: reservedBp, nextPrint: { minMultiplierBp: minBp } });
  const store = (print: PrintEntry) => s.tx(() => applyPrint(s.ctx, print));
  const apply = (bet: BetEntry, nowMs = PLACED_AT + 50) =>
    s.tx(() => applyBet({ ...s.ctx, nowMs, pricesReadAtMs: nowMs }, bet, bet.placedAt));
  const fillPrint = (overrides: Partial<PrintEntry> = {}) =>
    aPrint({ t: PLACED_AT + 40, priceCents: 9_500_400, sigma: 0.0005, noise: 0.00006, ...overrides });
  const quoted = (bet: BetEntry, print: PrintEntry) => {
    const quote = betTermsOf(bet, print, bet.placedAt, DEFAULT_PRICING_CONFIG, 'next_print');
    if (!quote.ok) throw new Error('the fixture cell must be offered');
    return quote.terms;
  };
  const betRow = (betId: string) =>
    s.db.prepare('SELECT status, reason, multiplier_bp AS m, terms FROM bets WHERE id = ?').get(betId) as
      | { status: string; reason: string | null; m: number; terms: string }
      | undefined;

  it('holds the bet while no print after its receive time is stored, writing nothing', () => {
    store(fillPrint({ t: PLACED_AT - 60 }));
    store(fillPrint({ t: PLACED_AT }));
    const bet = nextTickBet(500_000, 10_500);
    expect(apply(bet)).toEqual({ kind: 'held' });
    expect(betRow(bet.betId)).toBeUndefined();
    expect(ledgerRows(s.db)).toHaveLength(1);
  });

  it('prices at the first print after the receive time with the admission function, debits and trues up', () => {
    const before = fillPrint({ t: PLACED_AT - 60, priceCents: 9_400_000 });
    const first = fillPrint({ t: PLACED_AT + 40 });
    const later = fillPrint({ t: PLACED_AT + 140, priceCents: 9_600_000 });
    for (const print of [before, later, first]) store(print);
    const bet = nextTickBet(500_000, 10_500);
    const terms = quoted(bet, first);
    const verdict = apply(bet);
    expect(verdict).toMatchObject({
      kind: 'applied',
      // The event names the fill print, so a client can time fill print → accepted (SPEC §12).
      events: [
        {
          status: 'accepted',
          bet: { multiplierBp: terms.multiplierBp },
          fillPrint: { id: first.id, t: first.t },
        },
      ],
    });
    expect(terms).toMatchObject({ printId: first.id, entry: 'next_print', tau1Ms: T0 - first.t });
    const reserved = 1_000_000 * 50;
    const filled = Math.floor((1_000_000 * terms.multiplierBp) / 10_000);
    expect(verdict).toMatchObject({
      effects: [
        { type: 'pending_cleared', betId: bet.betId },
        { type: 'exposure_trueup', userId: TEST_USER, payoutMicros: reserved - filled },
      ],
    });
    expect(betRow(bet.betId)).toEqual({
      status: 'accepted',
      reason: null,
      m: terms.multiplierBp,
      terms: JSON.stringify(terms),
    });
    expect(ledgerRows(s.db).map((r) => r.refType)).toEqual(['deposit', 'bet_stake']);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('refuses quote_moved below the trader minimum or above the reservation, moving no money', () => {
    const print = fillPrint();
    store(print);
    const m = quoted(nextTickBet(500_000, 10_500), print).multiplierBp;
    for (const bet of [nextTickBet(500_000, m + 1), nextTickBet(m - 1, 10_500)]) {
      const verdict = apply(bet);
      expect(verdict).toMatchObject({
        kind: 'rejected',
        code: 'quote_moved',
        events: [{ status: 'rejected', reason: 'quote_moved', balanceMicros: 10_000_000 }],
      });
      expect(verdict).toMatchObject({
        effects: [
          { type: 'pending_cleared' },
          { type: 'balance_delta', deltaMicros: 1_000_000 },
          { type: 'exposure_release', payoutMicros: Math.floor((1_000_000 * bet.multiplierBp) / 10_000) },
        ],
      });
      expect(betRow(bet.betId)).toMatchObject({ status: 'rejected', reason: 'quote_moved', m });
    }
    expect(ledgerRows(s.db)).toHaveLength(1);
  });

  it('refuses price_stale when the first print comes after the timeout, or none by the deadline', () => {
    const late = nextTickBet(500_000, 10_500);
    store(fillPrint({ t: PLACED_AT + s.ctx.betRules.fillTimeoutMs + 1 }));
    expect(apply(late)).toMatchObject({ kind: 'rejected', code: 'price_stale' });
    const never = aBet({
      placedAt: PLACED_AT + 5_000,
      t0: T0,
      multiplierBp: 500_000,
      nextPrint: { minMultiplierBp: 10_500 },
    });
    expect(apply(never, never.placedAt + 100)).toEqual({ kind: 'held' });
    const deadline = never.placedAt + s.ctx.betRules.fillTimeoutMs;
    // Past the deadline with prints still unread (a backlog after a restart): held, not refused.
    const unread = { ...s.ctx, nowMs: deadline + 5_000, pricesReadAtMs: null };
    expect(s.tx(() => applyBet(unread, never, never.placedAt))).toEqual({ kind: 'held' });
    // Read within a second of the deadline: a print stamped before it may still be on its way.
    expect(apply(never, deadline + 500)).toEqual({ kind: 'held' });
    expect(apply(never, deadline + 1_001)).toMatchObject({ kind: 'rejected', code: 'price_stale' });
    expect(betRow(never.betId)).toMatchObject({ status: 'rejected', reason: 'price_stale' });
    expect(ledgerRows(s.db)).toHaveLength(1);
  });

  it("prices a delayed wallet's bet at the delayPrints-th print after its receipt", () => {
    const prints = [40, 140, 240].map((dt, i) =>
      fillPrint({ t: PLACED_AT + dt, priceCents: 9_500_400 + i * 300 }),
    );
    store(prints[0]!);
    store(prints[1]!);
    const bet = aBet({
      placedAt: PLACED_AT,
      t0: T0,
      multiplierBp: 500_000,
      nextPrint: { minMultiplierBp: 10_500, delayPrints: 3 },
    });
    expect(apply(bet, PLACED_AT + 1_500)).toEqual({ kind: 'held' });
    store(prints[2]!);
    const terms = quoted(bet, prints[2]!);
    expect(apply(bet, PLACED_AT + 1_500)).toMatchObject({
      kind: 'applied',
      events: [
        {
          status: 'accepted',
          bet: { multiplierBp: terms.multiplierBp },
          fillPrint: { id: prints[2]!.id, t: prints[2]!.t },
        },
      ],
    });
    expect(betRow(bet.betId)).toMatchObject({ m: terms.multiplierBp, terms: JSON.stringify(terms) });
    expect(terms.printId).toBe(prints[2]!.id);
  });

  it('gives the bets one print fills on one cell the same quote, and still checks each one placeable', () => {
    const { leadMs, windowMs } = DEFAULT_PRICING_CONFIG;
    const t0 = Math.ceil((PLACED_AT + leadMs + 1_000) / windowMs) * windowMs;
    const print = fillPrint({ t: t0 - leadMs + 60 });
    store(print);
    const onCell = (placedAt: number) =>
      aBet({ placedAt, t0, multiplierBp: 500_000, nextPrint: { minMultiplierBp: 10_500 } });
    const early = onCell(t0 - leadMs - 100);
    const alsoEarly = onCell(t0 - leadMs - 10);
    // Received inside the lead: not placeable at its receipt, whatever the cell's quote (refused by
    // the bounds every bet entry is checked against, before it is priced).
    const late = onCell(t0 - leadMs + 10);
    const terms = quoted(early, print);
    expect(terms.printId).toBe(print.id);
    for (const bet of [early, alsoEarly]) {
      expect(apply(bet, print.t + 10)).toMatchObject({ kind: 'applied' });
      expect(betRow(bet.betId)).toMatchObject({ status: 'accepted', terms: JSON.stringify(terms) });
    }
    expect(apply(late, print.t + 10)).toMatchObject({
      kind: 'out_of_bounds',
      code: 'bet_out_of_bounds: starts_too_soon',
    });
    expect(betRow(late.betId)).toBeUndefined();
  });

  it('is applied once: a redelivered fill changes nothing', () => {
    store(fillPrint());
    const bet = nextTickBet(500_000, 10_500);
    expect(apply(bet)).toMatchObject({ kind: 'applied' });
    expect(apply(bet)).toEqual({ kind: 'duplicate' });
    expect(ledgerRows(s.db)).toHaveLength(2);
  });
});
