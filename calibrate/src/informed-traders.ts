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
 *
 * Three things a trader can see L ms after our print (`sees`): the true price itself (no error of
 * its own); our own next print (the latency arbitrageur); or the fastest venue's latest quote
 * (sim-a, the Coinbase-like venue: updates every 50 ms, mid within 0.5 bp of the true price), as
 * a trader co-located with that venue sees it — valued from that mid with the venue's own noise as
 * the error of S and τ1 from the quote's time.
 */

import {
  bootstrapRatioSe,
  type CellValuer,
  type Decisions,
  OUTCOME_VOID,
  OUTCOME_WON,
  type StrategyStats,
} from '@tap/calibration';
import type { PrintEntry } from '@tap/domain';
import { noisyTouchProbability, type PricingConfig, pricingIndexOf } from '@tap/pricing';

export interface InformedOptions {
  leadsMs: readonly number[];
  /** ln of the true price (cents) at a time. */
  trueLogCentsAt(tMs: number): number;
  /** The print in effect at a time (the last with t ≤ tMs), as priced (filtered index included). */
  printAt(tMs: number): PrintEntry;
  /** The fastest venue's latest quote at a time: ln of its mid (cents), its time, its noise (log units). */
  venueAt(tMs: number): { logCents: number; t: number; noise: number };
  /** Which traders to value (each costs one touch probability per cell and lead). */
  sees: readonly Sees[];
}

export type Sees = 'truth' | 'index' | 'venue';

/** Trader's expected payout per unit stake, one column per (what it sees, lead), filled as cells are offered. */
export class InformedValues implements CellValuer {
  /** At the multiplier it saw when deciding, and at the one the bet gets. */
  private readonly values: number[][];
  private readonly filled: number[][];
  private readonly decision: number[] = [];
  /** The fill's multiplier over the one displayed at receipt (1 at receipt; 0 if not offered then). */
  private readonly fillRatio: number[] = [];

  constructor(
    readonly options: InformedOptions,
    private readonly config: PricingConfig,
  ) {
    const columns = options.sees.length * options.leadsMs.length;
    this.values = Array.from({ length: columns }, () => []);
    this.filled = Array.from({ length: columns }, () => []);
  }

  /** The informed values of one offered cell at decision `decisionIndex` (its print at `printT`). */
  push(
    decisionIndex: number,
    cell: { t0: number; p0: number; multiplierBp: number; displayMultiplierBp: number | null },
    printT: number,
    market: { sigma: number; noise: number },
  ): void {
    this.decision.push(decisionIndex);
    this.fillRatio.push(cell.displayMultiplierBp === null ? 0 : cell.multiplierBp / cell.displayMultiplierBp);
    this.options.sees.forEach((sees, s) => {
      this.options.leadsMs.forEach((leadMs, k) => {
        const p = this.probability(sees, cell, printT + leadMs, market);
        const column = s * this.options.leadsMs.length + k;
        this.values[column]!.push(
          cell.displayMultiplierBp === null ? 0 : (p * cell.displayMultiplierBp) / 10_000,
        );
        this.filled[column]!.push((p * cell.multiplierBp) / 10_000);
      });
    });
  }

  /**
   * P of the cell as the trader sees it at `seenAt`: from the true price then (no error of its own
   * S, only the window's print noise), or from our own price of the print we will have made by
   * then (a trader watching the venues that make our index, L ms faster than us).
   */
  private probability(
    sees: Sees,
    cell: { t0: number; p0: number },
    seenAt: number,
    market: { sigma: number; noise: number },
  ): number {
    const band = { p0: cell.p0, bandCents: this.config.bandCents };
    if (sees === 'truth') {
      return touch(band, this.options.trueLogCentsAt(seenAt), cell.t0 - seenAt, market, 0, this.config);
    }
    if (sees === 'venue') {
      const quote = this.options.venueAt(seenAt);
      return touch(band, quote.logCents, cell.t0 - quote.t, market, quote.noise, this.config);
    }
    const print = this.options.printAt(seenAt);
    const index = pricingIndexOf(print);
    const at = { sigma: print.sigma, noise: print.noise ?? 0 };
    return touch(band, Math.log(index.indexPriceCents), cell.t0 - print.t, at, index.indexNoise, this.config);
  }

