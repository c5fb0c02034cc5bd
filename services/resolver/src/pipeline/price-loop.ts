/**
 * The resolver's main loop over `tap:prices` (SPEC §4): read prints in stream order (this
 * consumer's pending entries first, then new ones with a bounded BLOCK), refresh the breaker
 * intervals, apply each print to the open-bet index, write the wins at once, and hand the other
 * settlements and the XACK of the prints to the write-behind queue (in order, acknowledged only
 * once written). When it has caught up with the stream it runs the dead-man sweep.
 *
 * A crash before the XACK replays the prints after the restart; the bets they settled are then
 * excluded at start (their settlements are in the stream), and a duplicate would be harmless.
 */
import type { Channels } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type { OpenBetIndex, Verdict } from '@tap/settlement';
import type { ResolverMetrics } from '../metrics.js';
import { readBreakerIntervals } from '../streams/breaker-source.js';
import type { PriceEntry, PriceReader } from '../streams/price-reader.js';
import type { SettlementWriter } from '../streams/settlement-writer.js';
import { WriteBehind } from './write-behind.js';

export interface PriceLoopDeps {
  index: OpenBetIndex;
  prices: PriceReader;
  writer: SettlementWriter;
  /** The non-blocking connection (breaker intervals). */
  redis: Redis;
  channels: Channels;
  metrics: ResolverMetrics;
  log: Logger;
  readCount: number;
  blockMs: number;
  /** Called after every completed step (health: the loop is alive). */
  onStepDone(nowMs: number): void;
}

/** Batches of settlements and acks that may wait behind the loop. */
const WRITE_BEHIND_BATCHES_MAX = 100;

export function createPriceLoop(deps: PriceLoopDeps): { step(): Promise<void>; drain(): Promise<void> } {
  const { index, writer, metrics } = deps;
  const emit = async (verdicts: readonly Verdict[]) => {
    const nowMs = Date.now();
    await writer.emit(verdicts, nowMs);
    metrics.observeEmitted(verdicts, nowMs);
  };
  const behind = new WriteBehind({
    write: emit,
    ack: (ids) => deps.prices.ack(ids),
    log: deps.log,
    batchesMax: WRITE_BEHIND_BATCHES_MAX,
  });
  const read = createReader(deps);
  const apply = createApplier(deps);
  let inbox: PriceEntry[] | null = null;
  let pending: { wins: Verdict[]; ackIds: string[]; sweep: boolean } | null = null;

  /** Wins first; then the losses and voids of the windows the batch closed go behind, with the acks. */
  const flush = async () => {
    if (pending === null) return;
    await emit(pending.wins);
    const nowMs = Date.now();
    const rest = pending.sweep ? index.sweep(nowMs) : index.settleFinished(nowMs);
    behind.enqueue(rest, pending.ackIds);
    pending = null;
    await behind.room();
  };

  const step = async () => {
    await flush();
    inbox ??= await read.next();
    const batch = inbox;
    const wins = batch.length > 0 ? await apply(batch) : [];
    inbox = null;
    // Never sweep with prints still queued: they decide bets the wall clock would void.
    pending = { wins, ackIds: batch.map((e) => e.id), sweep: read.caughtUp(batch.length) };
    await flush();
    deps.onStepDone(Date.now());
    metrics.maybeLogSummary();
  };
  return { step, drain: () => behind.drain() };
}

/** This consumer's pending entries first (from '0'), then new ones. */
function createReader(deps: PriceLoopDeps) {
  let pendingCursor: string | null = '0';
  return {
    async next(): Promise<PriceEntry[]> {
      if (pendingCursor !== null) {
        const entries = await deps.prices.readPending(pendingCursor, deps.readCount);
        const last = entries[entries.length - 1];
        if (last) {
          pendingCursor = last.id;
          return entries;
        }
        pendingCursor = null;
      }
      return deps.prices.readNew(deps.readCount, deps.blockMs);
    },
    caughtUp(batchLength: number): boolean {
      return pendingCursor === null && batchLength < deps.readCount;
    },
  };
}

/** Refreshes the breaker intervals, then applies a batch of prints to the index; returns the wins. */
function createApplier(deps: PriceLoopDeps) {
  const { index, metrics, log } = deps;
  let malformedIntervals = 0;
  return async (batch: readonly PriceEntry[]): Promise<Verdict[]> => {
    const { intervals, malformed } = await readBreakerIntervals(deps.redis, deps.channels);
    index.breaker.replace(intervals);
    if (malformed.length !== malformedIntervals) log.warn({ malformed }, 'breaker.intervals_malformed');
    malformedIntervals = malformed.length;
    const verdicts: Verdict[] = [];
    for (const entry of batch) {
      if (entry.print === null) {
        metrics.observePrint('malformed', 0);
        log.warn({ entryId: entry.id, problem: entry.problem }, 'print.malformed');
        continue;
      }
      const startedAt = performance.now();
      const result = index.onPrint(entry.print, Date.now());
      metrics.observePrint(result.accepted, performance.now() - startedAt);
      for (const verdict of result.verdicts) verdicts.push(verdict);
    }
    return verdicts;
  };
}
