/**
 * Units (SPEC §2). Money is integer micro-dollars, prices integer cents per BTC, time integer
 * milliseconds since the epoch, multipliers integer basis points. Never floats for money.
 */
export const MICROS_PER_USD = 1_000_000;
export const BP_PER_UNIT = 10_000;

/** Payout of a winning bet: floor(stake × multiplier_bp / 10_000), exact in integers. */
export function payoutMicros(stakeMicros: number, multiplierBp: number): number {
  // The product stays below 2^53 for any stake ≤ $18,000 at 50×; SPEC caps stakes at $100. Remainder
  // arithmetic keeps the floor exact instead of trusting a float division.
  const product = stakeMicros * multiplierBp;
  return (product - (product % BP_PER_UNIT)) / BP_PER_UNIT;
}

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** Lower-cased address: the user id everywhere (SPEC §2: compare addresses lower-cased). */
export function userIdOf(address: string): string {
  return address.toLowerCase();
}
