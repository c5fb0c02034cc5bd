/**
 * A second opinion on every offered cell, filled while the calibration run quotes (issue 22): the
 * benchmarks' informed traders value each cell from the simulator's true price and report how
 * strategies that bet on those values fare. The run and the report only need this interface, so
 * they work without one (a stored segment has no true price).
 */
import type { Decisions } from './calibration-run.js';

export interface StrategyStats {
  strategy: 'all_positive' | 'best_cell' | 'random' | 'random_near';
  /**
   * What the informed trader knows L ms ahead: the true price, the print we will make then, or the
   * fastest venue's quote then; null for random bettors.
   */
  sees: 'truth' | 'index' | 'venue' | null;
  leadMs: number | null;
  bets: number;
  /**
   * Bets the strategy sent, and of them how many its own `minMultiplierBp` refused at the fill
   * (`quote_moved`: the fill's multiplier below its minimum; informed traders set it at their
   * break-even). For honest bettors, who take any fill, what a 5 % tolerance below the displayed
   * multiplier would refuse. Absent in reports written before it was measured.
   */
  sent?: number;
  refusedFills?: number;
  decisionsWithBet: number;
  /** Trader's mean (payout − stake) per unit stake. */
  meanReturn: number;
  returnSe: number;
  /** House P&L per 1,000 unit stakes offered to this strategy's bets (= −1000·meanReturn). */
  housePnlPer1000: number;
}

export interface CellValuer {
  /**
   * The values of one offered cell at decision `decisionIndex` (the print in effect at receipt at
   * `printT`): `multiplierBp` is what the bet gets, `displayMultiplierBp` what the trader saw when
   * deciding (the same unless next-tick entry; null if that print did not offer the cell).
   */
  push(
    decisionIndex: number,
    cell: { t0: number; p0: number; multiplierBp: number; displayMultiplierBp: number | null },
    printT: number,
    market: { sigma: number; noise: number },
  ): void;
  /** `blockOf`/`blockCount`: each decision's resampling block for standard errors (calibration-report.ts). */
  evaluate(d: Decisions, blockOf: Int32Array, blockCount: number): StrategyStats[];
}
