/**
 * The batcher's own check of every bet entry's bounds (SPEC §3, §5, §6), before any money moves.
 * ingest-api checks all of this at admission; the batcher checks again because `tap:bets` is only
 * as trustworthy as everyone who can write to Redis: an entry XADDed by anything but the admission
 * script (a forged stake, a 50× cell that already started) must not reach the ledger.
 *
 * The lead time is checked against the entry's stream id — Redis's clock when the entry was
 * appended, which the writer cannot choose with `XADD *` and which the admission script's own
 * `TIME` check bounds — as well as against the entry's `placedAt`. The first broken rule names the
 * dead letter (`bet_out_of_bounds: <rule>`).
 */
import type { BetEntry } from '@tap/domain';
import { DEFAULT_PRICING_CONFIG, type PricingConfig } from '@tap/pricing';

export interface BetRules {
  stakeMicrosMin: number;
  stakeMicrosMax: number;
  /** The config ingest-api prices with: the grid's bounds, and next-tick fills (fill.ts). */
  pricing: PricingConfig;
  /** BET_ENTRY_FILL_TIMEOUT_MS: a next-tick bet's print must be at most this much after its receipt. */
  fillTimeoutMs: number;
}

/** The rules from the batcher's stake limits (the same variables as ingest-api's) and the pricing config. */
export function betRulesOf(config: {
  STAKE_MICROS_MIN: number;
  STAKE_MICROS_MAX: number;
  BET_ENTRY_FILL_TIMEOUT_MS?: number;
}): BetRules {
  return {
    stakeMicrosMin: config.STAKE_MICROS_MIN,
    stakeMicrosMax: config.STAKE_MICROS_MAX,
    pricing: DEFAULT_PRICING_CONFIG,
    fillTimeoutMs: config.BET_ENTRY_FILL_TIMEOUT_MS ?? 1_000,
  };
}

/** How far `placedAt` may lie after the entry's Redis time (the API's clock against Redis's), ms. */
export const PLACED_AT_SKEW_MS_MAX = 1_000;

export type BetBoundsRule =
  | 'stake_out_of_range'
  | 'multiplier_out_of_range'
  | 'off_grid'
  | 'starts_too_soon'
  | 'beyond_horizon'
  | 'placed_after_append';

/** The first bound the bet breaks, or null when it is within every one. */
export function brokenBetBound(bet: BetEntry, appendedAtMs: number, rules: BetRules): BetBoundsRule | null {
  const { pricing } = rules;
  if (bet.stakeMicros < rules.stakeMicrosMin || bet.stakeMicros > rules.stakeMicrosMax)
    return 'stake_out_of_range';
  const multiplier = bet.multiplierBp;
  if (multiplier < pricing.multiplierBpMin || multiplier > pricing.multiplierBpMax)
    return 'multiplier_out_of_range';
  // A next-tick entry's multiplier is its reservation, at least the trader's minimum; its terms are
  // the quote at receipt (fill.ts prices it); any other entry's multiplier is its terms'.
  if (
    bet.nextPrint === undefined
      ? bet.terms.multiplierBp !== multiplier
      : bet.nextPrint.minMultiplierBp > multiplier
  )
    return 'multiplier_out_of_range';
  if (bet.windowMs !== pricing.windowMs || bet.bandCents !== pricing.bandCents) return 'off_grid';
  if (bet.t0 % pricing.windowMs !== 0 || bet.p0 % pricing.bandCents !== 0) return 'off_grid';
  if (bet.placedAt > appendedAtMs + PLACED_AT_SKEW_MS_MAX) return 'placed_after_append';
  const placedAt = Math.max(bet.placedAt, appendedAtMs);
  if (bet.t0 - placedAt < pricing.leadMs) return 'starts_too_soon';
  if (bet.t0 >= bet.placedAt + pricing.horizonMs) return 'beyond_horizon';
  return null;
}
