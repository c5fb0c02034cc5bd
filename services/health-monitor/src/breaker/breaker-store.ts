/**
 * The breaker's Redis writes, one MULTI per tick: the state hash with its heartbeat (every tick:
 * ingest-api fails closed when `heartbeatAt` is older than 5 s), the acknowledgement of the prints
 * read, and for each state change an entry on `tap:breaker`, a message on `breaker:changes` and
 * the open-interval bookkeeping. Changes whose write failed stay queued and go out with the next
 * tick, in order, so no transition is lost to a Redis hiccup.
 */

import type { ManualHalt } from '@tap/breaker';
import { INTERVALS_RETENTION_MS, intervalMember } from '@tap/breaker';
import { type Channels, encodeEntry } from '@tap/channels';
import type { BreakerEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { readOpenInterval } from './breaker-intervals.js';

export interface BreakerSnapshot {
  state: BreakerEntry['state'];
  reason: string;
  since: number;
  heartbeatAt: number;
}

/** tap:breaker holds changes only (a few a day); this bounds it anyway. */
const BREAKER_STREAM_MAXLEN = 10_000;
/** Changes waiting for a successful write; more means Redis has been gone for a long time. */
const PENDING_CHANGES_MAX = 1_000;

export async function createBreakerStore(redis: Redis, channels: Channels) {
  const { keys, streams, pubsub, groups } = channels;
  let openMember: string | null = null;
  const open = await readOpenInterval(redis, channels);
  if (open) openMember = intervalMember(open);
  const pending: BreakerEntry[] = [];

  return {
    openInterval: () => open,
    /**
     * An operator's halt (`keys.manualHalt`, set by tapctl): its start, or null. A value that is not
     * the JSON tapctl writes still halts (from now): an unreadable halt must not resume trading.
     */
    async manualHalt(nowMs: number): Promise<ManualHalt | null> {
      const raw = await redis.get(keys.manualHalt);
      if (raw === null) return null;
      const since = (safeJson(raw) as { since?: unknown } | undefined)?.since;
      return { since: typeof since === 'number' && Number.isSafeInteger(since) ? since : nowMs };
    },
    record(change: BreakerEntry) {
      pending.push(change);
      if (pending.length > PENDING_CHANGES_MAX) pending.shift();
    },
    async write(snapshot: BreakerSnapshot, ackIds: readonly string[]): Promise<BreakerEntry[]> {
      // Only the changes in this MULTI are done when it succeeds, not any recorded meanwhile.
      const sent = pending.length;
      const multi = redis.multi().hset(keys.breakerState, { ...snapshot });
      if (ackIds.length > 0) multi.xack(streams.prices, groups.healthMonitor, ...ackIds);
      let member = openMember;
      for (const change of pending) {
        const json = JSON.stringify(change);
        multi.xadd(
          streams.breaker,
          'MAXLEN',
          '~',
          BREAKER_STREAM_MAXLEN,
          '*',
          ...encodeEntry('breaker', change),
        );
        multi.publish(pubsub.breakerChanges, json);
        member = addIntervalOps(multi, keys.breakerIntervals, member, change);
      }
      const results = await multi.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('MULTI aborted');
      openMember = member;
      return pending.splice(0, sent);
    },
  };
}

export type BreakerStore = Awaited<ReturnType<typeof createBreakerStore>>;

type Multi = ReturnType<Redis['multi']>;

function addIntervalOps(
  multi: Multi,
  key: string,
  openMember: string | null,
  change: BreakerEntry,
): string | null {
  if (change.state === 'open') {
    if (openMember) return openMember;
    const member = intervalMember({ from: change.since, to: null, reason: change.reason });
    multi.zadd(key, change.since, member);
    return member;
  }
  if (!openMember) return null;
  const { from, reason } = JSON.parse(openMember) as { from: number; reason: string };
  multi.zrem(key, openMember);
  multi.zremrangebyscore(key, '-inf', `(${change.since - INTERVALS_RETENTION_MS}`);
  multi.zadd(key, from, intervalMember({ from, to: change.since, reason }));
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // handled by the caller as "no readable start"
  }
}
