/**
 * The breaker open intervals the resolver knows of (SPEC §9: health-monitor records every one). An
 * interval covers [from, to] — both ends inclusive, as health-monitor's own reader counts them, so a
 * breaker that closed exactly at t0 still voids the window; one still open has `to: null` and covers
 * everything from `from` on. Refreshed from Redis before each batch of prints; the reader bounds how many are kept.
 */
import type { BreakerInterval } from './verdict.js';

export class BreakerLog {
  private intervals: readonly BreakerInterval[] = [];

  get count(): number {
    return this.intervals.length;
  }

  replace(intervals: readonly BreakerInterval[]): void {
    this.intervals = [...intervals].sort((a, b) => b.from - a.from);
  }

  /** The latest interval during which the breaker was open at some moment of [fromMs, toMs] (inclusive). */
  overlapping(fromMs: number, toMs: number): BreakerInterval | null {
    // No early exit on the first older interval: a health-monitor bug that leaves overlapping
    // members must not hide one (the list is bounded by the reader, so a full scan is cheap).
    for (const interval of this.intervals) {
      if (interval.from <= toMs && (interval.to === null || interval.to >= fromMs)) return interval;
    }
    return null;
  }
}
