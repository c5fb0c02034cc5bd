/**
 * The calibration run (issue 14): walks a print series once, as ingest-api and the resolver would
 * see it. Every `decisionEveryMs` it takes a bet receive time a little after the latest print
 * (spread over the print interval, as real bets arrive) and quotes a dense set of cells — every
 * placeable column × the bands within `bandsEachSide` of the index — with `@tap/pricing`'s
 * `quoteCellFromPrint`, the σ and η of that print: exactly ingest-api's quote. Each offered cell is one
 * cell-decision (one unit bet). Every distinct cell becomes one open bet of the resolver's own
 * `OpenBetIndex` (print history, breaker judged from the prints, window columns), which settles it
 * from the same prints, so wins, losses and voids follow SPEC §4 as the resolver applies it.
 *
 * Bounds: decisions are kept in typed arrays (≈ 30 bytes each); cells in one Map per run. No
 * decision is taken while the breaker judged from the prints is open (ingest-api refuses then).
 */
import { DEFAULT_BREAKER_RULES } from '@tap/breaker';
import type { PrintEntry } from '@tap/domain';
import {
  DEFAULT_PRICING_CONFIG,
  gridColumns,
  type PricingConfig,
  quoteCellFromPrint,
  quoteExpectedFill,
} from '@tap/pricing';
import { BreakerLog, OpenBetIndex, PrintBreaker, PrintHistory, type Verdict } from '@tap/settlement';
import type { CellValuer } from './cell-valuer.js';

export const OUTCOME_LOST = 0;
export const OUTCOME_WON = 1;
export const OUTCOME_VOID = 2;
const OUTCOME_OPEN = 3;

export interface RunOptions {
  decisionEveryMs: number;
  bandsEachSide: number;
  /** No decisions before this much of the prints has passed (σ and η warm up, as price-ingest's restart does from its last hour). */
  warmupMs: number;
  config?: PricingConfig;
  /** Informed traders' values of every offered cell (issue 22; simulated sources only). */
  informed?: CellValuer;
  /**
   * Which print prices a bet (issue 22): 0, the one in effect at receipt (default, as ingest-api
   * does with `BET_ENTRY=receipt`); 1, the first print after receipt (next-tick entry); k, the k-th
   * print after receipt (a k-print fill delay, as the batcher fills `nextPrint.delayPrints`). Either
   * way the print's filtered index is used when it carries one (`pricingIndexOf`).
   */
  fillPrints?: number;
  /**
   * A per-bet fill delay (the adaptive rule, `@tap/pricing` `adaptiveFillDelay`, as ingest-api's
   * `BET_ENTRY_DELAY=adaptive` applies it): the fill's print after receipt from the print in effect
   * at receipt and the receive time. Replaces `fillPrints` when given.
   */
  fillDelayOf?: (print: PrintEntry, nowMs: number) => number;
  /**
   * What the trader is shown under a fill delay: the print's own quote (`receipt`, default) or the
   * quote at the expected fill (`expected_fill`, `quoteExpectedFill` at the fill's print count, as
   * ingest-api and the web quote with a delay on; docs/pricing.md "Quote at the expected fill").
   */
  quote?: 'receipt' | 'expected_fill';
}

/** One row per cell-decision (a unit bet on an offered cell). */
export interface Decisions {
  count: number;
  windowT0: Float64Array;
  probability: Float64Array;
  multiplierBp: Float64Array;
  /** (band centre − S) / H: signed distance from the index in bands. */
  distanceBands: Float64Array;
  tau1Ms: Float64Array;
  outcome: Uint8Array;
}

export interface RunResult {
  decisions: Decisions;
  /** Cells quoted, offered or not. */
  quotes: number;
  decisionTimes: number;
  /** CPU time of the walk (quoting and settling), ms. */
  cpuMs: number;
  firstT: number;
  lastT: number;
  /** Per decision time under a fill delay: the print after receipt that filled (k) and its time after the receipt, ms. */
  fills: { prints: number[]; waitMs: number[] };
}

const RESOLVER_RULES = { gapMsMax: 1_000, deadlineMs: 60_000, settledMemoryMs: 300_000 };

