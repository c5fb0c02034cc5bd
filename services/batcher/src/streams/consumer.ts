/**
 * The batcher's consumer: the start-up sequence, then the read → batch loop (SPEC §6.2, §6.4).
 *
 * Start-up, in order: consumer groups exist; the outbox left by the last run is published; the
 * balance cache is rebuilt (admission is closed meanwhile); the pending markers of bets already
 * committed are dropped; entries pending under another consumer
 * name are claimed and this consumer's pending entries applied. Then new entries, one read a
 * batch: while entries keep coming (the last read found some, not a full batch) the read waits
 * BATCH_WAIT_MS first so a batch gathers; otherwise it blocks up to BLOCK_MS for the first entry
 * and takes what is there at once. Between batches: the dead-man sweep every
 * DEAD_MAN_SWEEP_INTERVAL_MS (dead-man-sweep.ts), the ledger anchor every ANCHOR_INTERVAL_MS
 * (anchors.ts), trimming and lag every TRIM_INTERVAL_MS, the heartbeat every HEARTBEAT_INTERVAL_MS
 * (heartbeat.ts), a passive WAL checkpoint when idle or after CHECKPOINT_EVERY_BATCHES batches
 * (right after a print: `checkpointDue`), the segment roll-over when the period has ended (after
 * start-up's pending entries, never inside a batch), a summary log line.
 *
 * A full disk (storage-failure.ts) does not stop the batcher: the batch is retried as it is until
 * it commits (`applyStored`), the checkpoint, the anchor and the dead-man sweep are skipped meanwhile, and
 * `tap_batcher_storage_failing` is 1. A roll-over that fails on the disk still stops the process
 * (its restart recovery is the tested path for a half-done roll-over).
 *
 * Next-tick bets held for their print (apply/fill.ts) are not acknowledged: they are kept here and
 * put in front of every following batch until one decides them. They stay pending in the group, so
 * a crash or a stop leaves them for the next start's pending read, which holds them again.
 *
 * `stop()` lets the batch in progress and the one already read finish (applied, acknowledged,
 * published) and returns once the loop has ended; with a bounded BLOCK that is at most BLOCK_MS
 * plus two batches.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Channels, compareStreamIds, streamIdTimeMs } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type { StreamEntry } from '../apply/apply-batch.js';
import { SWEEP_BETS_MAX } from '../apply/dead-man-sweep.js';
import type { BatchCycle } from '../batch-cycle.js';
import type { Config } from '../config.js';
import type { BatcherMetrics } from '../metrics.js';
import type { Outbox } from '../storage/outbox.js';
import { storageFailureCode } from '../storage/storage-failure.js';
import type { RebuildResult } from './cache-rebuild.js';
import type { Publisher } from './publisher.js';
import { claimAbandoned, ensureGroups, readNew, readOwnPending, type StreamGroup } from './stream-reader.js';
import { trimConsumed } from './trim.js';

export type Phase = 'starting' | 'running' | 'stopped';

export interface ConsumerDeps {
  config: Pick<
    Config,
    | 'BATCH_MAX'
    | 'BATCH_WAIT_MS'
    | 'BLOCK_MS'
    | 'TRIM_INTERVAL_MS'
    | 'CHECKPOINT_EVERY_BATCHES'
    | 'CONSUMER_NAME'
    | 'DEAD_MAN_GRACE_MS'
    | 'DEAD_MAN_SWEEP_INTERVAL_MS'
    | 'ANCHOR_INTERVAL_MS'
    | 'HEARTBEAT_INTERVAL_MS'
  >;
  /** Commands: groups, claims, trimming. */
  redis: Redis;
  /** Blocking reads only, so they never hold up a command. */
  reader: Redis;
  channels: Channels;
  cycle: BatchCycle;
  /** The current segment's outbox. */
  outbox(): Outbox;
  publisher: Publisher;
  rebuildCache(): Promise<RebuildResult>;
  /** Drops the pending markers of bets already committed (pending-markers.ts). */
  clearCommittedPendingMarkers(): Promise<number>;
  checkpoint(): void;
  /**
   * Between batches: the segment roll-over when its period has ended, and a slice of a roll-over's
   * carry (rollover/); `behind` when the last batch waited in the stream (the carry yields then).
   */
  rollOverIfDue(behind: boolean): Promise<unknown>;
  /** Appends the committed ledger head to the anchors file (anchors.ts). */
  anchor(nowMs: number): void;
  /** Writes the heartbeat with the bets stream's lag (heartbeat.ts). */
  heartbeat(nowMs: number): Promise<void>;
  metrics: BatcherMetrics;
  log: Logger;
}

