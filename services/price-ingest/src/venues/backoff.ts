/**
 * Reconnect delays: exponential backoff with FULL jitter (delay uniform in [0, min(max, base·2^n)]),
 * so many clients that lost the same venue at once do not come back in lockstep. Bounded by maxMs.
 */
export interface BackoffRules {
  baseMs: number;
  maxMs: number;
}

/** `attempt` counts failed attempts since the last good connection, from 0. `random` is in [0, 1). */
export function fullJitterDelayMs(attempt: number, rules: BackoffRules, random: () => number): number {
  const ceilingMs = Math.min(rules.maxMs, rules.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceilingMs);
}
