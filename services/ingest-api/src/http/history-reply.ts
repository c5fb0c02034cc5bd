/**
 * Answers a query that may reach archived segments (queries/history.ts): with the view it needs
 * (released after the answer), or `202 restore_pending` + the job id and where to poll it, or the
 * limit that refused starting a restore. A null range is a local query: the segment view as is.
 */
import type { SegmentView } from '@tap/domain';
import type { History } from '../queries/history.js';
import { type HttpCall, replyError } from './call.js';

export async function answerWithHistory(
  call: HttpCall,
  deps: { history: History; segments: SegmentView },
  who: { userId: string | null; range: { fromMs: number; toMs: number } | null },
  answer: (view: SegmentView) => void | Promise<void>,
): Promise<void> {
  if (who.range === null) return answer(deps.segments);
  const verdict = await deps.history.viewFor(who.userId, who.range);
  if (verdict.ok) {
    try {
      return await answer(verdict.view);
    } finally {
      verdict.release();
    }
  }
  if (verdict.code === 'restore_pending') {
    return replyError(call, 'restore_pending', {
      message: `segment ${verdict.segment} is being restored from the archive; poll the job, then ask again`,
      details: {
        restoreJobId: verdict.jobId,
        segment: verdict.segment,
        statusUrl: `/v1/restores/${verdict.jobId}`,
      },
      headers: { 'retry-after': '2' },
    });
  }
  if (verdict.code === 'invalid_query')
    return replyError(call, 'invalid_query', { message: verdict.message });
  replyError(call, verdict.code, {
    message: verdict.message,
    headers: { 'retry-after': String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))) },
  });
}
