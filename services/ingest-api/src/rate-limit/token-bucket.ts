/**
 * Per-wallet token bucket in one Redis Lua script (SPEC §5: defaults 5 bets/s, burst 10). The
 * bucket is a hash {tokens, ts}; refill and take happen atomically, so concurrent requests from
 * one wallet on any number of connections share one budget. An idle bucket expires once it would
 * be full again, so Redis holds buckets only for active wallets.
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
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', math.max(now, ts))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', math.max(now, ts))
redis.call('PEXPIRE', KEYS[1], ttl)
return 0
`;

export interface TokenBucketRule {
  ratePerS: number;
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; code: 'rate_limited'; retryAfterMs: number };

interface BucketRedis extends Redis {
  tapTakeToken(key: string, nowMs: number, ratePerS: number, burst: number): Promise<number>;
}

export function createTokenBucket(redis: Redis, rule: TokenBucketRule) {
  redis.defineCommand('tapTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const scripted = redis as BucketRedis;
  return {
    async take(key: string, nowMs: number): Promise<TakeResult> {
      const waitMs = await scripted.tapTakeToken(key, nowMs, rule.ratePerS, rule.burst);
      return waitMs === 0 ? { ok: true } : { ok: false, code: 'rate_limited', retryAfterMs: waitMs };
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;
