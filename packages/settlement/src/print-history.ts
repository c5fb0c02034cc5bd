/**
 * The prints the resolver has processed, oldest first, kept for `retentionMs` of index time plus
 * the newest print older than that (so "the print in effect at t0" is known for every t0 inside the
 * retention). A bet that enters the index after prints of its window were processed (a restart, a
 * late `accepted` event) has its window recomputed from here; at start it is filled from
 * `tap:prices` history. Bounded by `printsMax` as well, whatever the clock does.
 *
 * Prints must arrive in order: a print whose id is not above the last one (a redelivery) or whose
 * time goes backwards (a clock step at price-ingest) is refused, and the caller counts it.
 */
import type { PrintRef } from './verdict.js';

export type Accepted = 'accepted' | 'duplicate' | 'out_of_order';

export class PrintHistory {
  private prints: PrintRef[] = [];
  private head = 0;

  constructor(
    private readonly retentionMs: number,
    private readonly printsMax = 1_000_000,
  ) {}

  get size(): number {
    return this.prints.length - this.head;
  }

  get last(): PrintRef | null {
    return this.size === 0 ? null : this.prints[this.prints.length - 1]!;
  }

  /** The i-th retained print, 0 = oldest. */
  at(i: number): PrintRef {
    const print = this.prints[this.head + i];
    if (print === undefined) throw new RangeError(`no print at ${i} of ${this.size}`);
    return print;
  }

  /** Whether `print` may follow the last print (see the file header). */
  check(print: PrintRef): Accepted {
    const last = this.last;
    if (last === null) return 'accepted';
    if (print.id <= last.id) return 'duplicate';
    if (print.t < last.t) return 'out_of_order';
    return 'accepted';
  }

  /** Appends a print that `check` accepted, then trims what fell out of the retention. */
  push(print: PrintRef): void {
    this.prints.push(print);
    this.trim(print.t - this.retentionMs);
  }

  /** Index of the last print with t ≤ tMs, or -1 when every retained print is later (or none is kept). */
  lastAtOrBefore(tMs: number): number {
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).t <= tMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops prints older than cutoffMs except the newest of them (still in effect at the cutoff). */
  private trim(cutoffMs: number): void {
    while (this.size > 1 && (this.at(1).t <= cutoffMs || this.size > this.printsMax)) this.head += 1;
    if (this.head > 1_024 && this.head * 2 > this.prints.length) {
      this.prints = this.prints.slice(this.head);
      this.head = 0;
    }
  }
}
