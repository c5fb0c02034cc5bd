/**
 * One time column of the grid: the open bets of window [t0, t0 + W), grouped by band, and the
 * window's running low/high (SPEC §4). Prints are fed in stream order:
 *
 * - `start` runs at the first print after t0, with the print in effect at t0 (the last one with
 *   t ≤ t0): that print's price opens the range, and bands it lies in win by it — but only if it
 *   is at most `gapMsMax` (1 s) old at t0; an older one (or none) makes the window unhealthy from
 *   its start, and it voids as a price gap without any win (SPEC §4: a window priced off a stale
 *   print must not win on it).
 * - `feed` takes every later print: first the outage checks (breaker open at any moment of the
 *   window so far; a gap longer than `gapMsMax` since the previous print), which void every bet
 *   still open — a touch already seen stood as a win when it was seen; then a print at or after
 *   t0 + W closes the window (the rest lose); else the print widens the range and the bands newly
 *   inside it win by it.
 *
 * `start` and `feed` return only wins. When the window is decided for good (`isFinal`: closed,
 * voided, expired) its remaining bets are handed out by `drain`, later: the caller writes the wins
 * of a print before the thousands of losses of the window it closed. A bet added to a final
 * window is decided at once from the recorded range steps, so a late bet gets the same answer as
 * one that was there all along. Pure: no clock, no I/O.
 */
import { type Band, BandLadder } from './band-ladder.js';
import type { BreakerLog } from './breaker-log.js';
import { breakerVoid, type Decision, gapVoid, lost, type OpenBet, type PrintRef, won } from './verdict.js';

export interface ColumnRules {
  /** Longest allowed gap between consecutive prints around and inside the window (ms). */
  gapMsMax: number;
  breaker: BreakerLog;
}

export interface Settled {
  bet: OpenBet;
  decision: Decision;
}

/** The range after each print that widened it; the first step is the print in effect at t0. */
interface RangeStep {
  print: PrintRef;
  low: number;
  high: number;
}

export class WindowColumn {
  readonly endMs: number;
  private phase: 'pending' | 'open' | 'final' = 'pending';
  private last: PrintRef | null = null;
  private low = Number.POSITIVE_INFINITY;
  private high = Number.NEGATIVE_INFINITY;
  private readonly steps: RangeStep[] = [];
  private finalDecision: Decision | null = null;
  private finishedByT: number | null = null;
  private readonly bands = new Map<string, Band>();
  private readonly bandOf = new Map<string, Band>();
  private ladder = new BandLadder();

  constructor(
    readonly t0: number,
    readonly windowMs: number,
    private readonly rules: ColumnRules,
  ) {
    this.endMs = t0 + windowMs;
  }

  get openBets(): number {
    return this.bandOf.size;
  }

  get isStarted(): boolean {
    return this.phase !== 'pending';
  }

  get isFinal(): boolean {
    return this.phase === 'final';
  }

  /** Time of the print that decided the window (null: the dead-man sweep, or not final). */
  get finishedBy(): number | null {
    return this.finishedByT;
  }

  /** Adds a bet; returns its decision when the prints already seen decide it (it is then not kept). */
  add(bet: OpenBet): Decision | null {
    if (this.bandOf.has(bet.betId)) return null;
    const top = bet.p0 + bet.bandCents;
    if (this.phase !== 'pending') {
      const step = this.steps.find((s) => s.low <= top && s.high >= bet.p0);
      if (step) return won(step.print, step.low, step.high);
      if (this.finalDecision) return this.finalDecision;
    }
    const key = `${bet.p0}:${bet.bandCents}`;
    let band = this.bands.get(key);
    if (band === undefined) {
      band = { key, p0: bet.p0, top, bets: new Map() };
      this.bands.set(key, band);
      // Not covered: the range steps above would have found it.
      if (this.phase === 'open') this.ladder.place(band, this.low, this.high);
    }
    band.bets.set(bet.betId, bet);
    this.bandOf.set(bet.betId, band);
    return null;
  }

