/**
 * The body of `POST /v1/bets` (SPEC §3): only the cell, the stake, the lowest acceptable multiplier
 * and the idempotency key. Integers only (money is micro-dollars), unknown fields refused; the
 * server derives everything else.
 *
 * `parseBetRequest` checks the body by hand first (issue 19: zod was ~7 µs of ingest-api's CPU per
 * bet) and hands anything it does not accept to the zod schema, which decides and words the
 * reason — zod stays the reference (bet-request.test.ts: both agree on generated and mutated
 * bodies).
 */
import { z } from 'zod';

const safeInt = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const betRequestSchema = z
  .object({
    clientBetId: z.string().uuid(),
    t0: safeInt(),
    p0: safeInt(),
    stakeMicros: safeInt(),
    minMultiplierBp: safeInt(),
  })
  .strict();

export type BetRequest = z.infer<typeof betRequestSchema>;

/** What makes two requests with the same clientBetId the same request. */
export function fingerprintOf(request: BetRequest): string {
  return `${request.t0}:${request.p0}:${request.stakeMicros}:${request.minMultiplierBp}`;
}

// zod 3's uuid pattern (the channels fast validators carry the same copy; the test pins it).
const UUID = /^[0-9a-fA-F]{8}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{12}$/i;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A request exactly as `betRequestSchema` accepts it (a fresh object, keys in schema order), or undefined. */
export function fastBetRequest(body: unknown): BetRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  let keys = 0;
  for (const _ in body) keys += 1;
  if (keys !== 5) return undefined;
  const { clientBetId, t0, p0, stakeMicros, minMultiplierBp } = body as Record<string, unknown>;
  if (typeof clientBetId !== 'string' || !UUID.test(clientBetId)) return undefined;
  if (!isCount(t0) || !isCount(p0) || !isCount(stakeMicros) || !isCount(minMultiplierBp)) return undefined;
  return { clientBetId, t0, p0, stakeMicros, minMultiplierBp };
}

export function parseBetRequest(body: unknown): z.SafeParseReturnType<unknown, BetRequest> {
  const fast = fastBetRequest(body);
  return fast === undefined ? betRequestSchema.safeParse(body) : { success: true, data: fast };
}
