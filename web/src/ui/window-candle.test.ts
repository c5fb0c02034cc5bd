import type { IndexPrint } from '@tap/client';
import { describe, expect, it } from 'vitest';
import { windowCandle } from './window-candle.js';

const T0 = 1_765_000_010_000;
const cell = { t0: T0, p0: 10_000, windowMs: 5_000, bandCents: 1_000 };
const print = (t: number, priceCents: number): IndexPrint => ({ id: t, t, priceCents, venues: 3, sigma: 0 });

describe('windowCandle (the receipt recomputes SPEC §4)', () => {
  it('counts the print in effect at t0 when it is at most 1 s old, and prints inside the window', () => {
    const candle = windowCandle(
      [print(T0 - 2_000, 50_000), print(T0 - 100, 10_500), print(T0 + 100, 9_000)],
      cell,
    );
    expect(candle).toEqual({ low: 9_000, high: 10_500, prints: 2, touched: true });
  });

  it('ignores a print in effect that is over 1 s old and prints at or after the window end', () => {
    const candle = windowCandle(
      [print(T0 - 1_001, 10_500), print(T0 + 100, 8_000), print(T0 + 5_000, 10_500)],
      cell,
    );
    expect(candle).toEqual({ low: 8_000, high: 8_000, prints: 1, touched: false });
  });

  it('treats the band edges as inside (p0 + H touches)', () => {
    expect(windowCandle([print(T0 + 1, 11_000)], cell)?.touched).toBe(true);
    expect(windowCandle([print(T0 + 1, 11_001)], cell)?.touched).toBe(false);
  });

  it('has no candle without prints', () => {
    expect(windowCandle([], cell)).toBeNull();
  });
});
