/**
 * The job's metrics, written to the node-exporter textfile after a successful run (runJob). The
 * success timestamp keeps the SPEC's name (the alert rules use it); the rest follow
 * `tap_archiver_<mode>_<what>_<unit>` and describe the last successful run.
 */
import { Gauge, type Registry } from '@tap/runtime';

type Mode = 'archive' | 'backup';

export interface JobMetrics {
  lastSuccess: Gauge;
  plainBytes: Gauge;
  compressedBytes: Gauge;
  ratio: Gauge;
  durationSeconds: Gauge;
  objects: Gauge;
  /** backup: old backups pruned. The archive mode deletes nothing: the batcher deletes archived segments (issue 16). */
  removed: Gauge | null;
  anchors: Gauge;
}

export function createJobMetrics(registry: Registry, mode: Mode): JobMetrics {
  const registers = [registry];
  return {
    lastSuccess: lastSuccessGauge(registry, mode),
    plainBytes: new Gauge({
      name: `tap_archiver_${mode}_plain_bytes`,
      help: 'Bytes of the files shipped by the last successful run',
      registers,
    }),
    compressedBytes: new Gauge({
      name: `tap_archiver_${mode}_compressed_bytes`,
      help: 'Bytes uploaded (zstd) by the last successful run',
      registers,
    }),
    ratio: new Gauge({
      name: `tap_archiver_${mode}_compression_ratio`,
      help: 'Plain bytes per compressed byte in the last successful run',
      registers,
    }),
    durationSeconds: new Gauge({
      name: `tap_archiver_${mode}_duration_seconds`,
      help: 'Duration of the last successful run',
      registers,
    }),
    objects: new Gauge({
      name: `tap_archiver_${mode}_objects`,
      help: 'Objects uploaded and verified by the last successful run',
      registers,
    }),
    removed:
      mode === 'backup'
        ? new Gauge({
            name: 'tap_archiver_backup_removed',
            help: 'Old backups deleted by the retention of the last successful run',
            registers,
          })
        : null,
    anchors: new Gauge({
      name: `tap_archiver_${mode}_anchors`,
      help: 'Ledger anchors the last successful run added to the S3 manifest',
      registers,
    }),
  };
}

/**
 * Spelled out per mode, not built from it: the alert rules and the dashboard name these two
 * (infra/prometheus/check-metrics.mjs reads metric names from the code, and a name built from the mode would match any mode).
 */
function lastSuccessGauge(registry: Registry, mode: Mode): Gauge {
  const help = `Unix time (s) of the last ${mode} run whose every due object was uploaded, read back and verified`;
  return mode === 'archive'
    ? new Gauge({ name: 'last_successful_archive_timestamp', help, registers: [registry] })
    : new Gauge({ name: 'last_successful_backup_timestamp', help, registers: [registry] });
}

/** Totals of one run; `record` sets every gauge at once, only after the run succeeded. */
export class RunTotals {
  plainBytes = 0;
  compressedBytes = 0;
  objects = 0;
  removed = 0;
  anchors = 0;
  readonly startedAt = Date.now();

  add(digests: { plain: { bytes: number }; compressed: { bytes: number } }): void {
    this.plainBytes += digests.plain.bytes;
    this.compressedBytes += digests.compressed.bytes;
    this.objects += 1;
  }

  record(metrics: JobMetrics): void {
    metrics.plainBytes.set(this.plainBytes);
    metrics.compressedBytes.set(this.compressedBytes);
    metrics.ratio.set(this.compressedBytes > 0 ? this.plainBytes / this.compressedBytes : 0);
    metrics.durationSeconds.set((Date.now() - this.startedAt) / 1000);
    metrics.objects.set(this.objects);
    metrics.removed?.set(this.removed);
    metrics.anchors.set(this.anchors);
    metrics.lastSuccess.setToCurrentTime();
  }
}
