/**
 * The bet ids this process has settled or seen settled, so a replayed `accepted` event (the events
 * replay at start, the batcher's outbox re-published after a crash) never makes the resolver emit a
 * bet twice in one lifetime. Each id is kept `memoryMs` after it was recorded, then forgotten:
 * the memory is bounded by the settlement rate × memoryMs.
 */
export class SettledMemory {
  // Insertion order is expiry order: every entry expires memoryMs after it was (re)recorded.
  private readonly expiresAt = new Map<string, number>();

  constructor(private readonly memoryMs: number) {}

  get size(): number {
    return this.expiresAt.size;
  }

  has(betId: string): boolean {
    return this.expiresAt.has(betId);
  }

  remember(betId: string, nowMs: number): void {
    this.expiresAt.delete(betId);
    this.expiresAt.set(betId, nowMs + this.memoryMs);
  }

  prune(nowMs: number): void {
    for (const [betId, expiresAtMs] of this.expiresAt) {
      if (expiresAtMs > nowMs) return;
      this.expiresAt.delete(betId);
    }
  }
}
