/**
 * Per-wallet token bucket in one Redis Lua script (SPEC §5: defaults 5 bets/s, burst 10). The
 * bucket is one string `tokens:ts`; refill and take happen atomically, so concurrent requests from
 * one wallet on any number of connections share one budget.
 *
 * Where it is stored: a wallet's **bet** bucket is the `rate` field of its hash (`keys.wallet`,
 * issue 19), read with the rest of the wallet by the admission script's one HMGET and written with
 * its one HSET; a field does not expire, so it stays as long as the wallet's hash. Other buckets
 * (restore jobs) are string keys written with `SET … PX`, expiring once they would be full again.
 * A bet bucket left in an older form (the `ratelimit:0x…` string) is not read: the wallet starts
 * with a full bucket once, at most one extra burst across the deploy, which the rate limit
 * tolerates (it guards load, not money); the batcher's rebuild deletes the old keys.
 *
 * The same round trip also reads one more key for the caller (a bet refused before admission
 * reads its idempotency record, so a retry still gets its original answer). A bet that reaches
 * admission takes its token inside the admission script instead (TAKE_TOKEN_LUA).
 */
import type { Redis } from '@tap/runtime';

/**
 * The bucket as a Lua function, shared with the admission script (which takes the token in the
 * same round trip as the bet): `state` is the stored value as the caller read it (nil: a full
 * bucket); returns the wait in ms (0: a token was taken) and the state to store — the caller
 * writes it, with the wallet's other fields or alone.
 */
export const TAKE_TOKEN_LUA = `
local function takeToken(state, now, rate, burst)
  local tokens, ts = burst, now
  if state then
    local sep = string.find(state, ':', 1, true)
    if sep then
      tokens = tonumber(string.sub(state, 1, sep - 1)) or burst
      ts = tonumber(string.sub(state, sep + 1)) or now
    end
  end
  if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
  local waitMs = 0
  if tokens < 1 then waitMs = math.ceil((1 - tokens) * 1000 / rate) else tokens = tokens - 1 end
  return waitMs, tostring(tokens) .. ':' .. string.format('%d', math.max(now, ts))
end
`;

// ARGV[4]: the hash field holding the bucket ('' : KEYS[1] is a string key, expiring when full).
// GET answers an error for a key of another type; MGET answers nil, hence MGET for one key.
const TAKE_SCRIPT = `${TAKE_TOKEN_LUA}
local now, rate, burst, field = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local state
if field ~= '' then state = redis.call('HMGET', KEYS[1], field)[1] else state = redis.call('MGET', KEYS[1])[1] end
local waitMs, nextState = takeToken(state, now, rate, burst)
if field ~= '' then redis.call('HSET', KEYS[1], field, nextState)
else redis.call('SET', KEYS[1], nextState, 'PX', math.ceil(burst * 1000 / rate) + 1000) end
local extra = false
if KEYS[2] then extra = redis.call('MGET', KEYS[2])[1] end
return {waitMs, extra}
`;

/** Where a bucket lives: a string key, or a field of a hash (a wallet's bet bucket). */
export type BucketAt = string | { key: string; field: string };

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
    async take(at: BucketAt, nowMs: number, alsoRead?: string): Promise<TakeResult> {
      const [key, field] = typeof at === 'string' ? [at, ''] : [at.key, at.field];
      const keys = alsoRead ? [2, key, alsoRead] : [1, key];
      const [waitMs, read] = await scripted.tapTakeToken(...keys, nowMs, rule.ratePerS, rule.burst, field);
      if (waitMs === 0) return { ok: true, read: read ?? null };
      return { ok: false, code: 'rate_limited', retryAfterMs: waitMs, read: read ?? null };
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;
