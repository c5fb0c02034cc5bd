/**
 * Token buckets by key (a session hash, a client address), bounded in number. A bucket outlives
 * whatever used it (a closed socket) until it has refilled: `prune` forgets the full ones, since a
 * full bucket says nothing a fresh one would not. `keysMax` bounds the memory an attacker with many
 * keys can make the map hold: at the bound the oldest key is forgotten (Map order is insertion
 * order), which can only give that key a fresh bucket early — a key's owner who reaches it already
 * has `keysMax` other addresses or sessions, which the per-key rate does not stop anyway.
 */
import { TokenBucket } from './token-bucket.js';

export class BucketMap {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly keysMax: number,
  ) {}

  /** Takes a token from the key's bucket (a new key starts full); false when it is empty. */
  take(key: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.keysMax) this.#forgetOldest();
      bucket = new TokenBucket(this.ratePerS, this.burst, nowMs);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(nowMs);
  }

  /** Whether `take` would succeed now, creating and taking nothing (an unknown key would). */
  hasToken(key: string, nowMs: number): boolean {
    return this.#buckets.get(key)?.hasToken(nowMs) ?? true;
  }

  /** Forgets the buckets that have refilled. */
  prune(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(nowMs)) this.#buckets.delete(key);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #forgetOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }
}
