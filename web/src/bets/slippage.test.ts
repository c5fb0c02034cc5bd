import { ADAPTIVE_FILL_DELAY_DEFAULTS, DEFAULT_PRICING_CONFIG, type FillDelay } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import {
  defaultToleranceBp,
  formatTolerance,
  loadTolerance,
  minMultiplierBp,
  NEXT_PRINT_TOLERANCE_BP,
  RECEIPT_TOLERANCE_BP,
  STORAGE_KEY,
  saveTolerance,
  TOLERANCES_BP,
} from './slippage.js';

const FLOOR = DEFAULT_PRICING_CONFIG.multiplierBpMin;

describe('minMultiplierBp', () => {
  it('is floor(quote × (1 − tolerance)) in whole bp', () => {
    expect(minMultiplierBp(23_500, 200)).toBe(23_030);
    expect(minMultiplierBp(23_500, 50)).toBe(23_382); // 23_382.5 rounds down
    expect(minMultiplierBp(23_599, 100)).toBe(23_363); // 23_363.01
    expect(minMultiplierBp(500_000, 500)).toBe(475_000);
    expect(minMultiplierBp(12_345, 100)).toBe(12_221); // 12_221.55
  });

  it('is the exact quote at 0 %', () => {
    for (const quote of [FLOOR, 10_501, 23_599, 123_456, 500_000])
      expect(minMultiplierBp(quote, 0)).toBe(quote);
  });

  it('is never above the quote nor below the lowest offered multiplier (for an offered quote)', () => {
    for (let quote = FLOOR; quote <= 500_000; quote += 997) {
      for (const tol of TOLERANCES_BP) {
        const min = minMultiplierBp(quote, tol);
        expect(Number.isSafeInteger(min)).toBe(true);
        expect(min).toBeLessThanOrEqual(quote);
        expect(min).toBeGreaterThanOrEqual(FLOOR);
        // Within one bp of the exact product when the floor does not bind.
        if (min > FLOOR) expect(quote * (1 - tol / 10_000) - min).toBeLessThan(1);
      }
    }
  });

  it('stops at 1.05×: a lower minimum would protect nothing', () => {
    expect(minMultiplierBp(10_600, 500)).toBe(FLOOR);
    expect(minMultiplierBp(FLOOR, 500)).toBe(FLOOR);
    // A quote under the floor (never offered, never tapped) is not raised above itself.
    expect(minMultiplierBp(10_000, 500)).toBe(10_000);
    expect(minMultiplierBp(20_000, 500, 19_500)).toBe(19_500);
  });

  it('refuses what is not a whole bp in range', () => {
    expect(() => minMultiplierBp(23_500.5, 100)).toThrow(RangeError);
    expect(() => minMultiplierBp(0, 100)).toThrow(RangeError);
    expect(() => minMultiplierBp(23_500, -1)).toThrow(RangeError);
    expect(() => minMultiplierBp(23_500, 10_000)).toThrow(RangeError);
    expect(() => minMultiplierBp(23_500, 0.5)).toThrow(RangeError);
  });
});

/** The fill rules `GET /v1/me` can name (null: priced at receipt). */
const ADAPTIVE: FillDelay = { kind: 'adaptive', rule: ADAPTIVE_FILL_DELAY_DEFAULTS };
const FILLS: (FillDelay | null)[] = [
  null,
  { kind: 'fixed', prints: 1 },
  { kind: 'fixed', prints: 7 },
  ADAPTIVE,
];

describe('the default tolerance', () => {
  it('is 2 % when the server prices at receipt and 10 % when a later print fills the bet', () => {
    expect(defaultToleranceBp(null)).toBe(200);
    expect(defaultToleranceBp(ADAPTIVE)).toBe(1_000);
    expect(defaultToleranceBp({ kind: 'fixed', prints: 1 })).toBe(1_000);
    expect(defaultToleranceBp({ kind: 'fixed', prints: 7 })).toBe(1_000);
  });

  it('is one of the options offered, so the selector shows it chosen', () => {
    for (const fill of FILLS) expect(TOLERANCES_BP).toContain(defaultToleranceBp(fill));
  });
});

describe('the stored tolerance', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      items,
    };
  };

  it('round-trips every option and defaults by the fill rule when nothing is stored', () => {
    const storage = memory();
    expect(loadTolerance(storage, null)).toBe(RECEIPT_TOLERANCE_BP);
    expect(loadTolerance(storage, ADAPTIVE)).toBe(NEXT_PRINT_TOLERANCE_BP);
    for (const tol of TOLERANCES_BP) {
      saveTolerance(storage, tol);
      expect(storage.items.get(STORAGE_KEY)).toBe(String(tol));
      // The trader's own choice wins over either default.
      for (const fill of FILLS) expect(loadTolerance(storage, fill)).toBe(tol);
    }
  });

  it('ignores a stored value that is not an option', () => {
    for (const bad of ['', ' ', 'abc', '0x0', '00.0', '300', '-50', '1e9', '0.5', 'null', '1500']) {
      const storage = memory();
      storage.setItem(STORAGE_KEY, bad);
      expect(loadTolerance(storage, null)).toBe(RECEIPT_TOLERANCE_BP);
      expect(loadTolerance(storage, ADAPTIVE)).toBe(NEXT_PRINT_TOLERANCE_BP);
    }
  });

  it('falls back to the default when storage throws or is missing', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadTolerance(broken, null)).toBe(RECEIPT_TOLERANCE_BP);
    expect(loadTolerance(broken, ADAPTIVE)).toBe(NEXT_PRINT_TOLERANCE_BP);
    expect(() => saveTolerance(broken, 100)).not.toThrow();
    expect(loadTolerance(undefined, null)).toBe(RECEIPT_TOLERANCE_BP);
    expect(loadTolerance(undefined, ADAPTIVE)).toBe(NEXT_PRINT_TOLERANCE_BP);
  });

  it('formats as a percentage', () => {
    expect(TOLERANCES_BP.map(formatTolerance)).toEqual(['0 %', '0.5 %', '1 %', '2 %', '5 %', '10 %']);
  });
});
