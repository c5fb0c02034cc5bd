/**
 * `GET /v1/restores/:id`: a restore job of a historical query (queries/history.ts) — its segment,
 * state (`queued`, `fetching`, `verifying`, `done`, `failed` with an `error` code) and download
 * progress. Public like `/v1/index/history`, whose queries can start one; it names only an archived
 * segment, never whose query asked. Jobs are kept 24 h.
 */
import { readRestoreJob } from '@tap/archive/restore-jobs';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function restoreStatus(redis: Redis, channels: Channels, jobId: string) {
  if (!JOB_ID.test(jobId)) return null;
  const job = await readRestoreJob(redis, channels, jobId);
  if (!job) return null;
  return {
    restoreJobId: job.id,
    segment: job.segment,
    state: job.state,
    bytesDone: job.bytesDone,
    bytesTotal: job.bytesTotal,
    requestedAt: job.requestedAtMs,
    updatedAt: job.updatedAtMs,
    ...(job.error ? { error: job.error } : {}),
  };
}
