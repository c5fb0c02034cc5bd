/**
 * Which cells exist and which may be bet on now (SPEC §3). A cell `(t0, p0)` lies on the grid iff
 * both are integers, `t0 % W == 0`, `p0 % H == 0` and `p0 > 0`; it is placeable at `now` iff
 * `t0 − now ≥ LEAD` (nobody bets on a window whose price they may already have seen) and
 * `t0 < now + HORIZON`. Freshness of the index and whether a multiplier is offered are checked
 * elsewhere (the server and {@link quoteCell}).
 */
import type { PricingConfig } from './pricing-config.js';

export type NotPlaceableReason = 'off_grid' | 'starts_too_soon' | 'beyond_horizon';

export type PlaceableCheck =
  | { ok: true }
  | { ok: false; code: 'cell_not_placeable'; reason: NotPlaceableReason };

export interface CellAt {
  /** Window start, ms since the epoch. */
  t0: number;
  /** Band floor, cents. */
  p0: number;
  /** Server receive time, ms since the epoch. */
  nowMs: number;
}

type GridConfig = Pick<PricingConfig, 'windowMs' | 'bandCents' | 'leadMs' | 'horizonMs'>;

export function isCellOnGrid(
  t0: number,
  p0: number,
  config: Pick<PricingConfig, 'windowMs' | 'bandCents'>,
): boolean {
  return (
    Number.isSafeInteger(t0) &&
    Number.isSafeInteger(p0) &&
    p0 > 0 &&
    t0 % config.windowMs === 0 &&
    p0 % config.bandCents === 0
  );
}

/** The first broken rule, in the order off grid → too soon → beyond the horizon. */
export function checkPlaceable(cell: CellAt, config: GridConfig): PlaceableCheck {
  if (!isCellOnGrid(cell.t0, cell.p0, config)) return notPlaceable('off_grid');
  if (cell.t0 - cell.nowMs < config.leadMs) return notPlaceable('starts_too_soon');
  if (cell.t0 >= cell.nowMs + config.horizonMs) return notPlaceable('beyond_horizon');
  return { ok: true };
}

function notPlaceable(reason: NotPlaceableReason): PlaceableCheck {
  return { ok: false, code: 'cell_not_placeable', reason };
}
