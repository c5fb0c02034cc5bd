/**
 * Sessions written straight to Redis as ingest-api stores them (docs/bet-path.md): sha256(token) →
 * a random user id, with a TTL. For WebSocket clients whose login is not what is measured (the fan-out
 * and the hostile resumers; the login path is login-storm's).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Stack } from '../stack/stack.js';

/** `count` fresh session tokens (each of a random user, or all of `userId`), written 1,000 to a pipeline, valid for an hour. */
export async function createSessions(stack: Stack, count: number, userId?: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const pipeline = stack.redis.pipeline();
    for (let i = start; i < Math.min(count, start + 1_000); i += 1) {
      const token = randomBytes(32).toString('base64url');
      pipeline.set(
        stack.channels.keys.session(createHash('sha256').update(token).digest('hex')),
        userId ?? `0x${randomBytes(20).toString('hex')}`,
        'EX',
        3_600,
      );
      tokens.push(token);
    }
    await pipeline.exec();
  }
  return tokens;
}
