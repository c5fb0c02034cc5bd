/**
 * archiver (timer job): `archive` weekly ships closed segments to S3 and only then deletes local
 * ones past the kept four (archive-job.ts); `backup` hourly ships an online snapshot of every
 * not-yet-archived segment and Redis' RDB/AOF (backup-job.ts). SPEC §8. `restores` is the one
 * long-running mode: the restore worker of historical queries (restores-daemon.ts). Its health is its exit
 * status (0 everything due verified, 1 failed, 78 bad config) plus the
 * `last_successful_<mode>_timestamp` gauge in the node-exporter textfile, advanced only after
 * every object due was uploaded, read back and verified. Both timer modes end by copying the
 * batcher's newest ledger anchors into the S3 manifest (anchor-upload.ts).
 */
import { anchorsPath } from '@tap/domain';
import { bootService, jobOptionsOf, runJob } from '@tap/runtime';
import { uploadAnchors } from './anchor-upload.js';
import { runArchive } from './archive-job.js';
import { runBackup } from './backup-job.js';
import { loadConfig, SERVICE } from './config.js';
import { createJobMetrics, RunTotals } from './metrics.js';
import { ttyProgress } from './progress.js';
import { runRestoresDaemon } from './restores-daemon.js';
import { transferContext } from './transfer-context.js';

// A timer job's textfile holds only its run's gauges; the restore worker is a daemon with process metrics.
const boot = bootService(SERVICE, loadConfig(process.env, process.argv.slice(2)), {
  processMetrics: (config) => config.MODE === 'restores',
});
const { config, registry } = boot;
const log = boot.log.child({ mode: config.MODE });

if (config.MODE === 'restores') runRestoresDaemon(config, log, registry);
else runTimerJob(config.MODE);

function runTimerJob(mode: 'archive' | 'backup'): void {
  const metrics = createJobMetrics(registry, mode);

  void runJob({
    ...jobOptionsOf(SERVICE, { config, log, registry }),
    textfileName: `${SERVICE}-${mode}`,
    async run(signal) {
      const ctx = transferContext(config, log, signal, ttyProgress());
      const totals = new RunTotals();
      try {
        if (mode === 'archive') {
          await runArchive({ ctx, dataDir: config.DATA_DIR, log, totals });
        } else {
          const retention = { hourly: config.BACKUP_KEEP_HOURLY, daily: config.BACKUP_KEEP_DAILY };
          await runBackup({
            ctx,
            dataDir: config.DATA_DIR,
            redisDir: config.REDIS_DATA_DIR,
            retention,
            bytesPerSecond: config.BACKUP_RATE_MB_S * 1_000_000,
            log,
            totals,
          });
        }
        // Last, after the segments: the newest heads go to S3 once their data is safe there too.
        const anchorsFile = config.ANCHORS_FILE ?? anchorsPath(config.DATA_DIR);
        totals.anchors = await uploadAnchors({ ctx, dataDir: config.DATA_DIR, anchorsFile, log });
        totals.record(metrics);
        log.info(
          { objects: totals.objects, plainBytes: totals.plainBytes, removed: totals.removed },
          `${mode}.done`,
        );
      } finally {
        ctx.s3.destroy();
      }
    },
  });
}
