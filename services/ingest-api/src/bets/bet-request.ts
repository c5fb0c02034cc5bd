/**
 * The body of `POST /v1/bets` (SPEC §3): only the cell, the stake, the lowest acceptable multiplier
 * and the idempotency key. Integers only (money is micro-dollars), unknown fields refused; the
 * server derives everything else.
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
