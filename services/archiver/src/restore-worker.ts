/**
 * The restore worker (`archiver restores`, a long-running daemon: tap-archiver-restores.service):
 * serves the restore jobs historical queries ask for (issue 17, SPEC §8 "historical queries start
 * an asynchronous restore"). One job at a time, from the `restores` stream's consumer group (its
 * own pending entries first, so a job cut by a crash or SIGTERM is redone, never lost):
 *
 * 1. already in the cache → done at once (a second ask that raced the first one's end);
 * 2. the segment must be in the bucket's manifest (also refreshes the local copy ingest-api reads);
 * 3. room in the bounded cache (least recently used evicted; bigger than the cache → failed);
 * 4. download (progress in the job), verify: both sha256 against the manifest, the segment proof
 *    (integrity_check, chain, balance == SUM(ledger)), its ledger head against the manifest's;
 * 5. switch the copy to a rollback journal (readers open it read-only without a -shm file) and
 *    rename it into `restored/` — only a verified segment is ever visible there.
 *
 * Then the job is `done` or `failed` with a code; the request is acknowledged and deleted (the
 * stream's length is the queue bound ingest-api checks).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fetchVerifiedSegment,
  IntegrityError,
  localManifestPath,
  type RestoreState,
  readManifest,
  saveLocalManifest,
  stagedSegmentPath,
  type TransferContext,
  updateRestoreJob,
} from '@tap/archive';
import { ackEntries, type Channels, claimAbandoned, ensureGroup, readGroup } from '@tap/channels';
import { restoredSegmentPath } from '@tap/domain';
import type { Logger, Redis } from '@tap/runtime';
import Database from 'better-sqlite3';
import { stagingDir } from './archive-job.js';
import { cachedSegments, makeRoom, restoredDir } from './restore-cache.js';

export interface RestoreWorkerOptions {
  redis: Redis;
  channels: Channels;
  ctx: TransferContext;
  dataDir: string;
  cacheBytesMax: number;
  log: Logger;
  /** Counts each ended job by outcome (`done`, or the failure code). */
  onJobEnded?: (outcome: string, cacheBytes: number) => void;
  signal: AbortSignal;
}

const CONSUMER = 'restore-worker';
/** How often progress is written to the job while downloading. */
const PROGRESS_INTERVAL_MS = 250;

/** Serves jobs until `signal` aborts; a job cut by the abort stays pending for the next start. */
export async function runRestoreWorker(options: RestoreWorkerOptions): Promise<void> {
  const { redis, channels, signal } = options;
  const stream = channels.streams.restores;
  const group = channels.groups.archiver;
  await ensureGroup(redis, stream, group, '0');
  // One worker runs (systemd): requests another consumer name left pending are ours to redo.
  await claimAbandoned(redis, stream, group, CONSUMER, 100);
  let after = '0';
  while (!signal.aborted) {
    const entries = await readGroup(redis, {
      group,
      consumer: CONSUMER,
      from: [{ stream, after }],
      count: 1,
      blockMs: after === '>' ? 1_000 : undefined,
    });
    if (entries.length === 0) {
      after = '>';
      continue;
    }
    for (const entry of entries) {
      const fields = fieldsOf(entry.fields);
      if (fields.jobId && fields.segment) {
        await serveJob(options, { id: fields.jobId, segment: fields.segment });
        if (signal.aborted) return;
      }
      await ackEntries(redis, group, [entry]);
      await redis.call('XDEL', stream, entry.id);
    }
  }
}

async function serveJob(options: RestoreWorkerOptions, job: { id: string; segment: string }) {
  const { redis, channels, log } = options;
  const set = (state: RestoreState, extra: { bytesDone?: number; error?: string } = {}) =>
    updateRestoreJob(redis, channels, job, { state, nowMs: Date.now(), ...extra });
  const startedAt = Date.now();
  try {
    const outcome = await restoreIntoCache(options, job, set);
    await set(outcome.ok ? 'done' : 'failed', outcome.ok ? {} : { error: outcome.code });
    log.info(
      {
        job: job.id,
        segment: job.segment,
        outcome: outcome.ok ? 'done' : outcome.code,
        ms: Date.now() - startedAt,
      },
      'restore.ended',
    );
    options.onJobEnded?.(outcome.ok ? 'done' : outcome.code, cacheBytes(options.dataDir));
  } catch (err) {
    if (options.signal.aborted) return;
    const code = err instanceof IntegrityError ? 'integrity_mismatch' : 's3_failed';
    log.error({ err, job: job.id, segment: job.segment, code }, 'restore.failed');
    await set('failed', { error: code });
    options.onJobEnded?.(code, cacheBytes(options.dataDir));
  }
}

type Outcome = { ok: true } | { ok: false; code: 'not_archived' | 'cache_too_small' };

async function restoreIntoCache(
  options: RestoreWorkerOptions,
  job: { id: string; segment: string },
  set: (state: RestoreState, extra?: { bytesDone?: number }) => Promise<void>,
): Promise<Outcome> {
  const { ctx, dataDir } = options;
  const target = restoredSegmentPath(dataDir, job.segment);
  if (existsSync(target)) return { ok: true };
  const manifest = await readManifest(ctx);
  await saveLocalManifest(manifest, localManifestPath(dataDir));
  const entry = manifest.segments[job.segment];
  if (!entry) return { ok: false, code: 'not_archived' };
  const room = makeRoom(
    dataDir,
    cachedSegments(dataDir, await lastUses(options)),
    entry.plain.bytes,
    options.cacheBytesMax,
  );
  if (!room.ok) return room;
  if (room.evicted.length > 0) options.log.info({ evicted: room.evicted }, 'restore.evicted');

  await set('fetching', { bytesDone: 0 });
  const staging = join(stagingDir(dataDir), `restore-${job.id}`);
  await mkdir(staging, { recursive: true });
  try {
    let lastWriteMs = 0;
    const progressCtx: TransferContext = {
      ...ctx,
      onProgress: (_key, received, total) => {
        const now = Date.now();
        if (received < total && now - lastWriteMs < PROGRESS_INTERVAL_MS) return;
        lastWriteMs = now;
        void set(received < total ? 'fetching' : 'verifying', { bytesDone: received });
      },
    };
    const source = { from: 'archive', segment: job.segment, entry } as const;
    await fetchVerifiedSegment(progressCtx, source, staging, manifest.anchors);
    const staged = stagedSegmentPath(staging, job.segment);
    const db = new Database(staged);
    db.pragma('journal_mode = DELETE');
    db.close();
    await mkdir(restoredDir(dataDir), { recursive: true });
    await rename(staged, target);
    return { ok: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function lastUses(options: RestoreWorkerOptions): Promise<Map<string, number>> {
  const flat = (await options.redis.call(
    'ZRANGE',
    options.channels.keys.restoreCacheUse,
    0,
    -1,
    'WITHSCORES',
  )) as string[];
  const used = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) used.set(flat[i]!, Number(flat[i + 1]));
  return used;
}

function cacheBytes(dataDir: string): number {
  return cachedSegments(dataDir, new Map()).reduce((sum, c) => sum + c.bytes, 0);
}

function fieldsOf(flat: string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; flat && i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
