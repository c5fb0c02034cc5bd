/**
 * Historical queries (issue 17, SPEC §8): a query whose time range reaches into a segment that
 * lives only in S3 is answered from the archiver's restore cache (`DATA_DIR/restored/`) once the
 * segment is there, and meanwhile with `202 restore_pending` and the id of the one restore job of
 * that segment (`GET /v1/restores/:id` reports it). Which segments a range needs, and whether they
 * are cached, is decided next to the segment connections in the reader worker
 * (queries/archive-plan.ts); this is the Redis side, on the uWS thread: starting or joining the
 * restore job of a segment not cached yet, and recording the use of cached ones for the LRU.
 *
 * Limits, so nobody can make us download every archive: a query reaches at most
 * `HISTORY_SEGMENTS_PER_QUERY_MAX` archived segments (400 `invalid_query`, archive-plan.ts);
 * starting a job takes a token from the wallet's bucket (`RESTORE_JOBS_PER_HOUR_PER_WALLET`, 429
 * `rate_limited`; the public index history has no wallet and uses only the global one) and from the
 * global bucket (`RESTORE_JOBS_PER_HOUR`, 503 `service_unavailable`); at most `queuedMax` jobs wait
 * or run (503). Asking for a segment that already has a live job costs nothing and returns the same
 * job. The cache's size is the worker's bound (`RESTORE_CACHE_BYTES_MAX`, least recently used evicted).
 */

import { randomUUID } from 'node:crypto';
import { liveRestoreOf, requestRestore, touchRestored } from '@tap/archive/restore-jobs';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import type { TokenBucket } from '../rate-limit/token-bucket.js';

export interface HistoryDeps {
  redis: Redis;
  channels: Channels;
  now: () => number;
  perWallet: TokenBucket;
  global: TokenBucket;
  queuedMax: number;
}

export type RestoreVerdict =
  | { ok: false; code: 'restore_pending'; jobId: string; segment: string }
  | { ok: false; code: 'rate_limited' | 'service_unavailable'; retryAfterMs: number; message: string };

export interface History {
  /** The restore job of an archived segment a query needs and the cache does not hold yet. */
  startOrJoin(userId: string | null, segment: string, bytesTotal: number): Promise<RestoreVerdict>;
  /** Records that a query read these cached segments (the cache's LRU order). */
  touch(segments: string[]): Promise<void>;
}

export function createHistory(deps: HistoryDeps): History {
  return {
    startOrJoin: (userId, segment, bytesTotal) => startOrJoin(deps, userId, segment, bytesTotal),
    touch: (segments) => touchRestored(deps.redis, deps.channels, segments, deps.now()),
  };
}

async function startOrJoin(
  deps: HistoryDeps,
  userId: string | null,
  segment: string,
  bytesTotal: number,
): Promise<RestoreVerdict> {
  const live = await liveRestoreOf(deps.redis, deps.channels, segment);
  if (live) return { ok: false, code: 'restore_pending', jobId: live.id, segment };
  const nowMs = deps.now();
  if (userId !== null) {
    const taken = await deps.perWallet.take(deps.channels.keys.restoreRateLimit(userId), nowMs);
    if (!taken.ok) {
      return {
        ok: false,
        code: 'rate_limited',
        retryAfterMs: taken.retryAfterMs,
        message: 'this wallet started too many archive restores; retry later',
      };
    }
  }
  const global = await deps.global.take(deps.channels.keys.restoreRateLimitGlobal, nowMs);
  if (!global.ok) {
    return {
      ok: false,
      code: 'service_unavailable',
      retryAfterMs: global.retryAfterMs,
      message: 'too many archive restores right now; retry later',
    };
  }
  const request = await requestRestore(deps.redis, deps.channels, {
    jobId: randomUUID(),
    segment,
    bytesTotal,
    nowMs,
    queuedMax: deps.queuedMax,
  });
  if (!request.ok) {
    return {
      ok: false,
      code: 'service_unavailable',
      retryAfterMs: 60_000,
      message: 'the archive restore queue is full; retry later',
    };
  }
  return { ok: false, code: 'restore_pending', jobId: request.jobId, segment };
}
