/**
 * The breaker open intervals health-monitor records in `keys.breakerIntervals` (SPEC §9): a sorted
 * set scored by open time whose members are JSON `{from, to|null, reason}`. The newest
 * `INTERVALS_MAX` are read: the breaker stays closed ≥ 30 s between openings, so they reach back
 * far beyond the oldest window the resolver can still settle (t0 + W + 60 s).
 */
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import type { BreakerInterval } from '@tap/settlement';
import { z } from 'zod';

export const INTERVALS_MAX = 64;

const intervalSchema = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative().nullable(),
  reason: z.string(),
});

export interface BreakerIntervals {
  intervals: BreakerInterval[];
  /** Members that do not parse (health-monitor's contract broken): counted and logged by the caller. */
  malformed: string[];
}

export async function readBreakerIntervals(redis: Redis, channels: Channels): Promise<BreakerIntervals> {
  const members = await redis.zrevrange(channels.keys.breakerIntervals, 0, INTERVALS_MAX - 1);
  const result: BreakerIntervals = { intervals: [], malformed: [] };
  for (const member of members) {
    const parsed = intervalSchema.safeParse(parseJson(member));
    if (parsed.success)
      result.intervals.push({ from: parsed.data.from, to: parsed.data.to, reason: parsed.data.reason });
    else result.malformed.push(member);
  }
  return result;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Reported as malformed by the schema check that follows.
    return undefined;
  }
}
