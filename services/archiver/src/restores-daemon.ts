/**
 * `archiver restores`: the restore worker as a daemon (restore-worker.ts) — Redis, the ops endpoint
 * (/healthz: Redis ready and the worker loop alive; /metrics), SIGTERM aborts the job in progress
 * (its request stays pending and is redone at the next start) and exits 0.
 */
import { createChannels } from '@tap/channels';
import { Counter, Gauge, type Logger, type Registry, runDaemon, startDaemonBase } from '@tap/runtime';
import { type Config, SERVICE } from './config.js';
import { runRestoreWorker } from './restore-worker.js';
import { transferContext } from './transfer-context.js';

export function runRestoresDaemon(config: Config, log: Logger, registry: Registry): void {
  const jobs = new Counter({
    name: 'tap_archiver_restore_jobs_total',
    help: 'Restore jobs of historical queries ended, by outcome (done or the failure code)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const cacheBytes = new Gauge({
    name: 'tap_archiver_restore_cache_bytes',
    help: 'Bytes held by the cache of restored segments after the last job',
    registers: [registry],
  });
  void runDaemon({
    service: SERVICE,
    log,
    async start(stopper) {
      const abort = new AbortController();
      let loopAlive = true;
      const { redis } = await startDaemonBase({
        service: SERVICE,
        config,
        log,
        registry,
        stopper,
        health: () => ({ ok: loopAlive, worker: loopAlive ? 'running' : 'stopped' }),
      });
      const ctx = transferContext(config, log, abort.signal);
      stopper.addFinal('s3', () => ctx.s3.destroy());
      const worker = runRestoreWorker({
        redis,
        channels: createChannels(config.TAP_KEY_PREFIX),
        ctx,
        dataDir: config.DATA_DIR,
        cacheBytesMax: config.RESTORE_CACHE_BYTES_MAX,
        log,
        signal: abort.signal,
        onJobEnded: (outcome, bytes) => {
          jobs.inc({ outcome });
          cacheBytes.set(bytes);
        },
      }).catch((err: unknown) => {
        loopAlive = false;
        if (abort.signal.aborted) return;
        // A broken worker loop (Redis gone for good, a bad stream) must not look healthy: crash,
        // systemd restarts it and the pending request is redone.
        log.fatal({ err }, 'restore.worker_crashed');
        process.exit(1);
      });
      stopper.add('restore-worker', async () => {
        abort.abort();
        await worker;
      });
      log.info({ cacheBytesMax: config.RESTORE_CACHE_BYTES_MAX }, 'restore.worker_started');
    },
  });
}