  /** Every strategy's results over the settled decisions (same row order as `push`). */
  evaluate(d: Decisions, windowOf: Int32Array, windowCount: number): StrategyStats[] {
    const all = Array.from({ length: d.count }, (_, i) => i);
    const index = { windowOf, windowCount, decisionOf: this.decision };
    const of = (
      strategy: StrategyStats['strategy'],
      sees: StrategyStats['sees'],
      leadMs: number | null,
      sent: readonly number[],
      refused: (i: number) => boolean,
    ) => strategyStats({ strategy, sees, leadMs }, sent, refused, d, index);
    const near = all.filter((i) => Math.abs(d.distanceBands[i]!) < NEAR_BANDS);
    // Honest bettors take any fill; their refused count is what a 5 % tolerance would refuse.
    const beyondTolerance = (i: number) => this.fillRatio[i]! > 0 && this.fillRatio[i]! < HONEST_TOLERANCE;
    const stats: StrategyStats[] = [
      of('random', null, null, all, beyondTolerance),
      of('random_near', null, null, near, beyondTolerance),
    ];
    this.options.sees.forEach((sees, s) => {
      this.options.leadsMs.forEach((leadMs, k) => {
        const column = s * this.options.leadsMs.length + k;
        const ev = this.values[column]!;
        const filled = this.filled[column]!;
        // It sends what looked worth more than its price, with minMultiplierBp at its own
        // break-even: under a fill delay a fill it would value below 1 is refused quote_moved. The
        // best cell is chosen before the fill is known (a refused best cell is no bet, not the
        // next best).
        const wanted = all.filter((i) => ev[i]! > 1);
        const refused = (i: number) => filled[i]! < 1;
        stats.push(of('all_positive', sees, leadMs, wanted, refused));
        stats.push(of('best_cell', sees, leadMs, bestPerDecision(wanted, ev, this.decision), refused));
      });
    });
    return stats;
  }
}

function touch(
  band: { p0: number; bandCents: number },
  logIndexCents: number,
  tau1Ms: number,
  market: { sigma: number; noise: number },
  indexNoise: number,
  config: PricingConfig,
): number {
  return noisyTouchProbability({
    lowerLog: Math.log(band.p0) - logIndexCents,
    upperLog: Math.log(band.p0 + band.bandCents) - logIndexCents,
    tau1Ms,
    sigma: market.sigma,
    noise: market.noise,
    indexNoise,
    printIntervalMs: config.printIntervalMs,
  });
}

/** Honest bettors on near cells: band centre within this many bands of the index. */
const NEAR_BANDS = 2;

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

/** An honest bettor's tolerance for the refused-fill count: the fill at ≥ 95 % of the displayed multiplier. */
const HONEST_TOLERANCE = 0.95;

/**
 * `sent`: the bets the strategy sends; `refused`: which of them its minimum refuses at the fill
 * (informed traders: not settled, no money moves; honest bettors: counted only).
 */
function strategyStats(
  who: Pick<StrategyStats, 'strategy' | 'sees' | 'leadMs'>,
  sent: readonly number[],
  refused: (i: number) => boolean,
  d: Decisions,
  index: { windowOf: Int32Array; windowCount: number; decisionOf: readonly number[] },
): StrategyStats {
  const { windowOf, windowCount } = index;
  const honest = who.sees === null;
  const refusedFills = sent.reduce((n, i) => n + (refused(i) ? 1 : 0), 0);
  const rows = honest ? sent : sent.filter((i) => !refused(i));
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
    ...who,
    bets,
    sent: sent.length,
    refusedFills,
    decisionsWithBet: decisions.size,
    meanReturn,
    returnSe: bootstrapRatioSe(stake, gain, { seed: 22 }),
    housePnlPer1000: -1000 * meanReturn,
  };
}
