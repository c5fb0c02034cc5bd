/**
 * Writes the price loop's non-urgent settlements (losses, voids) and acknowledges its prints, in
 * order, behind the loop: a window closing settles thousands of bets at once (≈ 100 ms of XADDs
 * for 8 000), and the next print's wins must not wait for that. Wins are written by the loop
 * itself before a batch is queued here.
 *
 * Acknowledgements stay strictly in stream order and come after every settlement of their batch
 * is written, so a crash still only replays unacknowledged prints (SPEC §6: nothing acknowledged
 * but unapplied). A failed write is retried (duplicates are harmless) before anything later is
 * acknowledged. At most `batchesMax` batches wait; the loop awaits `room()` before adding more.
 */
import type { Logger } from '@tap/runtime';
import type { Verdict } from '@tap/settlement';

export interface WriteBehindDeps {
  write(verdicts: readonly Verdict[]): Promise<void>;
  ack(ids: readonly string[]): Promise<void>;
  log: Logger;
  batchesMax: number;
}

const RETRY_MS_MAX = 1_000;

export class WriteBehind {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly deps: WriteBehindDeps) {}

  /** Batches queued and not yet acknowledged. */
  get backlog(): number {
    return this.waiting;
  }

  enqueue(verdicts: readonly Verdict[], ackIds: readonly string[]): void {
    if (verdicts.length === 0 && ackIds.length === 0) return;
    this.waiting += 1;
    this.tail = this.tail.then(async () => {
      await this.untilDone(() => this.deps.write(verdicts));
      await this.untilDone(() => this.deps.ack(ackIds));
      this.waiting -= 1;
    });
  }

  /** Resolves when fewer than `batchesMax` batches wait (backpressure on the price loop). */
  async room(): Promise<void> {
    if (this.waiting >= this.deps.batchesMax) await this.tail;
  }

  /** Resolves when everything queued is written and acknowledged. */
  drain(): Promise<void> {
    return this.tail;
  }

  private async untilDone(step: () => Promise<void>): Promise<void> {
    for (let failures = 1; ; failures += 1) {
      try {
        return await step();
      } catch (err) {
        this.deps.log.error({ err, failures }, 'write_behind.step_failed');
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** failures, RETRY_MS_MAX)));
      }
    }
  }
}
