import { describe, expect, it } from 'vitest';
import { mergeCandle } from './candle.js';

const T0 = 1_764_000_000_000;

describe('mergeCandle', () => {
  it('opens a candle with the first print of a second', () => {
    expect(mergeCandle(undefined, { t: T0 + 100, priceCents: 500, venues: 3 })).toEqual({
      t: 1_764_000_000,
      o: 500,
      h: 500,
      l: 500,
      c: 500,
      v: 3,
      n: 1,
    });
  });

  it('folds later prints of the same second into high, low, close and the fewest venues', () => {
    let candle = mergeCandle(undefined, { t: T0, priceCents: 500, venues: 3 });
    candle = mergeCandle(candle, { t: T0 + 100, priceCents: 520, venues: 2 });
    candle = mergeCandle(candle, { t: T0 + 999, priceCents: 490, venues: 3 });
    expect(candle).toEqual({ t: 1_764_000_000, o: 500, h: 520, l: 490, c: 490, v: 2, n: 3 });
  });

  it('starts a new candle at the next second', () => {
    const first = mergeCandle(undefined, { t: T0 + 900, priceCents: 500, venues: 3 });
    expect(mergeCandle(first, { t: T0 + 1_000, priceCents: 510, venues: 3 })).toMatchObject({
      t: 1_764_000_001,
      o: 510,
      n: 1,
    });
  });
});
