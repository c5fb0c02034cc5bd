/**
 * The login use case (SPEC §5): validate the body, verify the SIWE message and signature (in the
 * worker pool — never on this event loop), claim the nonce, create the session. The nonce is claimed
 * only after the signature verifies, so nobody can burn another wallet's nonces; the claim is one
 * `SET NX EX 90`, so of any number of concurrent replays exactly one wins. Past 80 % of Redis's
 * `maxmemory` a login is refused `503 service_busy` before anything else is done (redis-memory.ts).
 */
import type { Channels } from '@tap/channels';
import type { ErrorCode } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type { SignaturePoolResult, SiweLoginInput, SiweLoginPolicy } from '@tap/signatures';
import { z } from 'zod';
import type { RedisMemory } from '../market/redis-memory.js';
import type { LocalTokenBucket } from '../rate-limit/local-token-bucket.js';
import type { SessionStore } from './sessions.js';

export const loginRequestSchema = z
  .object({
    message: z.string().min(1).max(4096),
    signature: z.string().min(1).max(256),
  })
  .strict();

export interface LoginDeps {
  verifier: { verify(input: SiweLoginInput, policy: SiweLoginPolicy): Promise<SignaturePoolResult> };
  sessions: SessionStore;
  redis: Redis;
  channels: Channels;
  policy: Omit<SiweLoginPolicy, 'nowMs'>;
  nonceTtlS: number;
  now: () => number;
  /** The process-wide login budget: spent before the signature recovery, refused `login_busy`. */
  budget: LocalTokenBucket;
  /** Redis memory admission: past 80 % of maxmemory new logins are refused (SPEC §6). */
  memory: RedisMemory;
}

export type LoginVerdict =
  | { ok: true; token: string; expiresAt: number; address: string }
  | { ok: false; code: ErrorCode; message?: string };

export async function login(deps: LoginDeps, body: unknown): Promise<LoginVerdict> {
  const parsed = loginRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, code: 'invalid_body', message: describe(parsed.error) };
  // Before the budget and the signature recovery: a full Redis refuses a login for free.
  const full = deps.memory.refusal('login');
  if (full) return { ok: false, code: full };
  if (!deps.budget.take(deps.now())) {
    return { ok: false, code: 'login_busy', message: 'the global login rate is exceeded, retry shortly' };
  }
  const verdict = await deps.verifier.verify(parsed.data, { ...deps.policy, nowMs: deps.now() });
  if (!verdict.ok) return { ok: false, code: verdict.code, message: verdict.message };
  const claimed = await deps.redis.set(
    deps.channels.keys.nonce(verdict.userId, verdict.nonce),
    '1',
    'EX',
    deps.nonceTtlS,
    'NX',
  );
  if (claimed !== 'OK') return { ok: false, code: 'nonce_reused' };
  const session = await deps.sessions.create(verdict.userId, deps.now());
  return { ok: true, token: session.token, expiresAt: session.expiresAt, address: verdict.address };
}

export function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}
