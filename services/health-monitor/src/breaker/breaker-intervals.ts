/**
 * health-monitor's side of the breaker intervals (format and reader in `@tap/breaker`): the
 * interval still open after a restart, which the new run continues.
 */
import { type BreakerInterval, parseIntervalMember } from '@tap/breaker';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';

/** The interval still open, if the newest one is (a restart continues it). */
export async function readOpenInterval(redis: Redis, channels: Channels): Promise<BreakerInterval | null> {
  const [member] = await redis.zrange(channels.keys.breakerIntervals, -1, -1);
  const interval = member ? parseIntervalMember(member) : null;
  return interval && interval.to === null ? interval : null;
}
