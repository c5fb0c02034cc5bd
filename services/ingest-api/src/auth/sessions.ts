/**
 * Sessions (SPEC §5): a token of 32 random bytes (base64url) goes to the client once; Redis keeps
 * only sha256(token) → user id with a TTL, so a leaked Redis dump holds no usable token. Logout
 * deletes the key. The token format is checked before any Redis round trip.
 *
 * A wallet holds at most `perWalletMax` live sessions (SPEC §5: 10): each login records its token
 * hash in the wallet's sorted set and, in the same script, revokes the oldest beyond the cap, so
 * logins with a free wallet cannot pile up keys in Redis (issue 16, "Redis memory as a weapon").
 * Both scripts PUBLISH the hash of every session they delete on `pubsub.sessionsRevoked`, so
 * ws-gateway closes that session's open sockets at once (it also rechecks sessions on a timer).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CACHE_ENTRIES_MAX = 100_000;

// KEYS: session, userSessions. ARGV: userId, ttlS, nowMs, tokenHash, perWalletMax,
// session key prefix, revocation channel.
const CREATE_SESSION = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local ttlMs = tonumber(ARGV[2]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - ttlMs)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], excess)
  for i = 1, #oldest, 2 do
    redis.call('DEL', ARGV[6] .. oldest[i])
    redis.call('PUBLISH', ARGV[7], oldest[i])
  end
end
redis.call('PEXPIRE', KEYS[2], ttlMs)
return excess > 0 and excess or 0
`;

// KEYS: session. ARGV: userSessions key prefix, tokenHash, revocation channel. Deletes the session
// and its index entry, and announces it.
const REVOKE_SESSION = `
local userId = redis.call('GET', KEYS[1])
if not userId then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. userId, ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`;

interface SessionRedis extends Redis {
  tapCreateSession(...args: (string | number)[]): Promise<number>;
  tapRevokeSession(...args: (string | number)[]): Promise<number>;
}

export interface Session {
  token: string;
  userId: string;
  expiresAt: number;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class SessionStore {
  private readonly cache = new Map<string, { userId: string; until: number }>();

  private readonly scripted: SessionRedis;

  constructor(
    private readonly redis: Redis,
    private readonly channels: Channels,
    private readonly ttlS: number,
    private readonly perWalletMax = 10,
    private readonly cacheMs = 1_000,
  ) {
    redis.defineCommand('tapCreateSession', { numberOfKeys: 2, lua: CREATE_SESSION });
    redis.defineCommand('tapRevokeSession', { numberOfKeys: 1, lua: REVOKE_SESSION });
    this.scripted = redis as SessionRedis;
  }

  /** A new session; the wallet's oldest beyond `perWalletMax` are revoked in the same script. */
  async create(userId: string, nowMs: number): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    const hash = tokenHash(token);
    const { keys } = this.channels;
    await this.scripted.tapCreateSession(
      keys.session(hash),
      keys.userSessions(userId),
      userId,
      this.ttlS,
      nowMs,
      hash,
      this.perWalletMax,
      keys.session(''),
      this.channels.pubsub.sessionsRevoked,
    );
    return { token, userId, expiresAt: nowMs + this.ttlS * 1000 };
  }

  /** The user id the token acts for, or null when it is malformed, unknown, expired or revoked. */
  async resolve(token: string): Promise<string | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const now = Date.now();
    const cached = this.cache.get(token);
    if (cached && cached.until > now) return cached.userId;
    const userId = await this.redis.get(this.channels.keys.session(tokenHash(token)));
    if (userId && this.cacheMs > 0) this.remember(token, userId, now + this.cacheMs);
    return userId;
  }

  private remember(token: string, userId: string, until: number): void {
    this.cache.delete(token);
    if (this.cache.size >= CACHE_ENTRIES_MAX) {
      // Maps iterate in insertion order: the first key is the entry cached longest ago.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(token, { userId, until });
  }

  /** True when a live session was deleted. */
  async revoke(token: string): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    this.cache.delete(token);
    const hash = tokenHash(token);
    const { keys } = this.channels;
    const revoked = await this.scripted.tapRevokeSession(
      keys.session(hash),
      keys.userSessions(''),
      hash,
      this.channels.pubsub.sessionsRevoked,
    );
    return revoked === 1;
  }
}
