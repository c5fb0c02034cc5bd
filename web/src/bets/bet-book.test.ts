import type { BetEventMessage, BetLookup } from '@tap/client';
import { describe, expect, it } from 'vitest';
import { applyToBook, availableMicros, type BookInput, emptyBook, refusedFillBp } from './bet-book.js';
import { describeReason } from './reasons.js';

const USER = `0x${'b'.repeat(40)}`;
const BET_ID = '01JBET00000000000000000001';
const tap: BookInput = {
  type: 'tap',
  clientBetId: 'c1',
  t0: 1_765_000_010_000,
  p0: 9_750_000,
  stakeMicros: 5_000_000,
  multiplierBp: 23_500,
  minMultiplierBp: 23_030,
  toleranceBp: 200,
};
const admitted: BookInput = { type: 'admitted', clientBetId: 'c1', betId: BET_ID, multiplierBp: 23_600 };
const event = (status: BetEventMessage['status'], extra: Partial<BetEventMessage> = {}): BookInput => ({
  type: 'event',
  event: {
    type: 'bet',
    id: '1-0',
    userId: USER,
    betId: BET_ID,
    status,
    balanceMicros: 95_000_000,
    ...extra,
  } as BetEventMessage,
});
const run = (...inputs: BookInput[]) => inputs.reduce(applyToBook, emptyBook(100_000_000));

