/**
 * Every breaker open interval, for the resolver (a bet whose window overlaps one is void, SPEC §4).
 *
 * Format: sorted set `keys.breakerIntervals`, score = the open time in ms, member = JSON
 * `{"from":<ms>,"to":<ms>|null,"reason":"<why it opened>"}`. `to` is null while the breaker is
 * open; closing replaces the member (ZREM + ZADD, same score) in the same MULTI that records the
 * change. Kept 30 days (trimmed when an interval closes). `readBreakerIntervals` is the reader.
 */
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';

export interface BreakerInterval {
  from: number;
  to: number | null;
  reason: string;
}

export const INTERVALS_RETENTION_MS = 30 * 86_400_000;

export function intervalMember(interval: BreakerInterval): string {
  return JSON.stringify({ from: interval.from, to: interval.to, reason: interval.reason });
}

export function parseIntervalMember(member: string): BreakerInterval | null {
  try {
    const value = JSON.parse(member) as Partial<BreakerInterval>;
    const toOk = value.to === null || Number.isSafeInteger(value.to);
    if (!Number.isSafeInteger(value.from) || !toOk || typeof value.reason !== 'string') return null;
    return { from: value.from as number, to: value.to as number | null, reason: value.reason };
  } catch {
    // Not ours (or corrupt): the reader skips it rather than fail every query.
    return null;
  }
}

/** Intervals overlapping [fromMs, toMs] (inclusive), oldest first; an open one counts up to now. */
export async function readBreakerIntervals(
  redis: Redis,
  channels: Channels,
  fromMs: number,
  toMs: number,
): Promise<BreakerInterval[]> {
  const members = await redis.zrangebyscore(channels.keys.breakerIntervals, '-inf', toMs);
  return members
    .map(parseIntervalMember)
    .filter((i): i is BreakerInterval => i !== null && (i.to === null || i.to >= fromMs));
}

/** The interval still open, if the newest one is (a restart continues it). */
export async function readOpenInterval(redis: Redis, channels: Channels): Promise<BreakerInterval | null> {
  const [member] = await redis.zrange(channels.keys.breakerIntervals, -1, -1);
  const interval = member ? parseIntervalMember(member) : null;
  return interval && interval.to === null ? interval : null;
}
