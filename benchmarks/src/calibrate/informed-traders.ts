/**
 * Informed traders (issue 22, measurement only): a trader who sees the simulator's true price `L` ms
 * after our last print — the market our index will print L ms later, as a trader watching a fast
 * venue directly would — values every offered cell with the same model from that true price
 * (`noisyTouchProbability`, σ and η as printed, t0 − (print + L) ahead) and bets
 *   (a) every cell whose value exceeds its price (P'·M > 1), or
 *   (b) only the best such cell per decision time;
 * against the honest random bettor who bets every offered cell. Outcomes are the resolver's, as for
 * the calibration. Per strategy and L: bets, the trader's realised return per unit stake with a
 * standard error from resampling windows, and the house's P&L. Only the simulated source knows the
 * true price, so only it measures this.
 */

import {
  bootstrapRatioSe,
  type CellValuer,
  type Decisions,
  OUTCOME_VOID,
  OUTCOME_WON,
  type StrategyStats,
} from '@tap/calibration';
import { noisyTouchProbability, type PricingConfig } from '@tap/pricing';

export interface InformedOptions {
  leadsMs: readonly number[];
  /** ln of the true price (cents) at a time. */
  trueLogCentsAt(tMs: number): number;
}

/** Trader's expected payout per unit stake, one column per lead, filled as cells are offered. */
export class InformedValues implements CellValuer {
  private readonly values: number[][];
  private readonly decision: number[] = [];

  constructor(
    readonly options: InformedOptions,
    private readonly config: PricingConfig,
  ) {
    this.values = options.leadsMs.map(() => []);
  }

  /** The informed values of one offered cell at decision `decisionIndex` (its print at `printT`). */
  push(
    decisionIndex: number,
    cell: { t0: number; p0: number; multiplierBp: number },
    printT: number,
    market: { sigma: number; noise: number },
  ): void {
    this.decision.push(decisionIndex);
    this.options.leadsMs.forEach((leadMs, k) => {
      const seenAt = printT + leadMs;
      const logTrue = this.options.trueLogCentsAt(seenAt);
      const p = noisyTouchProbability({
        lowerLog: Math.log(cell.p0) - logTrue,
        upperLog: Math.log(cell.p0 + this.config.bandCents) - logTrue,
        tau1Ms: cell.t0 - seenAt,
        sigma: market.sigma,
        noise: market.noise,
        printIntervalMs: this.config.printIntervalMs,
      });
      this.values[k]!.push((p * cell.multiplierBp) / 10_000);
    });
  }

  /** Every strategy's results over the settled decisions (same row order as `push`). */
  evaluate(d: Decisions, windowOf: Int32Array, windowCount: number): StrategyStats[] {
    const all = Array.from({ length: d.count }, (_, i) => i);
    const of = (strategy: StrategyStats['strategy'], leadMs: number | null, rows: readonly number[]) =>
      strategyStats(strategy, leadMs, rows, d, { windowOf, windowCount, decisionOf: this.decision });
    const stats: StrategyStats[] = [of('random', null, all)];
    this.options.leadsMs.forEach((leadMs, k) => {
      const ev = this.values[k]!;
      const positive = all.filter((i) => ev[i]! > 1);
      stats.push(of('all_positive', leadMs, positive));
      stats.push(of('best_cell', leadMs, bestPerDecision(positive, ev, this.decision)));
    });
    return stats;
  }
}

function bestPerDecision(
  rows: readonly number[],
  ev: readonly number[],
  decision: readonly number[],
): number[] {
  const best = new Map<number, number>();
  for (const i of rows) {
    const current = best.get(decision[i]!);
    if (current === undefined || ev[i]! > ev[current]!) best.set(decision[i]!, i);
  }
  return [...best.values()];
}

function strategyStats(
  strategy: StrategyStats['strategy'],
  leadMs: number | null,
  rows: readonly number[],
  d: Decisions,
  index: { windowOf: Int32Array; windowCount: number; decisionOf: readonly number[] },
): StrategyStats {
  const { windowOf, windowCount } = index;
  const stake = new Float64Array(windowCount);
  const gain = new Float64Array(windowCount);
  let bets = 0;
  let total = 0;
  const decisions = new Set<number>();
  for (const i of rows) {
    if (d.outcome[i] === OUTCOME_VOID) continue;
    const g = (d.outcome[i] === OUTCOME_WON ? d.multiplierBp[i]! / 10_000 : 0) - 1;
    bets += 1;
    total += g;
    stake[windowOf[i]!]! += 1;
    gain[windowOf[i]!]! += g;
    decisions.add(index.decisionOf[i]!);
  }
  const meanReturn = bets > 0 ? total / bets : 0;
  return {
    strategy,
    leadMs,
    bets,
    decisionsWithBet: decisions.size,
    meanReturn,
    returnSe: bootstrapRatioSe(stake, gain, { seed: 22 }),
    housePnlPer1000: -1000 * meanReturn,
  };
}
