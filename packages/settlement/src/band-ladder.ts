/**
 * The bands of a started window that its low/high range has not reached yet: those above `high`
 * ordered by floor, those below `low` ordered by top. When the range grows, `reach` pops exactly the
 * bands it now covers, so a print costs work proportional to the bands it settles, not to the
 * bands (or bets) waiting in the column.
 */
import type { OpenBet } from './verdict.js';

/** The bets of one cell: band [p0, top] of one window. */
export interface Band {
  readonly key: string;
  readonly p0: number;
  readonly top: number;
  readonly bets: Map<string, OpenBet>;
}

const COMPACT_AFTER = 1_024;

export class BandLadder {
  private above: Band[] = [];
  private aboveHead = 0;
  private below: Band[] = [];
  private belowHead = 0;

  /** Places every band of a window that just started; returns those [low, high] already covers. */
  placeAll(bands: Iterable<Band>, low: number, high: number): Band[] {
    const covered: Band[] = [];
    for (const band of bands) {
      if (band.p0 > high) this.above.push(band);
      else if (band.top < low) this.below.push(band);
      else covered.push(band);
    }
    this.above.sort((a, b) => a.p0 - b.p0);
    this.below.sort((a, b) => b.top - a.top);
    return covered;
  }

  /** Places one band in a started window; true when [low, high] already covers it. */
  place(band: Band, low: number, high: number): boolean {
    if (band.p0 > high) {
      insertSorted(this.above, this.aboveHead, band, (x) => x.p0);
      return false;
    }
    if (band.top < low) {
      insertSorted(this.below, this.belowHead, band, (x) => -x.top);
      return false;
    }
    return true;
  }

  /** Removes and returns the bands newly inside [low, high] after the range grew. */
  reach(low: number, high: number): Band[] {
    const reached: Band[] = [];
    while (this.aboveHead < this.above.length && this.above[this.aboveHead]!.p0 <= high) {
      reached.push(this.above[this.aboveHead]!);
      this.aboveHead += 1;
    }
    while (this.belowHead < this.below.length && this.below[this.belowHead]!.top >= low) {
      reached.push(this.below[this.belowHead]!);
      this.belowHead += 1;
    }
    this.compact();
    return reached;
  }

  private compact(): void {
    if (this.aboveHead > COMPACT_AFTER) {
      this.above = this.above.slice(this.aboveHead);
      this.aboveHead = 0;
    }
    if (this.belowHead > COMPACT_AFTER) {
      this.below = this.below.slice(this.belowHead);
      this.belowHead = 0;
    }
  }
}

/** Inserts into list[head…] kept ascending by `rank` (binary search, then one splice). */
function insertSorted(list: Band[], head: number, band: Band, rank: (b: Band) => number): void {
  let lo = head;
  let hi = list.length;
  const r = rank(band);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rank(list[mid]!) <= r) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, band);
}
