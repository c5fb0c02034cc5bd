/**
 * Restore jobs of historical queries (issue 17, SPEC §8): a query that reaches into a segment
 * that lives only in S3 asks for it here and answers `202 restore_pending` with the job id; the
 * archiver's restore worker fetches, verifies and caches the segment and records its progress in
 * the job; `GET /v1/restores/:id` reads it back.
 *
 * One job per segment however many ask: `restoreOfSegment(segment)` names the live job, created in
 * the same Lua step as the job record and the request entry, so two concurrent askers get the same
 * id. A job that ended (`done`, `failed`) no longer counts as live: a later ask after an eviction or
 * a failure starts a new one. Requests waiting or in progress are bounded (`queuedMax`, counted as
 * the request stream's length — the worker deletes each request once it is finished).
 *
 * No S3 client here: ingest-api imports this through `@tap/archive/restore-jobs`.
 */
import type { Channels } from '@tap/channels';

export const RESTORE_STATES = ['queued', 'fetching', 'verifying', 'done', 'failed'] as const;
export type RestoreState = (typeof RESTORE_STATES)[number];

export interface RestoreJob {
  id: string;
  segment: string;
  state: RestoreState;
  /** Compressed bytes downloaded so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  requestedAtMs: number;
  updatedAtMs: number;
  /** Why it failed (a code: `not_archived`, `integrity_mismatch`, `cache_too_small`, `s3_failed`). */
  error?: string;
}

/** The one command entry point used here (ioredis `Redis#call`). */
export interface JobRedis {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** How long a job record (and its segment's live-job pointer) is kept. */
export const RESTORE_JOB_TTL_S = 86_400;

const REQUEST_LUA = `
local live = redis.call('GET', KEYS[1])
if live then
  local state = redis.call('HGET', ARGV[7] .. live, 'state')
  if state and state ~= 'done' and state ~= 'failed' then return {'existing', live} end
end
if redis.call('XLEN', KEYS[3]) >= tonumber(ARGV[4]) then return {'busy', ''} end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'segment', ARGV[2], 'state', 'queued', 'bytesDone', 0,
  'bytesTotal', ARGV[6], 'requestedAtMs', ARGV[3], 'updatedAtMs', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('XADD', KEYS[3], '*', 'jobId', ARGV[1], 'segment', ARGV[2])
return {'created', ARGV[1]}
`;

export type RestoreRequestResult =
  | { ok: true; jobId: string; created: boolean }
  | { ok: false; code: 'restore_queue_full' };

/** Asks for `segment` (one job per segment); `bytesTotal` is its compressed size from the manifest. */
export async function requestRestore(
  redis: JobRedis,
  channels: Channels,
  request: { jobId: string; segment: string; bytesTotal: number; nowMs: number; queuedMax: number },
): Promise<RestoreRequestResult> {
  const jobKeyPrefix = channels.keys.restoreJob('');
  const [outcome, jobId] = (await redis.call(
    'EVAL',
    REQUEST_LUA,
    3,
    channels.keys.restoreOfSegment(request.segment),
    channels.keys.restoreJob(request.jobId),
    channels.streams.restores,
    request.jobId,
    request.segment,
    request.nowMs,
    request.queuedMax,
    RESTORE_JOB_TTL_S,
    request.bytesTotal,
    jobKeyPrefix,
  )) as [string, string];
  if (outcome === 'busy') return { ok: false, code: 'restore_queue_full' };
  return { ok: true, jobId, created: outcome === 'created' };
}

/** The live job of a segment (queued or in progress), or null. */
export async function liveRestoreOf(
  redis: JobRedis,
  channels: Channels,
  segment: string,
): Promise<RestoreJob | null> {
  const jobId = (await redis.call('GET', channels.keys.restoreOfSegment(segment))) as string | null;
  if (!jobId) return null;
  const job = await readRestoreJob(redis, channels, jobId);
  return job && job.state !== 'done' && job.state !== 'failed' ? job : null;
}

export async function readRestoreJob(
  redis: JobRedis,
  channels: Channels,
  jobId: string,
): Promise<RestoreJob | null> {
  const flat = (await redis.call('HGETALL', channels.keys.restoreJob(jobId))) as string[];
  if (flat.length === 0) return null;
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return {
    id: h.id ?? jobId,
    segment: h.segment ?? '',
    state: (RESTORE_STATES as readonly string[]).includes(h.state ?? '')
      ? (h.state as RestoreState)
      : 'failed',
    bytesDone: Number(h.bytesDone ?? 0),
    bytesTotal: Number(h.bytesTotal ?? 0),
    requestedAtMs: Number(h.requestedAtMs ?? 0),
    updatedAtMs: Number(h.updatedAtMs ?? 0),
    ...(h.error ? { error: h.error } : {}),
  };
}

/** The worker's progress and outcome; an ended job releases its segment's live-job pointer. */
export async function updateRestoreJob(
  redis: JobRedis,
  channels: Channels,
  job: { id: string; segment: string },
  update: { state: RestoreState; nowMs: number; bytesDone?: number; error?: string },
): Promise<void> {
  const fields: (string | number)[] = ['state', update.state, 'updatedAtMs', update.nowMs];
  if (update.bytesDone !== undefined) fields.push('bytesDone', update.bytesDone);
  if (update.error !== undefined) fields.push('error', update.error);
  await redis.call('HSET', channels.keys.restoreJob(job.id), ...fields);
  if (update.state === 'done' || update.state === 'failed') {
    // Only this job's pointer: a newer job of the same segment keeps its own.
    await redis.call(
      'EVAL',
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      channels.keys.restoreOfSegment(job.segment),
      job.id,
    );
  }
}

/** Records that a query read a restored segment now (the cache evicts the least recently used). */
export async function touchRestored(
  redis: JobRedis,
  channels: Channels,
  segments: readonly string[],
  nowMs: number,
): Promise<void> {
  if (segments.length === 0) return;
  await redis.call('ZADD', channels.keys.restoreCacheUse, ...segments.flatMap((s) => [nowMs, s]));
}