describe('bet book state machine', () => {
  it('moves sending → pending → accepted → won and keeps the payout', () => {
    expect(run(tap).bets[0]?.phase).toBe('sending');
    expect(run(tap, admitted).bets[0]).toMatchObject({
      phase: 'pending',
      betId: BET_ID,
      multiplierBp: 23_600,
    });
    expect(run(tap, admitted, event('accepted')).bets[0]?.phase).toBe('accepted');
    const won = run(tap, admitted, event('accepted'), event('won', { payoutMicros: 11_800_000 }));
    expect(won.bets[0]).toMatchObject({ phase: 'won', payoutMicros: 11_800_000 });
  });

  it('next-tick entry: pending awaiting its price until accepted brings the multiplier it got', () => {
    const unpriced: BookInput = { ...admitted, multiplierBp: null } as BookInput;
    const cell = {
      t0: 1_765_000_010_000,
      p0: 9_750_000,
      windowMs: 5_000,
      bandCents: 1_000,
      stakeMicros: 5_000_000,
    };
    const pending = run(tap, unpriced).bets[0];
    expect(pending).toMatchObject({ phase: 'pending', awaitingPrice: true, multiplierBp: 23_500 });
    const filled = event('accepted', { bet: { ...cell, multiplierBp: 24_100 } });
    expect(run(tap, unpriced, filled).bets[0]).toMatchObject({
      phase: 'accepted',
      awaitingPrice: false,
      multiplierBp: 24_100,
    });
    // `accepted` before the 202: the bet keeps the priced multiplier.
    expect(run(tap, filled, unpriced).bets[0]).toMatchObject({ phase: 'accepted', multiplierBp: 24_100 });
    const moved = run(tap, unpriced, event('rejected', { reason: 'quote_moved' })).bets[0];
    expect(moved).toMatchObject({ phase: 'rejected', awaitingPrice: false, reason: 'quote_moved' });
    expect(availableMicros(run(tap, unpriced))).toBe(95_000_000);
  });

  it('keeps the quote, the minimum sent and the tolerance beside the multiplier the bet gets', () => {
    const unpriced: BookInput = { ...admitted, multiplierBp: null } as BookInput;
    expect(run(tap, unpriced).bets[0]).toMatchObject({
      quotedBp: 23_500,
      minMultiplierBp: 23_030,
      toleranceBp: 200,
      multiplierBp: 23_500,
      awaitingPrice: true,
    });
    const cell = { t0: tap.t0, p0: tap.p0, windowMs: 5_000, bandCents: 1_000, stakeMicros: 5_000_000 };
    const filled = run(tap, unpriced, event('accepted', { bet: { ...cell, multiplierBp: 23_100 } })).bets[0];
    expect(filled).toMatchObject({ quotedBp: 23_500, minMultiplierBp: 23_030, multiplierBp: 23_100 });
  });

  it('a quote_moved refusal keeps the price it was refused at: the 409 body or the fill lookup', () => {
    const http = run(tap, { type: 'refused', clientBetId: 'c1', code: 'quote_moved', multiplierBp: 22_900 });
    expect(http.bets[0]).toMatchObject({ phase: 'refused', reason: 'quote_moved', movedToBp: 22_900 });
    const unpriced: BookInput = { ...admitted, multiplierBp: null } as BookInput;
    const rejected = run(tap, unpriced, event('rejected', { reason: 'quote_moved' }));
    expect(rejected.bets[0]?.movedToBp).toBeNull();
    const priced = applyToBook(rejected, { type: 'refusal_priced', betId: BET_ID, multiplierBp: 22_800 });
    expect(priced.bets[0]).toMatchObject({ phase: 'rejected', movedToBp: 22_800 });
    // Only a quote_moved rejection takes it: another reason's stored multiplier is the reservation.
    const stale = run(tap, unpriced, event('rejected', { reason: 'price_stale' }));
    const ignored = applyToBook(stale, { type: 'refusal_priced', betId: BET_ID, multiplierBp: 47_000 });
    expect(ignored.bets[0]?.movedToBp).toBeNull();
  });

  it('reads a refused fill price only from a next-tick fill’s stored terms', () => {
    const stored = {
      betId: BET_ID,
      status: 'rejected',
      reason: 'quote_moved',
      t0: tap.t0,
      p0: tap.p0,
      windowMs: 5_000,
      bandCents: 1_000,
      stakeMicros: 5_000_000,
      multiplierBp: 22_700,
      payoutMicros: 0,
      terms: { entry: 'next_print', multiplierBp: 22_700 },
      evidence: null,
      placedAt: tap.t0 - 3_000,
      settledAt: null,
    } as BetLookup;
    expect(refusedFillBp(stored)).toBe(22_700);
    const unpriced: BookInput = { ...admitted, multiplierBp: null } as BookInput;
    expect(run(tap, unpriced, { type: 'loaded', bets: [stored] }).bets[0]).toMatchObject({
      phase: 'rejected',
      movedToBp: 22_700,
    });
    // The receipt quote's terms (no entry) come with the reservation as the multiplier: no price.
    expect(
      refusedFillBp({ ...stored, multiplierBp: 47_000, terms: { multiplierBp: 23_500 } } as BetLookup),
    ).toBeNull();
    expect(refusedFillBp({ ...stored, reason: 'price_stale' } as BetLookup)).toBeNull();
    expect(refusedFillBp({ betId: BET_ID, status: 'pending' })).toBeNull();
  });

  it('bets learnt from events or a reload have no quote of their own', () => {
    const cell = { t0: 5_000, p0: 1_000, windowMs: 5_000, bandCents: 1_000, stakeMicros: 2_000_000 };
    const book = run(event('accepted', { bet: { ...cell, multiplierBp: 30_000 } }));
    expect(book.bets[0]).toMatchObject({ quotedBp: null, minMultiplierBp: null, movedToBp: null });
  });

  it('shows an HTTP refusal with its code', () => {
    const book = run(tap, { type: 'refused', clientBetId: 'c1', code: 'quote_moved' });
    expect(book.bets[0]).toMatchObject({ phase: 'refused', reason: 'quote_moved' });
    expect(describeReason('quote_moved')).toBe('the multiplier moved below your minimum');
  });

  it('shows a WebSocket rejection with its reason in words', () => {
    const book = run(tap, admitted, event('rejected', { reason: 'insufficient_funds' }));
    expect(book.bets[0]).toMatchObject({ phase: 'rejected', reason: 'insufficient_funds' });
    expect(describeReason('insufficient_funds')).toMatch(/balance/);
    expect(describeReason('breaker_open')).toMatch(/stake is returned/);
  });

  it('never moves backwards: a late 202 or a repeated event leaves the settled state', () => {
    const book = run(tap, event('accepted'), event('lost'), admitted, event('accepted'));
    expect(book.bets).toHaveLength(1);
    expect(book.bets[0]).toMatchObject({ key: 'c1', phase: 'lost', betId: BET_ID });
  });

  it('keeps the first settlement when another outcome arrives for the same bet', () => {
    expect(run(tap, admitted, event('won'), event('void')).bets[0]?.phase).toBe('won');
  });

  it('creates bets placed elsewhere from their accepted event', () => {
    const book = run(
      event('accepted', {
        bet: {
          t0: 5_000,
          p0: 1_000,
          windowMs: 5_000,
          bandCents: 1_000,
          stakeMicros: 2_000_000,
          multiplierBp: 30_000,
        },
      }),
    );
    expect(book.bets[0]).toMatchObject({ key: BET_ID, phase: 'accepted', t0: 5_000, stakeMicros: 2_000_000 });
  });

  it('follows the balance: events set it, admitted-but-unapplied stakes are held back', () => {
    expect(availableMicros(run(tap))).toBe(100_000_000);
    expect(availableMicros(run(tap, admitted))).toBe(95_000_000);
    expect(availableMicros(run(tap, admitted, event('accepted')))).toBe(95_000_000);
    expect(
      availableMicros(run(tap, admitted, event('accepted'), event('void', { balanceMicros: 100_000_000 }))),
    ).toBe(100_000_000);
    expect(availableMicros(run(tap, admitted, { type: 'balance', balanceMicros: 200_000_000 }))).toBe(
      195_000_000,
    );
  });
});
