/**
 * The breaker's open intervals as health-monitor records them (SPEC §9) and everyone else reads
 * them: the resolver (a bet whose window overlaps one is void, SPEC §4), `tapctl dispute`, and
 * `GET /v1/breaker/history` (so anyone can recompute a breaker void).
 *
 * Format: sorted set `keys.breakerIntervals`, score = the open time in ms, member = JSON
 * `{"from":<ms>,"to":<ms>|null,"reason":"<why it opened>"}`. `to` is null while the breaker is
 * open; closing replaces the member (same score). Kept `INTERVALS_RETENTION_MS`.
 */

export interface BreakerInterval {
  from: number;
  to: number | null;
  reason: string;
}

export const INTERVALS_RETENTION_MS = 30 * 86_400_000;

/** The one Redis command the reader needs (ioredis' `Redis` satisfies it). */
export interface IntervalSource {
  zrangebyscore(key: string, min: number | string, max: number | string): Promise<string[]>;
}

export function intervalMember(interval: BreakerInterval): string {
  return JSON.stringify({ from: interval.from, to: interval.to, reason: interval.reason });
}

/** The interval a member holds, or null when it is not one (health-monitor's contract broken). */
export function parseIntervalMember(member: string): BreakerInterval | null {
  let value: Partial<BreakerInterval>;
  try {
    value = JSON.parse(member) as Partial<BreakerInterval>;
  } catch {
    // Not JSON: reported as null like any other member that is not an interval.
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const toOk = value.to === null || (Number.isSafeInteger(value.to) && (value.to as number) >= 0);
  if (!Number.isSafeInteger(value.from) || (value.from as number) < 0 || !toOk) return null;
  if (typeof value.reason !== 'string') return null;
  return { from: value.from as number, to: value.to as number | null, reason: value.reason };
}

/**
 * Intervals during which the breaker was open at some moment of [fromMs, toMs] (inclusive),
 * oldest first; one still open counts up to now. Members that are not intervals are skipped.
 */
export async function readBreakerIntervals(
  redis: IntervalSource,
  key: string,
  fromMs: number,
  toMs: number,
): Promise<BreakerInterval[]> {
  const members = await redis.zrangebyscore(key, '-inf', toMs);
  return members
    .map(parseIntervalMember)
    .filter((i): i is BreakerInterval => i !== null && (i.to === null || i.to >= fromMs));
}
