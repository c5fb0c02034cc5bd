/**
 * The breaker open intervals the resolver knows of: the union of the ones health-monitor recorded
 * (SPEC §9; refreshed from Redis before each batch of prints) and the ones its own `PrintBreaker`
 * judged from the prints, so a window is never won while either says open. An interval covers
 * [from, to] — both ends inclusive, as health-monitor's own reader counts them, so a breaker that
 * closed exactly at t0 still voids the window; one still open has `to: null` and covers everything
 * from `from` on. The reader bounds how many recorded intervals are kept, the print breaker its own.
 */
import type { PrintBreaker } from './print-breaker.js';
import type { BreakerInterval, PrintRef } from './verdict.js';

export class BreakerLog {
  private intervals: readonly BreakerInterval[] = [];

  constructor(private readonly fromPrints: PrintBreaker) {}

  /** Recorded intervals (health-monitor's). */
  get count(): number {
    return this.intervals.length;
  }

  /** Whether the breaker judged from the prints is open after the last print observed. */
  get openByPrints(): boolean {
    return this.fromPrints.isOpen;
  }

  replace(intervals: readonly BreakerInterval[]): void {
    this.intervals = [...intervals].sort((a, b) => b.from - a.from);
  }

  /** Folds the next print into the breaker judged from the prints (before the print is applied). */
  observe(print: PrintRef): void {
    this.fromPrints.observe(print);
  }

  /**
   * An interval during which the breaker was open at some moment of [fromMs, toMs] (inclusive):
   * the latest one judged from the prints if any (the evidence anyone can recompute from the index
   * history, and the same in every run), else the latest recorded one.
   */
  overlapping(fromMs: number, toMs: number): BreakerInterval | null {
    return this.fromPrints.overlapping(fromMs, toMs) ?? this.recordedOverlapping(fromMs, toMs);
  }

  private recordedOverlapping(fromMs: number, toMs: number): BreakerInterval | null {
    // No early exit on the first older interval: a health-monitor bug that leaves overlapping
    // members must not hide one (the list is bounded by the reader, so a full scan is cheap).
    for (const interval of this.intervals) {
      if (interval.from <= toMs && (interval.to === null || interval.to >= fromMs)) return interval;
    }
    return null;
  }
}
