/**
 * The lifecycle of a timer job (archiver, backups, integrity-cron): one pass, then exit. Its health
 * is its exit status (0 done, 1 failed, 78 bad config); while the pass runs it can also serve
 * /healthz and /metrics on an ops port so a long upload can be watched.
 *
 * Prometheus cannot scrape a process that has exited, so the job writes its registry to the
 * node-exporter textfile directory (atomically: temp file + rename). A successful pass rewrites
 * `<service>.prom` (its success timestamp gauges among them); a failed pass leaves that file alone —
 * the dead man's switch keeps seeing the last success — and writes `<service>.failure.prom`.
 *
 * SIGTERM aborts the pass through its AbortSignal; a pass interrupted on request exits 0, because
 * systemd stopping a job is not a failure of the job.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type OpsServer, startOpsServer } from './ops-server.js';

export interface JobOptions {
  service: string;
  log: Logger;
  registry: Registry;
  /** Ops endpoint while the pass runs; port 0 disables it. */
  ops: { host: string; port: number };
  /** node-exporter textfile directory; empty disables the textfile. */
  textfileDir: string;
  /** Base name of the textfiles when one binary runs several jobs (archiver: archive, backup). */
  textfileName?: string;
  /** Hard limit after SIGTERM before the job is killed with exit 1. */
  stopTimeoutMs?: number;
  run(signal: AbortSignal): Promise<void>;
}

/** The config every timer job reads its ops endpoint and textfile directory from. */
export interface JobConfig {
  OPS_HOST: string;
  OPS_PORT: number;
  TEXTFILE_DIR: string;
}

/** The options every timer job passes, from its `bootService` result: the same in each main.ts. */
export function jobOptionsOf(
  service: string,
  boot: { config: JobConfig; log: Logger; registry: Registry },
): Omit<JobOptions, 'run'> {
  const { config, log, registry } = boot;
  return {
    service,
    log,
    registry,
    ops: { host: config.OPS_HOST, port: config.OPS_PORT },
    textfileDir: config.TEXTFILE_DIR,
  };
}

export async function runJob(options: JobOptions): Promise<void> {
  const { service, log } = options;
  const textfileName = options.textfileName ?? service;
  const controller = new AbortController();
  const startedAt = Date.now();
  const onSignal = (signal: string) => {
    if (controller.signal.aborted) return;
    log.info({ signal }, 'job.stopping');
    controller.abort(new Error(`stopped by ${signal}`));
    setTimeout(() => {
      log.fatal({}, 'job.stop_timeout');
      process.exit(1);
    }, options.stopTimeoutMs ?? 4_000).unref();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  let ops: OpsServer | undefined;
  if (options.ops.port > 0) {
    try {
      ops = await startOpsServer({
        ...options.ops,
        registry: options.registry,
        health: () => ({ ok: true, service, phase: 'running', startedAt }),
      });
    } catch (err) {
      // Another process holds the port (two units configured alike, or a run still going): the
      // job did nothing, so it must say so in the journal as a line, not as an unhandled rejection.
      log.fatal({ err, port: options.ops.port }, 'job.ops_listen_failed');
      process.exit(1);
    }
  }
  log.info({ pid: process.pid, opsPort: ops?.port }, 'job.started');

  let exitCode = 0;
  try {
    await options.run(controller.signal);
    log.info({ durationMs: Date.now() - startedAt }, 'job.succeeded');
    await writeTextfile(options, `${textfileName}.prom`, await options.registry.metrics());
  } catch (err) {
    if (controller.signal.aborted) {
      log.info({ durationMs: Date.now() - startedAt }, 'job.interrupted');
    } else {
      exitCode = 1;
      log.error({ err, durationMs: Date.now() - startedAt }, 'job.failed');
      const failure = `# TYPE tap_job_last_failure_timestamp_seconds gauge\ntap_job_last_failure_timestamp_seconds{service="${service}"} ${Math.floor(Date.now() / 1000)}\n`;
      await writeTextfile(options, `${textfileName}.failure.prom`, failure).catch((writeErr: unknown) =>
        log.error({ err: writeErr }, 'job.textfile_failed'),
      );
    }
  }
  await ops?.close();
  process.exit(exitCode);
}

async function writeTextfile(options: JobOptions, name: string, text: string): Promise<void> {
  if (!options.textfileDir) return;
  const target = join(options.textfileDir, name);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, target);
}

/** Rejects as soon as `signal` aborts, for awaits on clients that take no AbortSignal (ioredis). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
