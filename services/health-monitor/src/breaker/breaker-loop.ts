/**
 * The breaker's timer: every `tickMs` read the new prints, fold them into the state machine, let
 * the clock evaluate (staleness is caught even when no print arrives), and write the state with a
 * fresh heartbeat plus any changes. One tick at a time; a tick still running when the timer fires
 * again makes that firing a no-op. price-ingest's reports of prints it could not store are taken
 * with the prints and open the breaker (`price_write_failed`). A failed tick writes nothing — the heartbeat then ages, which
 * is exactly what ingest-api's fail-closed check is for.
 */
import {
  type BreakerMachine,
  type BreakerRules,
  evaluate,
  observePrint,
  observeWriteFailure,
  type Step,
  startingMachine,
} from '@tap/breaker';
import type { BreakerEntry } from '@tap/domain';
import type { Logger } from '@tap/runtime';
import type { MonitorMetrics } from '../monitor-metrics.js';
import type { BreakerStore } from './breaker-store.js';
import type { PrintReader } from './print-reader.js';
import type { WriteFailures } from './write-failures.js';

export interface BreakerLoopOptions {
  reader: PrintReader;
  /** Prints price-ingest failed to store: each opens the breaker (`price_write_failed`). */
  writeFailures: Pick<WriteFailures, 'take'>;
  store: BreakerStore;
  rules: BreakerRules;
  tickMs: number;
  metrics: MonitorMetrics;
  log: Logger;
}

/** Unacknowledged ids kept for the next write; beyond this a restart cleans them up. */
const UNACKED_MAX = 10_000;
const ERROR_LOG_INTERVAL_MS = 10_000;

export async function startBreakerLoop(options: BreakerLoopOptions): Promise<BreakerLoop> {
  const { reader, store, rules, log } = options;
  const loop = new BreakerLoop(options, startingMachine(Date.now(), store.openInterval() ?? undefined));
  const latest = await reader.latest();
  if (latest) loop.apply(observePrint(loop.machine(), latest, rules));
  const { state, reason, since } = loop.machine();
  log.info({ state, reason, since }, 'breaker.started');
  loop.start();
  return loop;
}

export class BreakerLoop {
  private current: BreakerMachine;
  private unacked: string[] = [];
  private heartbeatAt: number | null = null;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastErrorLogAt = 0;

  constructor(
    private readonly options: BreakerLoopOptions,
    initial: Step,
  ) {
    this.current = initial.machine;
    if (initial.change) options.store.record(initial.change);
  }

  machine(): BreakerMachine {
    return this.current;
  }

  lastHeartbeatAt(): number | null {
    return this.heartbeatAt;
  }

  apply(step: Step): void {
    this.current = step.machine;
    if (step.change) this.options.store.record(step.change);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.tickOnce()
      .catch((err: unknown) => this.tickFailed(err))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async tickOnce(): Promise<void> {
    const { reader, store, rules, metrics } = this.options;
    const batch = await reader.readNew();
    metrics.printsRead.inc({ result: 'ok' }, batch.prints.length);
    metrics.printsRead.inc({ result: 'malformed' }, batch.malformed);
    for (const print of batch.prints) this.apply(observePrint(this.current, print, rules));
    for (const t of this.options.writeFailures.take()) this.apply(observeWriteFailure(this.current, t));
    this.unacked = [...this.unacked, ...batch.ids].slice(-UNACKED_MAX);
    const nowMs = Date.now();
    this.apply(evaluate(this.current, nowMs, rules, await store.manualHalt(nowMs)));
    const { state, reason, since } = this.current;
    const written = await store.write({ state, reason, since, heartbeatAt: nowMs }, this.unacked);
    this.unacked = [];
    this.heartbeatAt = nowMs;
    this.report(written, nowMs);
  }

  private report(written: BreakerEntry[], nowMs: number): void {
    const { metrics, log } = this.options;
    metrics.breakerOpen.set(this.current.state === 'open' ? 1 : 0);
    if (this.current.lastPrint) metrics.printAge.set((nowMs - this.current.lastPrint.t) / 1_000);
    for (const change of written) {
      if (change.state === 'open') metrics.opens.inc({ reason: change.reason });
      log.info({ ...change }, 'breaker.changed');
    }
  }

  private tickFailed(err: unknown): void {
    this.options.metrics.tickErrors.inc();
    if (Date.now() - this.lastErrorLogAt >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLogAt = Date.now();
      this.options.log.error({ err }, 'breaker.tick_failed');
    }
  }
}
