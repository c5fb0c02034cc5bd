/**
 * Per-wallet token bucket in one Redis Lua script (SPEC §5: defaults 5 bets/s, burst 10). The
 * bucket is a hash {tokens, ts}; refill and take happen atomically, so concurrent requests from
 * one wallet on any number of connections share one budget. An idle bucket expires once it would
 * be full again, so Redis holds buckets only for active wallets.
 *
 * The same round trip also reads one more key for the caller (a bet refused before admission
 * reads its idempotency record, so a retry still gets its original answer). A bet that reaches
 * admission takes its token inside the admission script instead (TAKE_TOKEN_LUA).
 */
import type { Redis } from '@tap/runtime';

/**
 * The bucket as a Lua function, shared with the admission script (which takes the token in the
 * same round trip as the bet): returns 0 when a token was taken, else the wait in ms.
 */
export const TAKE_TOKEN_LUA = `
local function takeToken(key, now, rate, burst)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1]) or burst
  local ts = tonumber(state[2]) or now
  if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
  local ttl = math.ceil(burst * 1000 / rate) + 1000
  local waitMs = 0
  if tokens < 1 then waitMs = math.ceil((1 - tokens) * 1000 / rate) else tokens = tokens - 1 end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', math.max(now, ts))
  redis.call('PEXPIRE', key, ttl)
  return waitMs
end
`;

const TAKE_SCRIPT = `${TAKE_TOKEN_LUA}
local waitMs = takeToken(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
local extra = false
if KEYS[2] then extra = redis.call('GET', KEYS[2]) end
return {waitMs, extra}
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