export function runCalibration(prints: readonly PrintEntry[], options: RunOptions): RunResult {
  const config = options.config ?? DEFAULT_PRICING_CONFIG;
  const started = process.cpuUsage();
  const index = new OpenBetIndex(
    RESOLVER_RULES,
    new PrintHistory(120_000),
    new BreakerLog(new PrintBreaker(DEFAULT_BREAKER_RULES, 3_600_000)),
  );
  const rows = new DecisionRows();
  const cellOutcome: number[] = [];
  const cellIds = new Map<string, number>();
  const settle = (verdicts: readonly Verdict[]) => {
    for (const v of verdicts) {
      const outcome = v.decision.outcome;
      cellOutcome[Number(v.betId)] =
        outcome === 'won' ? OUTCOME_WON : outcome === 'lost' ? OUTCOME_LOST : OUTCOME_VOID;
    }
  };
  let quotes = 0;
  let decisionTimes = 0;
  let nextDecisionMs = (prints[0]?.t ?? 0) + options.warmupMs;
  const fills = { prints: [] as number[], waitMs: [] as number[] };
  for (let i = 0; i < prints.length; i++) {
    const print = prints[i]!;
    settle(index.onPrint(print, print.t).verdicts);
    settle(index.settleFinished(print.t));
    if (print.t < nextDecisionMs || index.breaker.openByPrints) continue;
    // Receive time: somewhere before the next print (which would otherwise be the one in effect).
    const nextT = prints[i + 1]?.t ?? print.t + config.printIntervalMs;
    const nowMs =
      print.t + ((decisionTimes * 37) % Math.max(1, Math.min(config.printIntervalMs, nextT - print.t)));
    // A k-print fill prices at the k-th print after receipt; none yet at the end of the prints.
    const k = options.fillDelayOf ? options.fillDelayOf(print, nowMs) : (options.fillPrints ?? 0);
    const fill = prints[i + k];
    if (fill === undefined) continue;
    nextDecisionMs = print.t + options.decisionEveryMs;
    decisionTimes += 1;
    if (k > 0) {
      fills.prints.push(k);
      fills.waitMs.push(fill.t - nowMs);
    }
    const center = Math.floor(print.priceCents / config.bandCents) * config.bandCents;
    const shownAt = options.quote === 'expected_fill' ? k : 0;
    for (const t0 of gridColumns(nowMs, config)) {
      for (let band = -options.bandsEachSide; band <= options.bandsEachSide; band++) {
        const p0 = center + band * config.bandCents;
        const quote = quoteCellFromPrint(fill, { t0, p0, nowMs }, config);
        quotes += 1;
        if (!quote.ok) continue;
        const shown = fill === print ? quote : quoteExpectedFill(print, { t0, p0, nowMs }, shownAt, config);
        const key = `${t0}:${p0}`;
        let cell = cellIds.get(key);
        if (cell === undefined) {
          cell = cellOutcome.length;
          cellIds.set(key, cell);
          cellOutcome.push(OUTCOME_OPEN);
          const bet = { betId: String(cell), t0, p0, windowMs: config.windowMs, bandCents: config.bandCents };
          const verdict = index.add(bet, print.t);
          if (verdict) settle([verdict]);
        }
        const distanceBands = (p0 + config.bandCents / 2 - print.priceCents) / config.bandCents;
        rows.push(t0, quote.probability, quote.multiplierBp, distanceBands, quote.tau1Ms, cell);
        const displayMultiplierBp = shown.ok ? shown.multiplierBp : null;
        options.informed?.push(
          decisionTimes - 1,
          { t0, p0, multiplierBp: quote.multiplierBp, displayMultiplierBp },
          print.t,
          quote,
        );
      }
    }
  }
  const cpu = process.cpuUsage(started);
  return {
    decisions: rows.finish(cellOutcome),
    quotes,
    decisionTimes,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    firstT: prints[0]?.t ?? 0,
    lastT: prints.at(-1)?.t ?? 0,
    fills,
  };
}

/** Growable typed columns; a cell still open at the end of the prints counts as void. */
class DecisionRows {
  private size = 0;
  private capacity = 1 << 16;
  private cols = this.allocate(this.capacity);

  push(t0: number, p: number, m: number, distance: number, tau1Ms: number, cell: number): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.cols.windowT0[i] = t0;
    this.cols.probability[i] = p;
    this.cols.multiplierBp[i] = m;
    this.cols.distanceBands[i] = distance;
    this.cols.tau1Ms[i] = tau1Ms;
    this.cols.cell[i] = cell;
  }

  finish(cellOutcome: readonly number[]): Decisions {
    const n = this.size;
    const outcome = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const o = cellOutcome[this.cols.cell[i]!]!;
      outcome[i] = o === OUTCOME_OPEN ? OUTCOME_VOID : o;
    }
    return {
      count: n,
      windowT0: this.cols.windowT0.subarray(0, n),
      probability: this.cols.probability.subarray(0, n),
      multiplierBp: this.cols.multiplierBp.subarray(0, n),
      distanceBands: this.cols.distanceBands.subarray(0, n),
      tau1Ms: this.cols.tau1Ms.subarray(0, n),
      outcome,
    };
  }

  private allocate(n: number) {
    return {
      windowT0: new Float64Array(n),
      probability: new Float64Array(n),
      multiplierBp: new Float64Array(n),
      distanceBands: new Float64Array(n),
      tau1Ms: new Float64Array(n),
      cell: new Uint32Array(n),
    };
  }

  private grow(): void {
    const bigger = this.allocate(this.capacity * 2);
    for (const key of Object.keys(bigger) as (keyof typeof bigger)[]) {
      (bigger[key] as Float64Array).set(this.cols[key] as Float64Array);
    }
    this.cols = bigger;
    this.capacity *= 2;
  }
}