/** The longest wait between attempts at a batch while the data directory fails. */
const STORAGE_RETRY_MAX_MS = 1_000;

/**
 * After a full dead-man sweep (a backlog: the resolver has been down a while) the next one runs
 * after the next batch, or — while bets wait in the stream (`behind`) — this long after, so bets
 * come first. One sweep per DEAD_MAN_SWEEP_INTERVAL_MS voided 200 bets/s, hours of locked stakes
 * after an outage at a busy rate. Measured (10-minute bench run at 3,000 bets/s, no resolver):
 * sweeping after every batch voided ~3,000 bets/s for three minutes with p99 to 202 at 20–50 ms.
 */
const SWEEP_BEHIND_INTERVAL_MS = 500;

/** A batch waited in the stream longer than this: the batcher is behind. */
const BEHIND_AGE_MS = 50;

/** Whether a batch was full or its oldest entry waited in the stream (its id time) beyond BEHIND_AGE_MS. */
function isBehind(entries: readonly StreamEntry[], batchMax: number): boolean {
  if (entries.length === 0) return false;
  if (entries.length >= batchMax) return true;
  return Date.now() - streamIdTimeMs(entries[0]!.id) > BEHIND_AGE_MS;
}

export function createConsumer(deps: ConsumerDeps) {
  const { config, channels, cycle, log } = deps;
  const readerGroup: StreamGroup = { redis: deps.reader, channels, consumer: config.CONSUMER_NAME };
  let phase: Phase = 'starting';
  let stopping = false;
  let done: Promise<void> | undefined;
  let lastTrimAtMs = 0;
  let nextSweepAtMs = 0;
  let lastAnchorAtMs = 0;
  let lastHeartbeatAtMs = 0;
  let batchesSinceCheckpoint = 0;
  /** Next-tick bets waiting for their print, in stream order. */
  let held: StreamEntry[] = [];

  async function startUp(): Promise<string> {
    await ensureGroups(deps.redis, channels);
    const leftover = deps.outbox().unpublished();
    await deps.publisher.publishOutbox(leftover);
    deps.outbox().markPublished(leftover);
    log.info({ rows: leftover.length }, 'outbox.republished');
    const rebuilt = await deps.rebuildCache();
    await deps.clearCommittedPendingMarkers();
    const claimed = await claimAbandoned({ ...readerGroup, redis: deps.redis }, config.BATCH_MAX);
    const cursors = new Map<string, string>();
    let applied = 0;
    while (!stopping) {
      const entries = await readOwnPending(readerGroup, cursors, config.BATCH_MAX);
      if (entries.length === 0) break;
      await applyStored(withHeld(entries));
      applied += entries.length;
    }
    log.info({ claimed, entries: applied }, 'pending.applied');
    return rebuilt.lastDeliveredBetsId;
  }

  /**
   * One read a batch. Busy (the last read found entries, but not a full batch): let the next batch
   * gather for BATCH_WAIT_MS first, then take it. Idle, or behind (a full read): block for the first
   * entry and take what is there at once. Until issue 19 every batch was two reads (block for the
   * first entry, wait, read again): one more XREADGROUP over five streams a batch, and a lone bet
   * after a quiet spell waited BATCH_WAIT_MS for company that did not come.
   */
  let lastReadCount = 0;
  async function readBatch(): Promise<StreamEntry[]> {
    const busy = lastReadCount > 0 && lastReadCount < config.BATCH_MAX;
    if (busy && config.BATCH_WAIT_MS > 0) await sleep(config.BATCH_WAIT_MS);
    const entries = await readNew(readerGroup, config.BATCH_MAX, config.BLOCK_MS);
    lastReadCount = entries.length;
    return entries;
  }

  async function maintain(idle: boolean, behind: boolean, printApplied: boolean): Promise<void> {
    if (checkpointDue(batchesSinceCheckpoint, config.CHECKPOINT_EVERY_BATCHES, idle, printApplied)) {
      await unlessStorageFails('checkpoint', () => {
        deps.checkpoint();
        deps.metrics.checkpointed();
        batchesSinceCheckpoint = 0;
      });
    }
    await deps.rollOverIfDue(behind);
    const nowMs = Date.now();
    if (config.DEAD_MAN_SWEEP_INTERVAL_MS > 0 && nowMs >= nextSweepAtMs) {
      let voided = 0;
      await unlessStorageFails('dead_man_sweep', async () => {
        voided = await cycle.sweep(config.DEAD_MAN_GRACE_MS);
      });
      const pause =
        voided < SWEEP_BETS_MAX ? config.DEAD_MAN_SWEEP_INTERVAL_MS : behind ? SWEEP_BEHIND_INTERVAL_MS : 0;
      nextSweepAtMs = nowMs + pause;
    }
    if (nowMs - lastAnchorAtMs >= config.ANCHOR_INTERVAL_MS) {
      lastAnchorAtMs = nowMs;
      await unlessStorageFails('anchor', () => deps.anchor(nowMs));
    }
    if (nowMs - lastTrimAtMs >= config.TRIM_INTERVAL_MS) {
      lastTrimAtMs = nowMs;
      await trimConsumed(deps.redis, channels, (kind, lag) => deps.metrics.setLag(kind, lag));
    }
    if (nowMs - lastHeartbeatAtMs >= config.HEARTBEAT_INTERVAL_MS) {
      lastHeartbeatAtMs = nowMs;
      await deps.heartbeat(nowMs);
    }
    deps.metrics.maybeLogSummary(nowMs);
  }

  /**
   * Applies a batch, retrying it as it is while the data directory fails (a full disk): nothing is
   * acknowledged until it commits, so the entries wait in the stream, and the heartbeat stops — so
   * admission answers 503 `batcher_behind` once it is older than its limit. Returns false when
   * stopped before the batch could commit (it stays pending in Redis for the next start).
   */
  async function applyStored(
    entries: readonly StreamEntry[],
    afterBetsId?: string,
    pricesReadAtMs: number | null = null,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        held = await cycle.run(entries, afterBetsId, pricesReadAtMs);
        // Every commit clears the gauge, not only a retried one: a failed checkpoint or outbox
        // mark (maintenance) sets it too, and the disk that failed them has just taken a batch.
        deps.metrics.storageRecovered();
        if (attempt > 0)
          log.warn({ attempts: attempt + 1, entries: entries.length }, 'batch.storage_recovered');
        return true;
      } catch (err) {
        const code = storageFailureCode(err);
        if (code === undefined) throw err;
        deps.metrics.storageFailed(code);
        // Every attempt at first, then one line a minute: an operator sees it without a flood.
        if (attempt < 3 || attempt % 60 === 0) {
          log.error({ code, err, attempt, entries: entries.length }, 'batch.storage_failed');
        }
        if (stopping) return false;
        await sleep(Math.min(STORAGE_RETRY_MAX_MS, 100 * 2 ** attempt));
        if (stopping) return false;
      }
    }
  }

  /** Maintenance that writes the data directory is skipped, not fatal, while storage fails. */
  async function unlessStorageFails(what: string, work: () => unknown): Promise<void> {
    try {
      await work();
    } catch (err) {
      const code = storageFailureCode(err);
      if (code === undefined) throw err;
      deps.metrics.storageFailed(code);
      log.error({ code, err, what }, 'maintenance.storage_failed');
    }
  }

  /** The held bets first (older than anything read since), then `entries`. */
  function withHeld(entries: StreamEntry[]): StreamEntry[] {
    return held.length === 0 ? entries : [...held, ...entries];
  }

  /** The next batch's read, started before the current batch is applied (see `run`). */
  function prefetch(): Promise<{ entries: StreamEntry[]; startedAtMs: number }> {
    const startedAtMs = Date.now();
    const read = readBatch().then((entries) => ({ entries, startedAtMs }));
    // Awaited by the next iteration, which reports a failure; this only keeps it from being
    // reported as unhandled while the current batch is still being applied.
    read.catch(() => undefined);
    return read;
  }

  /**
   * The next batch is read while the current one is applied: Redis answers during the synchronous
   * SQLite work instead of after it; and a batch's publication runs while the next one is applied
   * (batch-cycle.ts: it waits for it after its own ack, so Redis sees every batch's ack and
   * publication in batch order). The outbox deletes only rows Redis confirmed (outbox.ts). On stop,
   * a batch already read is applied too, so nothing read is left pending, and the last publication
   * is awaited; on an idle read it is awaited too, so a failed one is reported within BLOCK_MS.
   */
  async function run(): Promise<void> {
    let afterBetsId = await startUp();
    if (!stopping) phase = 'running';
    lastHeartbeatAtMs = Date.now();
    await deps.heartbeat(lastHeartbeatAtMs);
    log.info({ consumer: config.CONSUMER_NAME }, 'consumer.running');
    let next = stopping ? Promise.resolve({ entries: [], startedAtMs: 0 }) : prefetch();
    for (;;) {
      const { entries: read, startedAtMs } = await next;
      // A read returns at most BATCH_MAX entries per stream: fewer prints means it drained tap:prices.
      const drained = read.filter((entry) => entry.kind === 'prices').length < config.BATCH_MAX;
      const entries = withHeld(read);
      const last = stopping;
      if (!last) next = prefetch();
      for (const entry of entries) {
        if (entry.kind === 'bets' && compareStreamIds(entry.id, afterBetsId) > 0) afterBetsId = entry.id;
      }
      if (entries.length > 0) {
        if (!(await applyStored(entries, afterBetsId, drained ? startedAtMs : null))) break;
        batchesSinceCheckpoint += 1;
      }
      if (last) break;
      if (read.length === 0) await cycle.flush();
      const printApplied = read.some((entry) => entry.kind === 'prices');
      await maintain(read.length === 0, isBehind(read, config.BATCH_MAX), printApplied);
    }
    await cycle.flush();
  }

  return {
    phase: (): Phase => phase,
    /** Runs until `stop()`; rejects on any failure (the caller crashes the process). */
    start(): Promise<void> {
      done ??= run().finally(() => {
        phase = 'stopped';
      });
      return done;
    },
    async stop(): Promise<void> {
      stopping = true;
      // A failed loop was already reported by start()'s caller; stopping only waits for it.
      await done?.catch(() => undefined);
    },
  };
}

/**
 * Whether the passive WAL checkpoint runs now, between batches: when the stream is idle, or once
 * `every` batches have passed — then right after a batch that applied a print, or at twice the
 * count (a feed without prints). Why after a print: the checkpoint stalls the single writer (3–32 ms
 * at 3,000 bets/s, timed in a run), and a stall in front of a print's batch delays every bet that
 * print fills (SPEC §12 fill print → accepted); just after one, the next print is ~100 ms away and
 * the stall falls in the gap.
 */
export function checkpointDue(
  batchesSince: number,
  every: number,
  idle: boolean,
  printApplied: boolean,
): boolean {
  if (batchesSince === 0) return false;
  if (idle) return true;
  return batchesSince >= 2 * every || (batchesSince >= every && printApplied);
}
