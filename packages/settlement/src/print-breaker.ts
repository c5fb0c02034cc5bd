/**
 * The breaker judged from the prints themselves (SPEC §4, §9): health-monitor's state machine
 * (`@tap/breaker`), run over the prints the resolver processes, in stream order, with the same
 * thresholds. Before each print the clock's turn is taken at the print's time (that is how
 * staleness between prints shows up), then the print is folded in. Every time it opens it starts
 * an interval `{from, to: null, reason}` in health-monitor's format; closing sets `to`.
 *
 * Why: health-monitor records its intervals a tick after the print that opened them, and the
 * resolver may settle that print first. This judgement is a pure function of the print stream, so
 * a print that opens the breaker (or one in the hysteresis after it) never counts as a touch.
 *
 * Start: closed at the first print it sees, as if it had watched a healthy feed until then; that
 * print itself is judged (too few venues opens it). It used to open `starting` there, like
 * health-monitor, which voided every bet of a fresh stack's first `recoveryMs` of prints that
 * health-monitor had already let trade (its own start interval began earlier, or was configured
 * shorter): the bet path and settlement disagreed. The feed's start is covered without it: no bet
 * can be placed before the first print (no fresh print), and health-monitor's recorded `starting`
 * interval voids what it did not trade. The start is forgotten after `warmUpMs(rules)` of prints:
 * from there on its state is the one a breaker running since the beginning of the stream would have
 * (intervals that span the warm-up may begin later). Start-up therefore feeds it that much history
 * before the oldest print the resolver can still judge a window by. Bounded: intervals that ended more
 * than `retentionMs` before the newest print are dropped, and at most `INTERVALS_MAX` are kept.
 */
import {
  type BreakerMachine,
  type BreakerRules,
  evaluate,
  observePrint,
  type Step,
  watchingMachine,
} from '@tap/breaker';
import type { BreakerInterval } from './verdict.js';

export const INTERVALS_MAX = 4_096;

/** Prints needed before the machine's state no longer depends on how it started (see the header). */
export function warmUpMs(rules: BreakerRules): number {
  return rules.recoveryMs + 2 * rules.staleMs;
}

export class PrintBreaker {
  private machine: BreakerMachine | null = null;
  /** Oldest first; only the last one may be open. */
  private intervals: BreakerInterval[] = [];

  constructor(
    private readonly rules: BreakerRules,
    private readonly retentionMs: number,
  ) {}

  get isOpen(): boolean {
    return this.machine === null || this.machine.state === 'open';
  }

  get count(): number {
    return this.intervals.length;
  }

  /** Folds in the next print (in stream order; a print not newer than the last one changes nothing). */
  observe(print: { t: number; venues: number }): void {
    // The first print has no earlier one to be stale after: it is only judged itself.
    if (this.machine === null) this.machine = watchingMachine(print.t);
    else this.apply(evaluate(this.current(), print.t, this.rules));
    this.apply(observePrint(this.current(), print, this.rules));
    this.prune(print.t - this.retentionMs);
  }

  /** The latest interval during which it was open at some moment of [fromMs, toMs] (inclusive). */
  overlapping(fromMs: number, toMs: number): BreakerInterval | null {
    for (let i = this.intervals.length - 1; i >= 0; i -= 1) {
      const interval = this.intervals[i]!;
      if (interval.to !== null && interval.to < fromMs) return null; // the older ones ended earlier still
      if (interval.from <= toMs) return interval;
    }
    return null;
  }

  private current(): BreakerMachine {
    if (this.machine === null) throw new Error('print breaker used before its first print');
    return this.machine;
  }

  private apply(step: Step): void {
    this.machine = step.machine;
    const change = step.change;
    if (change === null) return;
    if (change.state === 'open') {
      this.intervals.push({ from: change.since, to: null, reason: change.reason });
      return;
    }
    const open = this.intervals.at(-1);
    // A new object: decisions already made keep the interval as it was when they were made.
    if (open && open.to === null) this.intervals[this.intervals.length - 1] = { ...open, to: change.since };
  }

  private prune(cutoffMs: number): void {
    let drop = 0;
    const limit = this.intervals.length - 1; // never the newest
    while (
      drop < limit &&
      (this.intervals.length - drop > INTERVALS_MAX || this.intervals[drop]!.to! < cutoffMs)
    ) {
      drop += 1;
    }
    if (drop > 0) this.intervals = this.intervals.slice(drop);
  }
}