  /** Forgets a bet settled elsewhere (an event said so). */
  remove(betId: string): boolean {
    const band = this.bandOf.get(betId);
    if (band === undefined) return false;
    band.bets.delete(betId);
    this.bandOf.delete(betId);
    // An empty band may stay in the ladder; reaching it settles nothing.
    if (band.bets.size === 0) this.bands.delete(band.key);
    return true;
  }

  /** The window starts: `inEffect` is the last print with t ≤ t0 (null: none known), `print` the first after t0. */
  start(inEffect: PrintRef | null, print: PrintRef): Settled[] {
    if (this.phase !== 'pending') throw new Error(`window ${this.t0} started twice`);
    this.phase = 'open';
    const atStart = this.rules.breaker.overlapping(this.t0, this.t0);
    if (atStart) {
      this.finish(breakerVoid(atStart), print);
      return [];
    }
    if (inEffect === null || this.t0 - inEffect.t > this.rules.gapMsMax) {
      this.finish(gapVoid(inEffect, print, this.rules.gapMsMax), print);
      return [];
    }
    this.last = inEffect;
    this.low = inEffect.priceCents;
    this.high = inEffect.priceCents;
    this.steps.push({ print: inEffect, low: this.low, high: this.high });
    const covered = this.ladder.placeAll(this.bands.values(), this.low, this.high);
    const settled = this.settleBands(covered, won(inEffect, this.low, this.high));
    for (const item of this.feed(print)) settled.push(item);
    return settled;
  }

  /** A print after the window started (see the file header for the order of the checks). */
  feed(print: PrintRef): Settled[] {
    if (this.phase !== 'open' || this.last === null) return [];
    const decision = this.decisionAt(print, this.last);
    if (decision) {
      this.finish(decision, print);
      return [];
    }
    this.last = print;
    const price = print.priceCents;
    if (price >= this.low && price <= this.high) return [];
    this.low = Math.min(this.low, price);
    this.high = Math.max(this.high, price);
    this.steps.push({ print, low: this.low, high: this.high });
    return this.settleBands(this.ladder.reach(this.low, this.high), won(print, this.low, this.high));
  }

  /** What `print` decides for the whole window: an outage voids it, a print at/after t0 + W closes it. */
  private decisionAt(print: PrintRef, last: PrintRef): Decision | null {
    const interval = this.rules.breaker.overlapping(this.t0, Math.min(print.t, this.endMs - 1));
    if (interval) return breakerVoid(interval);
    if (print.t - last.t > this.rules.gapMsMax) return gapVoid(last, print, this.rules.gapMsMax);
    if (print.t >= this.endMs) return lost(this.low, this.high, last, print);
    return null;
  }

  /** Decides every bet still open with `decision` (the dead-man sweep); `drain` hands them out. */
  expire(decision: Decision): void {
    if (this.phase !== 'final') this.finish(decision, null);
  }

  /** The bets of a final window with its decision (empty while the window is still open). */
  drain(): Settled[] {
    if (this.finalDecision === null) return [];
    return this.settleBands([...this.bands.values()], this.finalDecision);
  }

  private settleBands(bands: readonly Band[], decision: Decision): Settled[] {
    const settled: Settled[] = [];
    for (const band of bands) {
      for (const bet of band.bets.values()) {
        settled.push({ bet, decision });
        this.bandOf.delete(bet.betId);
      }
      if (this.bands.get(band.key) === band) this.bands.delete(band.key);
    }
    return settled;
  }

  /** Decides the window for good; its bets wait for `drain`. */
  private finish(decision: Decision, print: PrintRef | null): void {
    this.phase = 'final';
    this.finalDecision = decision;
    this.finishedByT = print?.t ?? null;
    this.ladder = new BandLadder();
  }
}
