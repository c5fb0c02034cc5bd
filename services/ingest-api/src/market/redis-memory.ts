/**
 * Admission control by Redis memory (SPEC §6 "Redis memory budget", issue 16 "Redis memory as a
 * weapon"). Redis runs `noeviction`: once `used_memory` passes `maxmemory` every write fails —
 * prints and settlements included, and a print gap voids every unwon window, a free option for
 * whoever filled it. So the writes that outsiders can multiply stop first, leaving the rest of the
 * budget to what must never fail (prints, settlements, adjustments, events):
 *
 * - at ≥ `loginsMaxPct` (80 %) of `maxmemory`, new logins (and the demo faucet) answer
 *   `503 service_busy`;
 * - at ≥ `betsMaxPct` (90 %), new bets do too — retries included: the bet itself is safe in the
 *   stream, and `GET /v1/bets/:id` (a read) tells the client its state.
 *
 * `used_memory` and `maxmemory` are read with `INFO memory` every `refreshMs` (250 ms), not per
 * request: at 3,000 bets/s a bet leaves ~1 KB in Redis, so the reading lags by < 1 MB against the
 * 51 MB between the 90 % mark and the limit. A reading older than `readingAgeMsMax` (Redis
 * unreachable, or INFO refused) fails closed: logins and bets answer `503 service_unavailable`.
 * Redis without `maxmemory` (0) has no budget to keep: nothing is refused by this gate, and the
 * daemon warns at start (infra/redis.conf sets 512 MB).
 */
import type { ErrorCode } from '@tap/domain';
import { Gauge, type Logger, type Redis, type Registry } from '@tap/runtime';

export interface MemoryRules {
  loginsMaxPct: number;
  betsMaxPct: number;
  readingAgeMsMax: number;
}

export interface MemoryReading {
  usedBytes: number;
  maxBytes: number;
  atMs: number;
}

export type Gated = 'login' | 'bet';

/** The refusal for a new login or bet at this reading, or null when it may go ahead. */
export function memoryRefusal(
  reading: MemoryReading | null,
  what: Gated,
  nowMs: number,
  rules: MemoryRules,
): Extract<ErrorCode, 'service_busy' | 'service_unavailable'> | null {
  if (!reading || nowMs - reading.atMs > rules.readingAgeMsMax) return 'service_unavailable';
  if (reading.maxBytes <= 0) return null;
  const pct = what === 'login' ? rules.loginsMaxPct : rules.betsMaxPct;
  return reading.usedBytes * 100 >= reading.maxBytes * pct ? 'service_busy' : null;
}

/** `used_memory` and `maxmemory` from the text of `INFO memory`. */
export function parseMemoryInfo(info: string, atMs: number): MemoryReading | null {
  const field = (name: string) =>
    Number(new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info)?.[1] ?? Number.NaN);
  const usedBytes = field('used_memory');
  const maxBytes = field('maxmemory');
  if (!Number.isFinite(usedBytes) || !Number.isFinite(maxBytes)) return null;
  return { usedBytes, maxBytes, atMs };
}

export function startRedisMemory(parts: {
  redis: Redis;
  log: Logger;
  registry: Registry;
  refreshMs: number;
  rules: MemoryRules;
  now?: () => number;
}) {
  const { redis, log, rules } = parts;
  const now = parts.now ?? Date.now;
  let reading: MemoryReading | null = null;
  let stopped = false;
  let warnedUnbounded = false;
  let timer: NodeJS.Timeout | undefined;
  const ratio = new Gauge({
    name: 'tap_ingest_api_redis_memory_ratio',
    help: 'Redis used_memory / maxmemory as last read by the admission gate (0 when maxmemory is unset)',
    registers: [parts.registry],
  });

  const refresh = async () => {
    const next = parseMemoryInfo(await redis.info('memory'), now());
    if (!next) throw new Error('INFO memory lacks used_memory or maxmemory');
    reading = next;
    ratio.set(next.maxBytes > 0 ? next.usedBytes / next.maxBytes : 0);
    if (next.maxBytes <= 0 && !warnedUnbounded) {
      warnedUnbounded = true;
      log.warn({ usedBytes: next.usedBytes }, 'redis_memory.unbounded');
    }
  };
  const loop = () => {
    if (stopped) return;
    refresh()
      // Keep the last reading: its age makes the gate fail closed by itself.
      .catch((err: unknown) => log.warn({ err }, 'redis_memory.refresh_failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, parts.refreshMs);
      });
  };
  loop();
  return {
    refusal: (what: Gated) => memoryRefusal(reading, what, now(), rules),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type RedisMemory = Pick<ReturnType<typeof startRedisMemory>, 'refusal'>;
