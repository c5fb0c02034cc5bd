/**
 * The breaker open intervals health-monitor records in `keys.breakerIntervals` (SPEC §9; format
 * and parser in `@tap/breaker`). The newest
 * `INTERVALS_MAX` are read: the breaker stays closed ≥ 30 s between openings, so they reach back
 * far beyond the oldest window the resolver can still settle (t0 + W + 60 s).
 */
import { parseIntervalMember } from '@tap/breaker';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import type { BreakerInterval } from '@tap/settlement';

export const INTERVALS_MAX = 64;

export interface BreakerIntervals {
  intervals: BreakerInterval[];
  /** Members that do not parse (health-monitor's contract broken): counted and logged by the caller. */
  malformed: string[];
}

export async function readBreakerIntervals(redis: Redis, channels: Channels): Promise<BreakerIntervals> {
  const members = await redis.zrevrange(channels.keys.breakerIntervals, 0, INTERVALS_MAX - 1);
  const result: BreakerIntervals = { intervals: [], malformed: [] };
  for (const member of members) {
    const interval = parseIntervalMember(member);
    if (interval) result.intervals.push(interval);
    else result.malformed.push(member);
  }
  return result;
}
