/**
 * Answers a segment query through the reader worker (reader/reader-pool.ts): its body as the
 * worker encoded it, or `503 service_busy` (queue full, worker busy past its timeout, or replaced),
 * `400 invalid_query` (the range reaches too many archived weeks), or — when an archived week the
 * query needs is not in the restore cache — `202 restore_pending` with the job to poll, or the
 * limit that refused starting one (queries/history.ts).
 */

import type { History } from '../queries/history.js';
import type { ReaderPool } from '../reader/reader-pool.js';
import type { ReadAnswer, ReadQuery } from '../reader/reader-protocol.js';
import { type HttpCall, replyError } from './call.js';

export type ReadOk = Extract<ReadAnswer, { kind: 'ok' }>;

/** The worker's answer, or null once the call was answered otherwise. */
export async function read(
  call: HttpCall,
  deps: { reader: ReaderPool; history: History },
  query: ReadQuery,
): Promise<ReadOk | null> {
  const result = await deps.reader.read(query, () => call.aborted);
  if (!result.ok) {
    // A query that threw in the worker: the route's guard logs it and answers 500 internal.
    if (result.code === 'internal') throw new Error(`segment query failed: ${result.message}`);
    replyError(call, 'service_busy', { message: result.message, headers: { 'retry-after': '1' } });
    return null;
  }
  const answer = result.answer;
  if (answer.kind === 'ok') {
    await deps.history.touch(answer.restored);
    return answer;
  }
  if (answer.kind === 'invalid_query') {
    replyError(call, 'invalid_query', { message: answer.message });
    return null;
  }
  const userId = 'userId' in query ? query.userId : null;
  const verdict = await deps.history.startOrJoin(userId, answer.segment, answer.bytesTotal);
  if (verdict.code === 'restore_pending') {
    replyError(call, 'restore_pending', {
      message: `segment ${verdict.segment} is being restored from the archive; poll the job, then ask again`,
      details: {
        restoreJobId: verdict.jobId,
        segment: verdict.segment,
        statusUrl: `/v1/restores/${verdict.jobId}`,
      },
      headers: { 'retry-after': '2' },
    });
    return null;
  }
  replyError(call, verdict.code, {
    message: verdict.message,
    headers: { 'retry-after': String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))) },
  });
  return null;
}
