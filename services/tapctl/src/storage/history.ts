/**
 * tapctl's historical reads (issue 17, SPEC §8): a `--from` reaching a week that lives only in S3
 * reads the copy the archiver's restore worker keeps in `DATA_DIR/restored/`. A week not cached yet
 * is asked for through the same restore job ingest-api's queries use (one job per segment; an
 * operator takes no wallet budget) and, with `--wait`, waited for; without it the command fails
 * naming the job, to be run again once `GET /v1/restores/<id>` says `done`.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { archivedOverlapping, readLocalManifest } from '@tap/archive/manifest-schema';
import { liveRestoreOf, readRestoreJob, requestRestore, touchRestored } from '@tap/archive/restore-jobs';
import { createChannels } from '@tap/channels';
import { listSegments, restoredSegmentPath } from '@tap/domain';
import { failure } from '../cli-error.js';
import type { CommandContext } from '../commands/context.js';
import { connectRedis } from './redis.js';

/** Restore jobs an operator may leave waiting (a generous bound: the worker serves one at a time). */
const QUEUED_MAX = 64;
const POLL_MS = 250;

/** The archived weeks `[fromMs, toMs]` reaches, once they are in the restore cache. */
export async function restoredFor(
  ctx: CommandContext,
  range: { fromMs: number; toMs: number },
  options: { wait: boolean; waitMs: number },
): Promise<string[]> {
  const dataDir = ctx.config.DATA_DIR;
  const manifest = readLocalManifest(dataDir);
  if (!manifest) return [];
  const local = new Set(listSegments(dataDir).map((s) => s.name));
  const needed = archivedOverlapping(manifest, range.fromMs, range.toMs).filter((e) => !local.has(e.segment));
  if (needed.length === 0) return [];
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    for (const entry of needed) {
      if (existsSync(restoredSegmentPath(dataDir, entry.segment))) continue;
      const live = await liveRestoreOf(redis, channels, entry.segment);
      const asked = live
        ? { ok: true as const, jobId: live.id }
        : await requestRestore(redis, channels, {
            jobId: randomUUID(),
            segment: entry.segment,
            bytesTotal: entry.compressed.bytes,
            nowMs: Date.now(),
            queuedMax: QUEUED_MAX,
          });
      if (!asked.ok) throw failure(`the restore queue is full (${QUEUED_MAX} jobs); retry later`);
      if (!options.wait) {
        throw failure(
          `restore_pending: ${entry.segment} is being restored from the archive (job ${asked.jobId}); run again with --wait, or when it is done`,
        );
      }
      await waitForJob(redis, channels, asked.jobId, options.waitMs);
    }
    const names = needed.map((e) => e.segment);
    await touchRestored(redis, channels, names, Date.now());
    return names;
  } finally {
    redis.disconnect();
  }
}

async function waitForJob(
  redis: Parameters<typeof readRestoreJob>[0],
  channels: ReturnType<typeof createChannels>,
  jobId: string,
  waitMs: number,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const job = await readRestoreJob(redis, channels, jobId);
    if (job?.state === 'done') return;
    if (!job || job.state === 'failed') {
      throw failure(`restore job ${jobId} of ${job?.segment ?? '?'} failed: ${job?.error ?? 'job gone'}`);
    }
    if (Date.now() > deadline)
      throw failure(`restore job ${jobId} still ${job.state} after ${waitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
