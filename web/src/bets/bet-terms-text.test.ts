import { describe, expect, it } from 'vitest';
import type { TrackedBet } from './bet-book.js';
import { slippageRefusalText, termsText } from './bet-terms-text.js';

const bet = (changes: Partial<TrackedBet>): TrackedBet => ({
  key: 'c1',
  betId: '01JBET00000000000000000001',
  t0: 1_765_000_010_000,
  p0: 9_750_000,
  stakeMicros: 5_000_000,
  multiplierBp: 23_500,
  quotedBp: 23_500,
  minMultiplierBp: 23_030,
  toleranceBp: 200,
  movedToBp: null,
  awaitingPrice: false,
  phase: 'pending',
  reason: null,
  payoutMicros: 0,
  ...changes,
});

describe('termsText', () => {
  it('shows the quote and the minimum until the bet is priced', () => {
    expect(termsText(bet({ phase: 'sending' }))).toBe('quoted 2.35× · min 2.30×');
    expect(termsText(bet({ awaitingPrice: true }))).toBe(
      'quoted 2.35× · min 2.30× · pricing at the next print',
    );
  });

  it('shows what the bet got beside the quote once priced or filled', () => {
    expect(termsText(bet({ multiplierBp: 23_500 }))).toBe('priced 2.35× · quoted 2.35×');
    expect(termsText(bet({ phase: 'accepted', multiplierBp: 23_100 }))).toBe('filled 2.31× · quoted 2.35×');
    expect(termsText(bet({ phase: 'won', multiplierBp: 24_100 }))).toBe('filled 2.41× · quoted 2.35×');
  });

  it('keeps the quote and minimum on a refusal, and the plain multiplier for bets placed elsewhere', () => {
    expect(termsText(bet({ phase: 'rejected', reason: 'quote_moved' }))).toBe('quoted 2.35× · min 2.30×');
    expect(termsText(bet({ phase: 'accepted', quotedBp: null, minMultiplierBp: null }))).toBe('at 2.35×');
  });
});

describe('slippageRefusalText', () => {
  it('names the price at the fill print and the minimum it fell below', () => {
    const text = slippageRefusalText(bet({ phase: 'rejected', reason: 'quote_moved', movedToBp: 22_800 }));
    expect(text).toBe(
      'Refused for slippage: the fill print priced it at 2.28×, below your minimum 2.30× (slippage tolerance 2 %). No money moved. A higher tolerance fills more often.',
    );
  });

  it('names the price at receipt for an HTTP refusal, and no advice at the highest tolerance', () => {
    const text = slippageRefusalText(
      bet({
        phase: 'refused',
        reason: 'quote_moved',
        movedToBp: 22_000,
        toleranceBp: 1_000,
        minMultiplierBp: 22_325,
      }),
    );
    expect(text).toBe(
      'Refused for slippage: the price at receipt was 2.20×, below your minimum 2.23× (slippage tolerance 10 %). No money moved.',
    );
  });

  it('says the price moved when the refused price is not known (yet)', () => {
    const text = slippageRefusalText(
      bet({ phase: 'rejected', reason: 'quote_moved', toleranceBp: 0, minMultiplierBp: 23_500 }),
    );
    expect(text).toMatch(
      /^Refused for slippage: the price moved, below your minimum 2\.35× \(slippage tolerance 0 %\)/,
    );
  });

  it('tells a fill above the reservation apart', () => {
    const text = slippageRefusalText(bet({ phase: 'rejected', reason: 'quote_moved', movedToBp: 48_000 }));
    expect(text).toBe(
      'Refused: the fill print priced it at 4.80×, above what this bet reserved. No money moved.',
    );
  });

  it('is null for every other outcome', () => {
    expect(slippageRefusalText(bet({ phase: 'rejected', reason: 'price_stale' }))).toBeNull();
    expect(slippageRefusalText(bet({ phase: 'accepted' }))).toBeNull();
    expect(
      slippageRefusalText(bet({ phase: 'rejected', reason: 'quote_moved', minMultiplierBp: null })),
    ).toBeNull();
  });
});
