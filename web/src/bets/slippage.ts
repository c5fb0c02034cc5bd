/**
 * The trader's slippage tolerance: how far below the quoted multiplier a bet may still fill.
 * The page sends `minMultiplierBp` = floor(quoted × (1 − tolerance)), never above the quote and
 * never below the lowest multiplier the server offers (a lower minimum protects nothing: the
 * server refuses a cell under 1.05× as `cell_not_offered` whatever the minimum says).
 *
 * Why a tolerance: under next-tick entry (ingest-api `BET_ENTRY=next_print`, its default since issue
 * 22) the bet is priced at a print after the tap, and a fill below the minimum is rejected
 * `quote_moved`; with the minimum at the exact quote about 60 % of the near-cell fills are refused
 * (docs/pricing.md). Under receipt pricing it only covers a print that reached the server before the
 * page. So the default depends on how the server fills (`GET /v1/me`'s `fill`); a tolerance the
 * trader chose (stored) wins. The defaults and why they are those: web/README.md "Slippage
 * tolerance".
 *
 * Tolerances are integer basis points of the multiplier (50 = 0.5 %), so the arithmetic is exact
 * integer arithmetic on bp (quotes ≤ 500_000 bp × 10_000 stays far inside 2^53).
 */
import { DEFAULT_PRICING_CONFIG, type FillDelay } from '@tap/pricing';

/** The choices offered, in bp of the multiplier: 0, 0.5, 1, 2, 5, 10 %. */
export const TOLERANCES_BP = [0, 50, 100, 200, 500, 1_000] as const;
export type ToleranceBp = (typeof TOLERANCES_BP)[number];

/** Priced at receipt: 2 %, half the house edge (web/README.md "Slippage tolerance"). */
export const RECEIPT_TOLERANCE_BP: ToleranceBp = 200;
/**
 * Filled at a later print: 10 %, the smallest option that refuses about a tenth of near-cell fills
 * under the adaptive fill delay with the filtered index (measured 9.1–12.3 % over five seeds; 2 %
 * refuses about half): web/README.md "Slippage tolerance".
 */
export const NEXT_PRINT_TOLERANCE_BP: ToleranceBp = 1_000;

/** The default for how the server fills bets (`GET /v1/me`'s `fill`; null: at receipt). */
export const defaultToleranceBp = (fill: FillDelay | null): ToleranceBp =>
  fill ? NEXT_PRINT_TOLERANCE_BP : RECEIPT_TOLERANCE_BP;

const BP = 10_000;
export const STORAGE_KEY = 'tap.slippage.v1';

export const isToleranceBp = (value: unknown): value is ToleranceBp =>
  TOLERANCES_BP.includes(value as ToleranceBp);

/**
 * The lowest multiplier the trader accepts for a cell quoted at `quotedBp` with `toleranceBp`:
 * floor(quoted × (1 − tolerance)), raised to the lowest offered multiplier, never above the quote.
 * Throws on a quote or tolerance that is not a whole number of bp in range: a bug in the caller,
 * never something to send.
 */
export function minMultiplierBp(
  quotedBp: number,
  toleranceBp: number,
  floorBp: number = DEFAULT_PRICING_CONFIG.multiplierBpMin,
): number {
  if (!Number.isSafeInteger(quotedBp) || quotedBp <= 0) throw new RangeError(`quote ${quotedBp} bp`);
  if (!Number.isSafeInteger(toleranceBp) || toleranceBp < 0 || toleranceBp >= BP)
    throw new RangeError(`tolerance ${toleranceBp} bp`);
  const lowered = Math.floor((quotedBp * (BP - toleranceBp)) / BP);
  return Math.min(quotedBp, Math.max(floorBp, lowered));
}

/** 0 → "0 %", 50 → "0.5 %", 200 → "2 %". */
export const formatTolerance = (toleranceBp: number) => `${toleranceBp / 100} %`;

/**
 * The stored tolerance (the trader's own choice), or the default for how the server fills bets
 * when none is stored or what is stored is not an option.
 */
export function loadTolerance(
  storage: Pick<Storage, 'getItem'> | undefined,
  fill: FillDelay | null,
): ToleranceBp {
  try {
    // Digits only: Number('') and Number(' ') are 0, which would read as a chosen 0 %.
    const stored = storage?.getItem(STORAGE_KEY) ?? '';
    const bp = /^\d{1,4}$/.test(stored) ? Number(stored) : Number.NaN;
    return isToleranceBp(bp) ? bp : defaultToleranceBp(fill);
  } catch {
    // Storage disabled (privacy mode): the default, every session.
    return defaultToleranceBp(fill);
  }
}

export function saveTolerance(storage: Pick<Storage, 'setItem'> | undefined, toleranceBp: ToleranceBp): void {
  try {
    storage?.setItem(STORAGE_KEY, String(toleranceBp));
  } catch {
    // Full or disabled storage: the choice lasts for this page only.
  }
}
