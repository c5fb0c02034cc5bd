/**
 * When to reconnect (SPEC §11): exponential backoff with FULL jitter — the delay before attempt n
 * is uniform in [0, min(cap, base · 2^n)) — so a gateway restart does not bring every client back
 * in the same instant (AWS Architecture Blog, "Exponential Backoff And Jitter"). Pure: the random
 * source is injected.
 */
export interface ReconnectPolicy {
  /** First ceiling of the delay. Default 250 ms. */
  baseMs: number;
  /** Largest ceiling of the delay. Default 10 s. */
  capMs: number;
}

export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  baseMs: 250,
  capMs: 10_000,
});

/** The ceiling for attempt `attempt` (0-based): min(cap, base · 2^attempt). */
export function backoffCeilingMs(
  attempt: number,
  policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY,
): number {
  // 2^attempt overflows to Infinity for large attempts; min() keeps the cap.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
}

/** The delay before attempt `attempt`, uniform in [0, ceiling); `random` returns [0, 1). */
export function reconnectDelayMs(
  attempt: number,
  random: () => number = Math.random,
  policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY,
): number {
  return Math.floor(random() * backoffCeilingMs(attempt, policy));
}
