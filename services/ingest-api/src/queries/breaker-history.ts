/**
 * `GET /v1/breaker/history?from&to`: the breaker's open intervals overlapping [from, to] (SPEC §4),
 * oldest first, as health-monitor recorded them — with `/v1/index/history` and `/v1/bets/:id`
 * anyone can recompute a void, like a win or a loss. Public like the index history. At most the
 * 30 days health-monitor keeps; no range that starts in the future.
 */
import { INTERVALS_RETENTION_MS, readBreakerIntervals } from '@tap/breaker';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import { z } from 'zod';

export const breakerHistoryQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
  })
  .strict()
  .refine(
    (q) => q.to > q.from && q.to - q.from <= INTERVALS_RETENTION_MS,
    'to must be after from, at most 30 days later (what health-monitor keeps)',
  );

export async function listBreakerIntervals(
  redis: Redis,
  channels: Channels,
  query: z.infer<typeof breakerHistoryQuerySchema>,
) {
  return {
    intervals: await readBreakerIntervals(redis, channels.keys.breakerIntervals, query.from, query.to),
  };
}
