/**
 * The daemon lifecycle: start the parts, stop them in order on SIGTERM/SIGINT, exit 0.
 *
 * `Stopper` runs its steps in the order they were added (callers add: stop input → drain), then
 * the final steps (closing the connections every other step may still need) in the order added. It is idempotent — a second signal or call waits for the same run — and a failed step
 * is logged and the rest still run. A stop that overruns `stopTimeoutMs` exits 1 so systemd sees it.
 * Uncaught errors crash the process (broken invariants must not limp on); systemd restarts it.
 */
import type { Logger } from 'pino';

export interface Stopper {
  add(step: string, fn: () => unknown): void;
  /** Runs after every `add`ed step, whenever it was registered: Redis, ops server, databases. */
  addFinal(step: string, fn: () => unknown): void;
  stop(): Promise<void>;
}

export function createStopper(log: Logger): Stopper {
  const steps: { step: string; fn: () => unknown }[] = [];
  const finalSteps: typeof steps = [];
  let running: Promise<void> | undefined;
  const runAll = async () => {
    for (const { step, fn } of [...steps, ...finalSteps]) {
      try {
        await fn();
        log.debug({ step }, 'stop.step_done');
      } catch (err) {
        log.error({ step, err }, 'stop.step_failed');
      }
    }
  };
  return {
    add(step, fn) {
      steps.push({ step, fn });
    },
    addFinal(step, fn) {
      finalSteps.push({ step, fn });
    },
    stop() {
      running ??= runAll();
      return running;
    },
  };
}

export interface DaemonOptions {
  service: string;
  log: Logger;
  /** Hard limit for a graceful stop; systemd's TimeoutStopSec should be a little longer. */
  stopTimeoutMs?: number;
  /** Builds and starts the parts, registering each one's shutdown on the stopper. */
  start(stopper: Stopper): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { service, log } = options;
  const stopTimeoutMs = options.stopTimeoutMs ?? 4_000;
  const stopper = createStopper(log);
  let stopping = false;

  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'daemon.stopping');
    const timer = setTimeout(() => {
      log.fatal({ stopTimeoutMs }, 'daemon.stop_timeout');
      process.exit(1);
    }, stopTimeoutMs);
    timer.unref();
    await stopper.stop();
    log.info({ exitCode }, 'daemon.stopped');
    process.exit(exitCode);
  };

  for (const signal of SIGNALS) process.on(signal, () => void shutdown(signal, 0));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'daemon.uncaught_exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'daemon.unhandled_rejection');
    process.exit(1);
  });

  try {
    await options.start(stopper);
    log.info({ service, pid: process.pid }, 'daemon.started');
  } catch (err) {
    log.fatal({ err }, 'daemon.start_failed');
    await shutdown('start_failed', 1);
  }
}
