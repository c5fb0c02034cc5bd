/**
 * How numbers are shown. A multiplier is truncated, never rounded up: the cell never promises more
 * than the quote the bet's minimum is computed from (bets/slippage.ts, SPEC §3).
 */
const BP_PER_UNIT = 10_000;
const MICROS_PER_USD = 1_000_000;

/** 23_599 → "2.35×", 123_456 → "12.3×", 500_000 → "50×". */
export function formatMultiplier(multiplierBp: number): string {
  const x = multiplierBp / BP_PER_UNIT;
  if (x >= 100 || (x >= 10 && multiplierBp % BP_PER_UNIT === 0)) return `${Math.floor(x)}×`;
  // Truncated on the integer bp, not on x: 22_800 / 10_000 × 100 is 227.99… in floating point.
  if (x >= 10) return `${(Math.floor(multiplierBp / 1_000) / 10).toFixed(1)}×`;
  return `${(Math.floor(multiplierBp / 100) / 100).toFixed(2)}×`;
}

/** Micro-dollars → "$1,234.56" (truncated to the cent; negative amounts get a minus sign). */
export function formatUsd(micros: number): string {
  const cents = Math.trunc(micros / 10_000);
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** Cents per BTC → "97,512.34". */
export function formatPrice(priceCents: number): string {
  return (priceCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export const usdToMicros = (usd: number) => Math.round(usd * MICROS_PER_USD);
