import { describe, expect, it } from 'vitest';
import { type BetDbRow, betView } from './bet-row.js';

const T0 = 1_764_000_010_000;
const terms = {
  indexPriceCents: 9_500_000,
  printId: 42,
  sigma: 0.0005,
  tau1Ms: 9_860,
  tau2Ms: 14_860,
  probability: 0.3,
  g: 0.01,
  multiplierBp: 30_000,
  configVersion: 'pricing-v2.4',
};
const row = (stored: object): BetDbRow => ({
  id: '01JBET0000000000000000000A',
  user_id: `0x${'a'.repeat(40)}`,
  client_bet_id: '123e4567-e89b-12d3-a456-426614174000',
  t0: T0,
  p0: 9_500_000,
  window_ms: 5_000,
  band_cents: 1_000,
  stake: 1_000_000,
  multiplier_bp: 30_000,
  status: 'accepted',
  reason: null,
  payout: 0,
  terms: JSON.stringify(stored),
  evidence: null,
  placed_at: T0 - 9_900,
  settled_at: null,
});

describe('betView', () => {
  it("names a next-tick bet's fill print from its terms (t = t0 − τ1), as its accepted event does", () => {
    const view = betView(row({ ...terms, entry: 'next_print' }));
    expect(view.fillPrint).toEqual({ id: 42, t: T0 - 9_860 });
    // The deliberate delay, receipt → fill print, follows from the view alone.
    expect(view.fillPrint!.t - view.placedAt).toBe(40);
  });

  it('has no fill print for a bet priced at receipt', () => {
    expect('fillPrint' in betView(row(terms))).toBe(false);
  });
});
