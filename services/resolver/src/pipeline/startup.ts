/**
 * Rebuilds the open-bet index before the loops start (SPEC §4, §8):
 *
 * 1. note the events replay start (EVENTS_REPLAY_MS before now, so it overlaps the snapshot);
 * 2. join group `resolver` on `tap:prices`, find the first unacknowledged print, and reload the
 *    prints before it (processed by an earlier run) into the print history and the breaker judged
 *    from the prints — `breakerWarmUpMs` more of them than the history keeps, so that breaker
 *    judges every window the history can rebuild as it did in the earlier run;
 * 3. read the breaker intervals;
 * 4. read the bets that already have a settlement waiting in `tap:settlements`;
 * 5. read the open bets of the SQLite segments (read-only), replay `tap:events`, merge;
 * 6. add every open bet: a bet whose window the history already decides is decided now, and its
 *    settlement written before the loops start.
 *
 * Returns the events cursor the event loop follows from.
 */
import type { Channels } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type { OpenBetIndex, Verdict } from '@tap/settlement';
import type { ResolverMetrics } from '../metrics.js';
import { type BetChange, openBetsAtStart } from '../settlement/startup-bets.js';
import type { SegmentReader } from '../storage/segment-reader.js';
import { readBreakerIntervals } from '../streams/breaker-source.js';
import type { EventReader } from '../streams/event-reader.js';
import type { PriceReader } from '../streams/price-reader.js';
import type { SettlementWriter } from '../streams/settlement-writer.js';
import { applyChange } from './event-loop.js';

export interface StartupDeps {
  index: OpenBetIndex;
  prices: PriceReader;
  events: EventReader;
  writer: SettlementWriter;
  segments: SegmentReader;
  redis: Redis;
  channels: Channels;
  metrics: ResolverMetrics;
  log: Logger;
  eventsReplayMs: number;
  printHistoryMs: number;
  /** Prints the breaker judged from the prints needs before its state stops depending on its start (ms). */
  breakerWarmUpMs: number;
}

export async function rebuildIndex(deps: StartupDeps): Promise<{ eventsCursor: string }> {
  const { index, log } = deps;
  const startedAt = Date.now();
  const pendingPrints = await loadPrintHistory(deps);
  index.breaker.replace((await readBreakerIntervals(deps.redis, deps.channels)).intervals);
  const { bets, eventsCursor, counts } = await readOpenBets(deps, startedAt);

  const nowMs = Date.now();
  for (const betId of bets.closed) index.forget(betId, nowMs);
  const verdicts: Verdict[] = [];
  for (const bet of bets.open) {
    const verdict = index.add(bet, nowMs);
    if (verdict) verdicts.push(verdict);
  }
  for (const verdict of index.settleFinished(nowMs)) verdicts.push(verdict); // drops replayed windows
  const durationMs = Date.now() - startedAt;
  const historyPrints = index.history.size;
  const rebuilt = { ...counts, historyPrints, pendingPrints, openBets: index.openBets, durationMs };
  log.info({ ...rebuilt, decidedAtStart: verdicts.length }, 'index.rebuilt');
  const writtenAt = Date.now();
  await deps.writer.emit(verdicts, writtenAt);
  deps.metrics.observeEmitted(verdicts, writtenAt);
  return { eventsCursor };
}

/** Joins the group and reloads the prints earlier runs processed; returns how many are pending. */
async function loadPrintHistory(deps: StartupDeps): Promise<number> {
  await deps.prices.ensureGroup();
  const resume = await deps.prices.resumePoint();
  const readMs = deps.printHistoryMs + deps.breakerWarmUpMs;
  for (const print of await deps.prices.history(resume.historyEnd, readMs)) deps.index.recall(print);
  return resume.pending;
}

/** Settlements waiting in the stream, the SQLite snapshot and the events replay, merged. */
async function readOpenBets(deps: StartupDeps, startedAt: number) {
  const replayFromMs = startedAt - deps.eventsReplayMs;
  const settledInStream = await deps.writer.pendingBetIds();
  const snapshot = deps.segments.openBets();
  const changes: BetChange[] = [];
  const eventsCursor = await deps.events.replay(replayFromMs, (change) => {
    deps.metrics.countEvent(change.kind);
    if (change.kind === 'open' || change.kind === 'closed') changes.push(change);
    else applyChange(deps.index, change, startedAt, deps.log); // logs what cannot be used
  });
  const counts = {
    segment: deps.segments.currentSegment(),
    snapshotBets: snapshot.length,
    replayedEvents: changes.length,
    settledInStream: settledInStream.size,
  };
  return { bets: openBetsAtStart(snapshot, changes, settledInStream), eventsCursor, counts };
}
