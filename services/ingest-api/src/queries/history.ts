/**
 * Historical queries (issue 17, SPEC §8): a query whose time range reaches into a segment that
 * lives only in S3 is answered from the archiver's restore cache (`DATA_DIR/restored/`) once the
 * segment is there, and meanwhile with `202 restore_pending` and the id of the one restore job of
 * that segment (`GET /v1/restores/:id` reports it). Which segments a range needs comes from the
 * archiver's local manifest copy (`DATA_DIR/archive-manifest.json`); without one, nothing is
 * archived and every query is local.
 *
 * Limits, so nobody can make us download every archive: a query reaches at most
 * `segmentsPerQueryMax` archived segments (else 400 `invalid_query`); starting a job takes a token
 * from the wallet's bucket (`RESTORE_JOBS_PER_HOUR_PER_WALLET`, 429 `rate_limited`; the public
 * index history has no wallet and uses only the global one) and from the global bucket
 * (`RESTORE_JOBS_PER_HOUR`, 503 `service_unavailable`); at most `queuedMax` jobs wait or run (503).
 * Asking for a segment that already has a live job costs nothing and returns the same job.
 * The cache's size is the worker's bound (`RESTORE_CACHE_BYTES_MAX`, least recently used evicted).
 */

import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import {
  archivedOverlapping,
  localManifestPath,
  type Manifest,
  readLocalManifest,
} from '@tap/archive/manifest-schema';
import { liveRestoreOf, requestRestore, touchRestored } from '@tap/archive/restore-jobs';
import type { Channels } from '@tap/channels';
import { restoredSegmentPath, type SegmentView, withRestoredSegments } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type { TokenBucket } from '../rate-limit/token-bucket.js';

export interface HistoryDeps {
  dataDir: string;
  segments: SegmentView;
  redis: Redis;
  channels: Channels;
  now: () => number;
  perWallet: TokenBucket;
  global: TokenBucket;
  segmentsPerQueryMax: number;
  queuedMax: number;
}

export type HistoryVerdict =
  | { ok: true; view: SegmentView; release: () => void }
  | { ok: false; code: 'restore_pending'; jobId: string; segment: string }
  | { ok: false; code: 'rate_limited' | 'service_unavailable'; retryAfterMs: number; message: string }
  | { ok: false; code: 'invalid_query'; message: string };

export interface History {
  /** The view a query over `[fromMs, toMs]` reads, or why it cannot be answered yet. */
  viewFor(userId: string | null, range: { fromMs: number; toMs: number }): Promise<HistoryVerdict>;
}

export function createHistory(deps: HistoryDeps): History {
  const manifest = localManifestReader(deps.dataDir);
  const local = { ok: true as const, view: deps.segments, release: () => {} };
  return {
    async viewFor(userId, range) {
      const archived = manifest();
      if (!archived) return local;
      const localNames = new Set(deps.segments.segments().map((s) => s.name));
      const needed = archivedOverlapping(archived, range.fromMs, range.toMs).filter(
        (entry) => !localNames.has(entry.segment),
      );
      if (needed.length === 0) return local;
      if (needed.length > deps.segmentsPerQueryMax) {
        return {
          ok: false,
          code: 'invalid_query',
          message: `the range reaches ${needed.length} archived segments; at most ${deps.segmentsPerQueryMax} per query, narrow it`,
        };
      }
      const missing = needed.find((e) => !existsSync(restoredSegmentPath(deps.dataDir, e.segment)));
      if (missing) return startOrJoin(deps, userId, missing.segment, missing.compressed.bytes);
      const names = needed.map((e) => e.segment);
      await touchRestored(deps.redis, deps.channels, names, deps.now());
      try {
        const view = withRestoredSegments(deps.segments, deps.dataDir, names);
        view.segments(); // opens the restored files now: one evicted since the check is caught here
        return { ok: true, view, release: () => view.close() };
      } catch (err) {
        if (names.every((n) => existsSync(restoredSegmentPath(deps.dataDir, n)))) throw err;
        const gone = names.find((n) => !existsSync(restoredSegmentPath(deps.dataDir, n)))!;
        return startOrJoin(deps, userId, gone, needed.find((e) => e.segment === gone)!.compressed.bytes);
      }
    },
  };
}

async function startOrJoin(
  deps: HistoryDeps,
  userId: string | null,
  segment: string,
  bytesTotal: number,
): Promise<HistoryVerdict> {
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

/** The local manifest copy, re-read only when the file changed (a stat per historical query). */
function localManifestReader(dataDir: string): () => Manifest | null {
  let seen = { mtimeMs: -1, size: -1 };
  let cached: Manifest | null = null;
  return () => {
    let stat: { mtimeMs: number; size: number };
    try {
      stat = statSync(localManifestPath(dataDir));
    } catch {
      // No manifest copy (nothing archived on this machine yet): every query is local.
      return null;
    }
    if (stat.mtimeMs !== seen.mtimeMs || stat.size !== seen.size) {
      cached = readLocalManifest(dataDir);
      seen = { mtimeMs: stat.mtimeMs, size: stat.size };
    }
    return cached;
  };
}
