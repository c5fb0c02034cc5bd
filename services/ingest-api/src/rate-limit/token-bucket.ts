/**
 * Per-wallet token bucket in one Redis Lua script (SPEC §5: defaults 5 bets/s, burst 10). The
 * bucket is one string `tokens:ts`, read with the caller's other keys in one MGET and written with
 * one `SET … PX` (issue 19: it was a hash, three commands a bet — HMGET, HSET, PEXPIRE); refill and
 * take happen atomically, so concurrent requests from one wallet on any number of connections share
 * one budget. An idle bucket expires once it would be full again, so Redis holds buckets only for
 * active wallets. A bucket still in the old hash form (written before the change) reads as nil
 * through MGET, i.e. full, once, and the next SET replaces it: at most one extra burst per wallet
 * across the deploy, which the rate limit tolerates (it guards load, not money).
 *
 * The same round trip also reads one more key for the caller (a bet refused before admission
 * reads its idempotency record, so a retry still gets its original answer). A bet that reaches
 * admission takes its token inside the admission script instead (TAKE_TOKEN_LUA).
 */
import type { Redis } from '@tap/runtime';

/**
 * The bucket as a Lua function, shared with the admission script (which takes the token in the
 * same round trip as the bet): `state` is the key's value as read by the caller's MGET (nil: a
 * full bucket); returns 0 when a token was taken, else the wait in ms.
 */
export const TAKE_TOKEN_LUA = `
local function takeToken(key, state, now, rate, burst)
  local tokens, ts = burst, now
  if state then
    local sep = string.find(state, ':', 1, true)
    if sep then
      tokens = tonumber(string.sub(state, 1, sep - 1)) or burst
      ts = tonumber(string.sub(state, sep + 1)) or now
    end
  end
  if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
  local ttl = math.ceil(burst * 1000 / rate) + 1000
  local waitMs = 0
  if tokens < 1 then waitMs = math.ceil((1 - tokens) * 1000 / rate) else tokens = tokens - 1 end
  redis.call('SET', key, tostring(tokens) .. ':' .. string.format('%d', math.max(now, ts)), 'PX', ttl)
  return waitMs
end
`;

// MGET answers nil for a missing key and for one of another type (an old hash bucket, see above).
const TAKE_SCRIPT = `${TAKE_TOKEN_LUA}
local got = redis.call('MGET', KEYS[1], KEYS[2] or KEYS[1])
local waitMs = takeToken(KEYS[1], got[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
local extra = false
if KEYS[2] then extra = got[2] end
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
