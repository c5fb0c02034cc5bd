/**
 * The open-bet index: every open bet in its time column (one `WindowColumn` per window t0 and
 * width), columns ordered by t0. A print visits only the columns whose window has started
 * (t0 < print t) — a handful — and each column only the bands its range newly reaches, so the
 * work per print follows the bets it settles, not the bets that are open.
 *
 * A bet added after prints of its window were processed (a restart, a late `accepted` event) gets
 * its column rebuilt from the print history, so it is decided exactly as if it had been there.
 * Each bet leaves the index when it is decided and is remembered, so it is never decided twice
 * in one lifetime. Each print first goes to the breaker judged from the prints (`BreakerLog`),
 * then to the columns. `onPrint` returns the wins; the losses and voids of the windows it closed come
 * from `settleFinished` (or `sweep`), which the caller runs once the wins are written. Pure: time
 * comes in as arguments.
 */
import type { BreakerLog } from './breaker-log.js';
import type { Accepted, PrintHistory } from './print-history.js';
import { SettledMemory } from './settled-memory.js';
import { deadlineVoid, type OpenBet, type PrintRef, type Verdict } from './verdict.js';
import { type Settled, WindowColumn } from './window-column.js';

export interface IndexRules {
  /** Longest allowed gap between consecutive prints of a window (ms), SPEC 1 000. */
  gapMsMax: number;
  /** A bet still open this long after its window ended is voided by the sweep (ms), SPEC 60 000. */
  deadlineMs: number;
  /** How long a settled bet id is remembered against replayed `accepted` events (ms). */
  settledMemoryMs: number;
}

export interface PrintResult {
  accepted: Accepted;
  verdicts: Verdict[];
}

export class OpenBetIndex {
  private readonly columns = new Map<string, WindowColumn>();
  private ordered: WindowColumn[] = [];
  private readonly columnOf = new Map<string, WindowColumn>();
  private readonly settled: SettledMemory;

  constructor(
    private readonly rules: IndexRules,
    readonly history: PrintHistory,
    readonly breaker: BreakerLog,
  ) {
    this.settled = new SettledMemory(rules.settledMemoryMs);
  }

  get openBets(): number {
    return this.columnOf.size;
  }

  get columnCount(): number {
    return this.ordered.length;
  }

  /** Indexes an open bet; returns its verdict when the prints already processed decide it. */
  add(bet: OpenBet, nowMs: number): Verdict | null {
    if (this.columnOf.has(bet.betId) || this.settled.has(bet.betId)) return null;
    const column = this.columnFor(bet.t0, bet.windowMs);
    const decision = column.add(bet);
    if (decision === null) {
      this.columnOf.set(bet.betId, column);
      return null;
    }
    this.settled.remember(bet.betId, nowMs);
    return { betId: bet.betId, decision, printT: null };
  }

  /** A bet settled (or rejected) elsewhere: drop it and never index it again. */
  forget(betId: string, nowMs: number): void {
    this.columnOf.get(betId)?.remove(betId);
    this.columnOf.delete(betId);
    this.settled.remember(betId, nowMs);
  }

  /** Processes the next print of `tap:prices`, in stream order; returns its wins. */
  onPrint(print: PrintRef, nowMs: number): PrintResult {
    const accepted = this.history.check(print);
    if (accepted !== 'accepted') return { accepted, verdicts: [] };
    // First the breaker: a print that opens it is judged with the breaker open, never as a touch.
    this.breaker.observe(print);
    const previous = this.history.last;
    const verdicts: Verdict[] = [];
    for (const column of this.ordered) {
      if (column.t0 >= print.t) break;
      const settled = column.isStarted ? column.feed(print) : column.start(previous, print);
      this.collect(settled, print.t, nowMs, verdicts);
    }
    this.history.push(print);
    return { accepted, verdicts };
  }

  /** A print an earlier run processed (start-up): into the history and the breaker, deciding nothing. */
  recall(print: PrintRef): Accepted {
    const accepted = this.history.check(print);
    if (accepted !== 'accepted') return accepted;
    this.breaker.observe(print);
    this.history.push(print);
    return accepted;
  }

  /** The bets of every window decided for good (closed, voided, expired), and drops those windows. */
  settleFinished(nowMs: number): Verdict[] {
    const verdicts: Verdict[] = [];
    const finished = this.ordered.filter((column) => column.isFinal);
    if (finished.length === 0) return verdicts;
    for (const column of finished) {
      this.collect(column.drain(), column.finishedBy, nowMs, verdicts);
      this.columns.delete(`${column.t0}:${column.windowMs}`);
    }
    this.ordered = this.ordered.filter((column) => !column.isFinal);
    return verdicts;
  }

  /** The dead-man sweep: voids every bet still open `deadlineMs` after its window ended, with `settleFinished`. */
  sweep(nowMs: number): Verdict[] {
    for (const column of this.ordered) {
      const deadlineMs = column.endMs + this.rules.deadlineMs;
      if (deadlineMs <= nowMs) column.expire(deadlineVoid(deadlineMs, this.history.last));
    }
    this.settled.prune(nowMs);
    return this.settleFinished(nowMs);
  }

  private collect(settled: readonly Settled[], printT: number | null, nowMs: number, out: Verdict[]): void {
    for (const { bet, decision } of settled) {
      this.columnOf.delete(bet.betId);
      this.settled.remember(bet.betId, nowMs);
      out.push({ betId: bet.betId, decision, printT });
    }
  }

  private columnFor(t0: number, windowMs: number): WindowColumn {
    const key = `${t0}:${windowMs}`;
    const existing = this.columns.get(key);
    if (existing) return existing;
    const column = new WindowColumn(t0, windowMs, { gapMsMax: this.rules.gapMsMax, breaker: this.breaker });
    this.replay(column);
    this.columns.set(key, column);
    let at = this.ordered.length;
    while (at > 0 && this.ordered[at - 1]!.t0 > t0) at -= 1;
    this.ordered.splice(at, 0, column);
    return column;
  }

  /** Brings a new column up to the last processed print from the history (it holds no bets yet). */
  private replay(column: WindowColumn): void {
    const history = this.history;
    const inEffect = history.lastAtOrBefore(column.t0);
    if (inEffect === history.size - 1) return; // no print after t0 yet: the window has not started
    column.start(inEffect >= 0 ? history.at(inEffect) : null, history.at(inEffect + 1));
    for (let i = inEffect + 2; i < history.size && !column.isFinal; i += 1) column.feed(history.at(i));
  }
}
