/**
 * SPEC §12's "request → WebSocket `accepted`" with next-tick entry on (issue 22; docs/pricing.md
 * "Informed traders"): the bet waits for its fill print on purpose, so the target (p99 ≤ 50 ms) is
 * timed from the fill print, and the wait is reported beside it. The load worker times fill print →
 * `accepted` from each event's `fillPrint` (LoadRunResult.fillToAccepted); this reads the two other
 * parts once the batcher has drained:
 *
 * - the deliberate delay, receipt → fill print: each accepted next-tick bet's fill print `t` (its
 *   terms name it: `fillPrintOf`) minus its `placedAt`, from the stored bets — every bet of the
 *   window, not only the WebSocket wallets';
 * - price-ingest's publish lag, fill print `t` → its `tap:prices` entry id (the Redis time of the
 *   XADD), over the window's prints: how much of fill print → `accepted` passed before any other
 *   daemon could see the print.
 */
import type { Channels } from '@tap/channels';
import { entryJson } from '@tap/channels';
import { fillPrintOf, listSegments, openSegmentReadOnly, type Terms } from '@tap/domain';
import type { Redis } from 'ioredis';
import { percentile } from '../stats/percentile.js';

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface DelaySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** p50/p99/max of raw samples (ms); null for none. */
export function delaySummary(values: readonly number[]): DelaySummary | null {
  if (values.length === 0) return null;
  return {
    count: values.length,
    p50Ms: percentile(values, 50)!,
    p99Ms: percentile(values, 99)!,
    maxMs: values.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

interface StoredBet {
  id: string;
  t0: number;
  placedAt: number;
  terms: string;
}

/** Receipt → fill print of each next-tick bet (ms); a bet priced at receipt has none. */
export function fillDelaysOf(bets: Iterable<Pick<StoredBet, 't0' | 'placedAt' | 'terms'>>): number[] {
  const delays: number[] = [];
  for (const bet of bets) {
    const fill = fillPrintOf(bet.t0, JSON.parse(bet.terms) as Terms);
    if (fill !== undefined) delays.push(fill.t - bet.placedAt);
  }
  return delays;
}

/**
 * The deliberate delays of the bets received in `window` and accepted at their fill, from every
 * segment of `dataDir`: any status but `rejected` — without a resolver, the batcher's dead-man sweep
 * voids an accepted bet a minute after its window, which on a slow host falls before this read.
 */
export function readFillDelays(dataDir: string, window: Window): number[] {
  // By id: a bet carried over a roll-over is in two segments.
  const bets = new Map<string, StoredBet>();
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      const rows = db
        .prepare(
          `SELECT id, t0, placed_at AS placedAt, terms FROM bets
           WHERE status != 'rejected' AND placed_at >= ? AND placed_at < ?`,
        )
        .iterate(window.fromMs, window.toMs) as IterableIterator<StoredBet>;
      for (const row of rows) bets.set(row.id, row);
    } finally {
      db.close();
    }
  }
  return fillDelaysOf(bets.values());
}

/** A `tap:prices` entry's publish lag: its id's time (the XADD) − the print's `t`; null if unreadable. */
export function publishLagOf(streamId: string, fields: readonly string[]): number | null {
  const json = entryJson(fields);
  if (json === undefined) return null;
  const { t } = JSON.parse(json) as { t?: unknown };
  return typeof t === 'number' ? Number.parseInt(streamId, 10) - t : null;
}

/** The publish lags of the prints appended in `window` (one print every 100 ms: a few hundred). */
export async function readPublishLags(redis: Redis, channels: Channels, window: Window): Promise<number[]> {
  const entries = (await redis.xrange(
    channels.streams.prices,
    String(Math.floor(window.fromMs)),
    String(Math.ceil(window.toMs)),
  )) as [string, string[]][];
  return entries.flatMap(([id, fields]) => {
    const lag = publishLagOf(id, fields);
    return lag === null ? [] : [lag];
  });
}
