/**
 * One batch end to end (SPEC §6.2): apply in one SQLite transaction and commit, then XACK, the
 * outbox rows and the cache effects. The order is the contract: an entry is acknowledged only once
 * its effects are durable in SQLite, and its events are durable in the outbox before the ack.
 *
 * The XACK is the head of the publication's pipeline (issue 19): Redis runs one connection's
 * commands in order, so it lands before the batch's events and cache effects exactly as when it was
 * a round trip of its own, and a batch costs one write to Redis and one reply instead of two each —
 * the batcher's fixed cost per batch, which in the live path (batches of 10–50 bets) weighs more than
 * its work per bet.
 *
 * A batch's publication runs while the next batch is applied: `run` sends it and returns; the next
 * `run` waits for it after its own commit, before sending its own. Each publication waits for the
 * one before, so acks, events and cache effects reach Redis in batch order exactly as when every
 * publication was awaited at once: batch N's before N+1's. What overlaps is only Redis executing
 * them (the events script, the DELs) with the next batch's synchronous SQLite work — without it the
 * batcher sat idle ~5 µs a bet waiting for Redis. Outbox rows are marked published only when Redis
 * confirmed them (outbox.ts deletes exactly those); a crash with a publication in flight leaves its
 * rows for the start-up re-publication (and its entries, if the XACK did not land, pending: applied
 * again as redeliveries, which the bet store recognises). `flush()` waits for the one in flight:
 * before the dead-man sweep, before a roll-over's cut (which empties the outbox), when the stream is
 * idle and at stop. A failed publication fails the `run` or `flush` after it.
 */
import { ackEntries, type Channels } from '@tap/channels';
import type { DeadLetterEntry } from '@tap/domain';
import type { Logger, Redis } from '@tap/runtime';
import type { StreamEntry } from './apply/apply-batch.js';
import type { FailPointCheck } from './fail-point.js';
import type { BatcherMetrics } from './metrics.js';
import type { Outbox, OutboxRow } from './storage/outbox.js';
import { storageFailureCode } from './storage/storage-failure.js';
import type { Publisher } from './streams/publisher.js';
import type { CurrentParts } from './writer-parts.js';

export interface BatchCycle {
  /**
   * `afterBetsId`: the read position on `tap:bets` when exact (live phase), enabling drift resyncs.
   * Resolves to the next-tick bets held for their print (apply/fill.ts): not acknowledged, for the
   * caller to apply again with a later batch.
   */
  run(
    entries: readonly StreamEntry[],
    afterBetsId?: string,
    pricesReadAtMs?: number | null,
  ): Promise<StreamEntry[]>;
  /** The dead-man sweep: voids overdue bets in a transaction of its own and publishes the result. */
  sweep(graceMs: number): Promise<number>;
  /** Waits for the last batch's publication; rejects if it failed. */
  flush(): Promise<void>;
}

export function createBatchCycle(deps: {
  /** The current segment's writer parts (they change at a roll-over, between batches). */
  parts: CurrentParts;
  publisher: Publisher;
  redis: Redis;
  channels: Channels;
  failPoint: FailPointCheck;
  metrics: BatcherMetrics;
  log: Logger;
}): BatchCycle {
  const { publisher, failPoint, metrics } = deps;
  let batches = 0;
  /**
   * After the commit and the ack, a failure to mark the outbox published (a full disk) must not
   * fail the batch — it is durable and acknowledged, and retrying it would apply it again. The rows
   * stay unmarked and are published once more at the next start, as after a crash at this point
   * (consumers take events at least once).
   */
  const markPublished = (outbox: Outbox, rows: Parameters<Outbox['markPublished']>[0]) => {
    try {
      outbox.markPublished(rows);
    } catch (err) {
      const code = storageFailureCode(err);
      if (code === undefined) throw err;
      metrics.storageFailed(code);
      deps.log.error({ code, err, rows: rows.length }, 'outbox.mark_published_failed');
    }
  };
  /** The last batch's publication, in flight or done. */
  let publishing: Promise<void> = Promise.resolve();
  const flush = () => publishing;
  return {
    flush,
    async sweep(graceMs) {
      await flush();
      const { applier, outbox } = deps.parts();
      const result = applier.sweep(Date.now(), graceMs);
      if (result.results.length === 0) return 0;
      await publisher.publish(result.outbox, result.effects);
      markPublished(outbox, result.outbox);
      metrics.deadManVoided(result.results.length);
      deps.log.warn({ bets: result.results.length }, 'dead_man.voided');
      return result.results.length;
    },
    async run(entries, afterBetsId, pricesReadAtMs = null) {
      const { applier, ledger, outbox } = deps.parts();
      const startedAt = performance.now();
      const result = applier.apply(entries, Date.now(), pricesReadAtMs);
      const committedAt = performance.now();
      batches += 1;
      failPoint('after_commit_before_ack', batches);
      const held = new Set(result.held);
      const done = held.size === 0 ? entries : entries.filter((entry) => !held.has(entry));
      await flush();
      if (failPoint.fires?.('after_ack_before_events', batches)) {
        // The XACK goes in the publication's pipeline (below); a crash between the two is what a
        // connection lost after the pipeline's XACK leaves, which this point reproduces.
        await ackEntries(deps.redis, deps.channels.groups.batcher, done);
        failPoint('after_ack_before_events', batches);
      }
      // A held bet's stake is reserved in the cache but neither in SQLite nor after the read position.
      // Read now, right after this batch's commit: publish() evaluates it before it returns.
      const balanceOf = (userId: string) =>
        ledger.balanceOf(userId) - (result.heldStakeMicros.get(userId) ?? 0);
      const resync = afterBetsId === undefined ? undefined : { afterBetsId, balanceOf };
      const sent = publisher.publish(result.outbox, result.effects, resync, done).then(() => {
        markPublished(outbox, result.outbox);
        const doneAt = performance.now();
        metrics.observeBatch(entries, result.results, doneAt - startedAt);
        deps.log.debug(
          {
            entries: entries.length,
            applyMs: Math.round(committedAt - startedAt),
            ackAndPublishMs: Math.round(doneAt - committedAt),
          },
          'batch.applied',
        );
      });
      // Reported by the next run() or flush(), which await it; this only keeps it from being
      // reported as unhandled meanwhile.
      sent.catch(() => undefined);
      publishing = sent;
      logDeadLetters(deps.log, result.outbox);
      return result.held;
    },
  };
}

/**
 * One warning per dead letter, with what an operator needs to find it (`tapctl dlq`): they are
 * rare, and the counter alone cannot say which entry or why.
 */
function logDeadLetters(log: Logger, rows: readonly OutboxRow[]): void {
  for (const row of rows) {
    if (row.stream !== 'deadLetter') continue;
    const { stream, entryId, reason } = JSON.parse(row.payload) as DeadLetterEntry;
    log.warn({ stream, entryId, reason }, 'entry.dead_lettered');
  }
}
