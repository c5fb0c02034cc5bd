/**
 * The batcher's Prometheus metrics and its periodic summary log line (STYLE: count in the hot
 * path, log one summary per interval, never per entry).
 */
import { streamIdTimeMs } from '@tap/channels';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@tap/runtime';
import type { EntryResult, StreamEntry } from './apply/apply-batch.js';
import type { Outcome } from './apply/verdict.js';

export type BatcherMetrics = ReturnType<typeof createBatcherMetrics>;

export function createBatcherMetrics(registry: Registry, log: Logger, summaryIntervalMs = 10_000) {
  const registers = [registry];
  const batches = new Counter({ name: 'tap_batcher_batches_total', help: 'Committed batches', registers });
  const entries = new Counter({
    name: 'tap_batcher_entries_total',
    help: 'Stream entries processed, by stream and outcome (applied, rejected, duplicate, dead_letter, held: a next-tick bet waiting for its print)',
    labelNames: ['stream', 'outcome'],
    registers,
  });
  const deadLetters = new Counter({
    name: 'tap_batcher_dead_letters_total',
    help: 'Entries sent to the dead-letter stream, by source stream',
    labelNames: ['stream'],
    registers,
  });
  const batchSize = new Histogram({
    name: 'tap_batcher_batch_size_entries',
    help: 'Entries per batch',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 4_000],
    registers,
  });
  const batchDuration = new Histogram({
    name: 'tap_batcher_batch_duration_seconds',
    help: 'Apply + commit + XACK + publish time of a batch (its publication overlaps the next batch)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const entryAge = new Gauge({
    name: 'tap_batcher_entry_age_seconds',
    help: 'Age of the oldest entry of the last batch when it was committed (stream id time to commit)',
    registers,
  });
  const lag = new Gauge({
    name: 'tap_batcher_stream_lag_entries',
    help: 'Entries in each consumed stream not yet delivered to group batcher (XINFO GROUPS lag)',
    labelNames: ['stream'],
    registers,
  });
  const unappliedAge = new Gauge({
    name: 'tap_batcher_oldest_unapplied_bet_age_seconds',
    help: 'Age of the oldest bet in tap:bets not yet applied, written with each heartbeat (ingest-api refuses bets past BATCHER_LAG_MS_MAX)',
    registers,
  });
  const checkpoints = new Counter({
    name: 'tap_batcher_wal_checkpoints_total',
    help: 'Passive WAL checkpoints run between batches',
    registers,
  });

  const segmentsDeleted = new Counter({
    name: 'tap_batcher_segments_deleted_total',
    help: 'Local closed segments deleted because the archiver manifest lists them archived and verified',
    registers,
  });
  const retentionRefused = new Counter({
    name: 'tap_batcher_segment_retention_refused_total',
    help: 'Deletions refused: the manifest lists the segment but the local file is not the archived one',
    registers,
  });

  const rollovers = new Counter({
    name: 'tap_batcher_rollovers_total',
    help: 'Segment roll-overs completed by this process',
    registers,
  });
  const rolloverDuration = new Gauge({
    name: 'tap_batcher_last_rollover_duration_seconds',
    help: 'Duration of the last roll-over, cut to old segment closed (the carry runs between batches)',
    registers,
  });
  const rolloverPause = new Gauge({
    name: 'tap_batcher_last_rollover_pause_seconds',
    help: 'How long batches waited for the last roll-over: cut, new segment file, switch',
    registers,
  });
  const rolloverSlice = new Gauge({
    name: 'tap_batcher_last_rollover_slowest_slice_seconds',
    help: 'The longest slice of carrying or closing the last roll-over ran between two batches',
    registers,
  });
  const deadManVoids = new Counter({
    name: 'tap_batcher_dead_man_voids_total',
    help: 'Bets the batcher voided itself because no settlement arrived by t0 + W + 60 s + grace (resolver down)',
    registers,
  });

  const lastAnchor = new Gauge({
    name: 'tap_batcher_last_anchor_timestamp_seconds',
    help: 'When the ledger head was last appended to the anchors file',
    registers,
  });

  const storageFailing = new Gauge({
    name: 'tap_batcher_storage_failing',
    help: '1 while batches fail on the data directory (disk full, I/O error) and are retried',
    registers,
  });
  const storageFailures = new Counter({
    name: 'tap_batcher_storage_failures_total',
    help: 'Batch or maintenance attempts that failed on the data directory, by error code',
    labelNames: ['code'],
    registers,
  });

  let window = emptyWindow();
  return {
    anchored(atMs: number) {
      lastAnchor.set(atMs / 1_000);
    },
    retained(result: { deleted: readonly string[]; refused: readonly unknown[] }) {
      segmentsDeleted.inc(result.deleted.length);
      retentionRefused.inc(result.refused.length);
    },
    deadManVoided(bets: number) {
      deadManVoids.inc(bets);
    },
    observeBatch(batch: readonly StreamEntry[], results: readonly EntryResult[], durationMs: number) {
      batches.inc();
      batchSize.observe(batch.length);
      batchDuration.observe(durationMs / 1_000);
      let oldestMs = Number.POSITIVE_INFINITY;
      for (const entry of batch) oldestMs = Math.min(oldestMs, streamIdTimeMs(entry.id));
      entryAge.set(Math.max(0, Date.now() - oldestMs) / 1_000);
      window.batches += 1;
      window.entries += batch.length;
      window.maxBatch = Math.max(window.maxBatch, batch.length);
      window.maxDurationMs = Math.max(window.maxDurationMs, durationMs);
      // One labelled increment per (stream, outcome) of the batch, not per entry: prom-client hashes
      // the labels on every call (~1 µs, a few % of the batcher's time per bet).
      const counts = new Map<string, { kind: string; outcome: EntryResult['outcome']; n: number }>();
      for (const { kind, outcome } of results) {
        const key = `${kind} ${outcome}`;
        const count = counts.get(key);
        if (count) count.n += 1;
        else counts.set(key, { kind, outcome, n: 1 });
      }
      for (const { kind, outcome, n } of counts.values()) {
        entries.inc({ stream: kind, outcome }, n);
        if (outcome === 'dead_letter') deadLetters.inc({ stream: kind }, n);
        window.outcomes[outcome] += n;
      }
    },
    setLag(stream: string, entriesBehind: number) {
      lag.set({ stream }, entriesBehind);
    },
    setUnappliedAge(ageMs: number) {
      unappliedAge.set(ageMs / 1000);
    },
    storageFailed(code: string) {
      storageFailing.set(1);
      storageFailures.inc({ code });
    },
    storageRecovered() {
      storageFailing.set(0);
    },
    checkpointed() {
      checkpoints.inc();
    },
    rolledOver(report: { durationMs: number; pauseMs: number; slowestSliceMs: number }) {
      rollovers.inc();
      rolloverDuration.set(report.durationMs / 1_000);
      rolloverPause.set(report.pauseMs / 1_000);
      rolloverSlice.set(report.slowestSliceMs / 1_000);
    },
    /** Logs `batches.summary` once per interval when anything happened. */
    maybeLogSummary(nowMs = Date.now()) {
      if (nowMs - window.startedAtMs < summaryIntervalMs) return;
      if (window.batches > 0) {
        const { startedAtMs, ...counts } = window;
        log.info({ ...counts, intervalMs: nowMs - startedAtMs }, 'batches.summary');
      }
      window = emptyWindow(nowMs);
    },
  };
}

function emptyWindow(nowMs = Date.now()) {
  const outcomes: Record<Outcome, number> = {
    applied: 0,
    rejected: 0,
    duplicate: 0,
    dead_letter: 0,
    held: 0,
  };
  return { startedAtMs: nowMs, batches: 0, entries: 0, maxBatch: 0, maxDurationMs: 0, outcomes };
}
