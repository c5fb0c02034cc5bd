/**
 * Per-wallet token bucket in one Redis Lua script (SPEC §5: defaults 5 bets/s, burst 10). The
 * bucket is a hash {tokens, ts}; refill and take happen atomically, so concurrent requests from
 * one wallet on any number of connections share one budget. An idle bucket expires once it would
 * be full again, so Redis holds buckets only for active wallets.
 *
 * The same round trip also reads one more key for the caller (admission reads the bet's
 * idempotency record), so a bet costs one Redis round trip here instead of two.
 */
import type { Redis } from '@tap/runtime';

const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local ttl = math.ceil(burst * 1000 / rate) + 1000
local extra = false
if KEYS[2] then extra = redis.call('GET', KEYS[2]) end
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', math.max(now, ts))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {math.ceil((1 - tokens) * 1000 / rate), extra}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', math.max(now, ts))
redis.call('PEXPIRE', KEYS[1], ttl)
return {0, extra}
`;

export interface TokenBucketRule {
  ratePerS: number;
  burst: number;
}

/** `read` is the value of the extra key (null when it is absent or none was asked for). */
export type TakeResult =
  | { ok: true; read: string | null }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number; read: string | null };

interface BucketRedis extends Redis {
  tapTakeToken(...keysAndArgs: (string | number)[]): Promise<[number, string | null]>;
}

export function createTokenBucket(redis: Redis, rule: TokenBucketRule) {
  redis.defineCommand('tapTakeToken', { lua: TAKE_SCRIPT });
  const scripted = redis as BucketRedis;
  return {
    async take(key: string, nowMs: number, alsoRead?: string): Promise<TakeResult> {
      const keys = alsoRead ? [2, key, alsoRead] : [1, key];
      const [waitMs, read] = await scripted.tapTakeToken(...keys, nowMs, rule.ratePerS, rule.burst);
      if (waitMs === 0) return { ok: true, read: read ?? null };
      return { ok: false, code: 'rate_limited', retryAfterMs: waitMs, read: read ?? null };
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;
