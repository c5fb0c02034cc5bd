/** A token bucket on an injected clock: `ratePerS` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  #tokens: number;
  #atMs: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.#tokens = burst;
    this.#atMs = nowMs;
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether `take` would succeed now; takes nothing. */
  hasToken(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= 1;
  }

  /** A full bucket says nothing a fresh one would not: it can be forgotten. */
  isFull(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.burst;
  }

  #refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.#atMs);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.ratePerS) / 1_000);
    this.#atMs = nowMs;
  }
}
