/**
 * Session tokens → user ids (docs/bet-path.md "Sessions"): ingest-api stores
 * `keys.session(sha256hex(token))` → the lower-cased 0x address; the token itself is never stored.
 */
import { createHash } from 'node:crypto';
import type { Channels } from '@tap/channels';
import { userIdSchema } from '@tap/domain';
import type { Redis } from '@tap/runtime';

/** `sessionHash`: sha256(token), the session's name in Redis and in revocation notices. */
export type SessionVerdict =
  | { ok: true; userId: string; sessionHash: string }
  | { ok: false; code: 'session_invalid' };

/** Looks a session up by its hash: the caller hashes the token (and registers the socket under it first). */
export type SessionLookup = (sessionHash: string) => Promise<SessionVerdict>;

export function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a stored session value means: a user id, or nothing usable (missing, expired, corrupt). */
export function sessionVerdict(stored: string | null, sessionHash: string): SessionVerdict {
  if (stored !== null && userIdSchema.safeParse(stored).success)
    return { ok: true, userId: stored, sessionHash };
  return { ok: false, code: 'session_invalid' };
}

/** Rejects only when Redis cannot answer; an unknown token is a verdict, not an error. */
export function createSessionLookup(redis: Redis, channels: Channels): SessionLookup {
  return async (sessionHash) =>
    sessionVerdict(await redis.get(channels.keys.session(sessionHash)), sessionHash);
}
