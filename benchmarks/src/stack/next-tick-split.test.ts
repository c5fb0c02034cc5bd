import { encodeEntry } from '@tap/channels';
import { aPrint } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { delaySummary, fillDelaysOf, publishLagOf } from './next-tick-split.js';

const T0 = 1_764_000_010_000;
const terms = (tau1Ms: number, entry?: 'next_print') =>
  JSON.stringify({ printId: 7, tau1Ms, multiplierBp: 20_000, ...(entry ? { entry } : {}) });

describe('the next-tick split', () => {
  it('takes receipt → fill print from the stored terms (fill print t = t0 − τ1) of next-tick bets only', () => {
    const placedAt = T0 - 9_000;
    const bets = [
      // Filled 640 ms after its receipt: the fill print is at t0 − 8,360.
      { t0: T0, placedAt, terms: terms(8_360, 'next_print') },
      { t0: T0, placedAt, terms: terms(8_900, 'next_print') },
      // Priced at receipt: no fill print, no delay.
      { t0: T0, placedAt, terms: terms(9_050) },
    ];
    expect(fillDelaysOf(bets)).toEqual([640, 100]);
  });

  it('summarises raw samples by nearest rank, and says nothing for none', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(delaySummary(values)).toEqual({ count: 200, p50Ms: 101, p99Ms: 199, maxMs: 200 });
    expect(delaySummary([])).toBeNull();
  });

  it("reads price-ingest's publish lag from a tap:prices entry: its id's time − the print's t", () => {
    const print = aPrint({ t: 1_764_000_000_100 });
    expect(publishLagOf('1764000000103-0', encodeEntry('prices', print))).toBe(3);
    expect(publishLagOf('1764000000103-0', ['x', '1'])).toBeNull();
  });
});
