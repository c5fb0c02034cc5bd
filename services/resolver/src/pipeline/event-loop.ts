/**
 * Keeps the open-bet index current from `tap:events` (XREAD after the last id seen, bounded
 * BLOCK): `accepted` adds a bet — decided at once if the prints already processed decide it —
 * and won/lost/void/rejected drops one. Verdicts of late bets are written before the next read.
 */
import type { Logger } from '@tap/runtime';
import type { OpenBetIndex, Verdict } from '@tap/settlement';
import type { ResolverMetrics } from '../metrics.js';
import type { ChangeResult, EventReader } from '../streams/event-reader.js';
import type { SettlementWriter } from '../streams/settlement-writer.js';

export interface EventLoopDeps {
  index: OpenBetIndex;
  events: EventReader;
  writer: SettlementWriter;
  metrics: ResolverMetrics;
  log: Logger;
  readCount: number;
  blockMs: number;
  /** Where the start-up replay stopped. */
  cursor: string;
}

export function createEventStep(deps: EventLoopDeps): () => Promise<void> {
  const { index, events, writer, metrics, log } = deps;
  let cursor = deps.cursor;
  let unsent: Verdict[] = [];

  const flush = async () => {
    if (unsent.length === 0) return;
    const nowMs = Date.now();
    await writer.emit(unsent, nowMs);
    metrics.observeEmitted(unsent, nowMs);
    unsent = [];
  };

  return async () => {
    await flush();
    const read = await events.readAfter(cursor, deps.readCount, deps.blockMs);
    cursor = read.cursor;
    const nowMs = Date.now();
    for (const change of read.changes) {
      const verdict = applyChange(index, change, nowMs, log);
      metrics.countEvent(change.kind);
      if (verdict) unsent.push(verdict);
    }
    await flush();
  };
}

/** Applies one event to the index; returns the verdict of a bet the processed prints already decide. */
export function applyChange(
  index: OpenBetIndex,
  change: ChangeResult,
  nowMs: number,
  log: Logger,
): Verdict | null {
  switch (change.kind) {
    case 'open':
      return index.add(change.bet, nowMs);
    case 'closed':
      index.forget(change.betId, nowMs);
      return null;
    case 'unknown_cell':
      log.error({ betId: change.betId }, 'event.accepted_bet_not_found');
      return null;
    case 'malformed':
      log.warn({ reason: change.reason }, 'event.malformed');
      return null;
    default:
      return null;
  }
}
