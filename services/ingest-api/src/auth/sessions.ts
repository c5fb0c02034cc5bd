/**
 * Sessions (SPEC §5): a token of 32 random bytes (base64url) goes to the client once; Redis keeps
 * only sha256(token) → user id with a TTL, so a leaked Redis dump holds no usable token. Logout
 * deletes the key. The token format is checked before any Redis round trip.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CACHE_ENTRIES_MAX = 100_000;

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

  constructor(
    private readonly redis: Redis,
    private readonly channels: Channels,
    private readonly ttlS: number,
    private readonly cacheMs = 1_000,
  ) {}

  async create(userId: string, nowMs: number): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.channels.keys.session(tokenHash(token)), userId, 'EX', this.ttlS);
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
    return (await this.redis.del(this.channels.keys.session(tokenHash(token)))) === 1;
  }
}
