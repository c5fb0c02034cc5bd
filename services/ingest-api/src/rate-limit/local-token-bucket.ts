/**
 * An in-process token bucket: the GLOBAL login budget of this API process (SPEC §5: a login rate
 * limit per IP — nginx's `tap_login_per_ip` — and globally). Each login costs a signature recovery
 * (≈ 2 ms of a worker); past the budget a login answers `503 login_busy` before any recovery, so a
 * storm from many addresses cannot queue unbounded work. One process serves the API, so a local
 * bucket is the global one; no Redis round trip is spent on it.
 */
export interface LocalTokenBucket {
  /** Takes one token at `nowMs`; false when the bucket is empty. */
  take(nowMs: number): boolean;
}

export function createLocalTokenBucket(rule: { ratePerS: number; burst: number }): LocalTokenBucket {
  let tokens = rule.burst;
  let lastMs = Number.NEGATIVE_INFINITY;
  return {
    take(nowMs) {
      if (lastMs !== Number.NEGATIVE_INFINITY && nowMs > lastMs) {
        tokens = Math.min(rule.burst, tokens + ((nowMs - lastMs) * rule.ratePerS) / 1_000);
      }
      lastMs = Math.max(lastMs, nowMs);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
