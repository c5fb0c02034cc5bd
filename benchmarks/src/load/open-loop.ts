/**
 * The open-loop driver: splits one constant-arrival-rate schedule over `workers` worker threads
 * (request i goes to worker i mod workers), starts them at the same planned instant, prints a
 * progress line every second, and merges their histograms and timelines into one LoadRunResult.
 */
import { Worker } from 'node:worker_threads';
import { type LatencySummary, mergeEncoded, summarize } from '../stats/histogram.js';
import { mergeSeconds, mergeTimelines, type TimelinePoint } from '../stats/timeline.js';
import { startCellFeed } from './cell-feed.js';
import type { Cell } from './cell-picker.js';
import { checkProfile } from './schedule.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerResult, WsReport } from './worker-protocol.js';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const WORKER_MAIN = new URL('./load-worker.ts', import.meta.url).href;
const START_DELAY_MS = 300;

export type OpenLoopOptions = Omit<WorkerConfig, 'worker'> & {
  label: string;
  quiet?: boolean;
  /**
   * Called once every load thread is ready (its WebSockets authenticated), as the schedule starts,
   * with the schedule's planned start (epoch ms, a little ahead: the threads start then).
   */
  onReady?: (startEpochMs: number) => void;
};

export interface LoadRunResult {
  label: string;
  kind: WorkerConfig['kind'];
  /** When the schedule started (epoch ms). */
  startedAtMs: number;
  offeredPerS: number;
  durationS: number;
  warmupS: number;
  rampS: number;
  workers: number;
  connections: number;
  wallets: number;
  wsWallets: number;
  sent: number;
  ok: number;
  noAnswer: number;
  /** Success answers per second over the measured window (until the last one arrived). */
  achievedPerS: number;
  errors: Record<string, number>;
  /** The first answer body seen for each error code. */
  errorSamples: Record<string, string>;
  errorCount: number;
  latency: LatencySummary;
  /** Planned time → WebSocket accepted/rejected event; null when no WebSocket was tracked. */
  accepted: LatencySummary | null;
  /**
   * Next-tick entry: each `accepted` event's time since its fill print (`fillPrint.t`, the index
   * time price-ingest stamps) — SPEC §12's "to accepted" with the defence on. Null when no event
   * named a fill print (bets priced at receipt); absent in results recorded before it was measured.
   */
  fillToAccepted?: LatencySummary | null;
  /** How late the generator itself sent requests (already included in `latency`). */
  sendLag: LatencySummary;
  ws: WsReport | null;
  timeline: TimelinePoint[];
  /**
   * The load threads' own CPU over the measured requests (WebSocket threads excluded): µs per
   * request sent, and % of one core. Absent in results recorded before it was measured.
   */
  generator?: GeneratorCpu;
}

export interface GeneratorCpu {
  usPerRequest: number;
  /** % of one core. */
  cpuPct: number;
  /** % of the window the load threads were runnable but waited for a CPU (a busy machine). */
  waitPct: number;
}

export interface LoadRun {
  result: LoadRunResult;
  /** Every 202'd bet id, for the audit (not written to JSON). */
  ackedBetIds: string[];
  /**
   * Encoded latency histograms by the second the request was planned in (to 202, and to the
   * WebSocket event): a scenario that changes conditions during one run pools the seconds of each
   * (bet-under-abuse). Not written to JSON.
   */
  seconds: { latency: string[]; accepted: string[]; sendLag: string[] };
}

/** The part of a run the statistics cover: after the warm-up, until the schedule ends. */
export function measuredWindow(run: LoadRunResult): { fromMs: number; toMs: number } {
  return { fromMs: run.startedAtMs + run.warmupS * 1000, toMs: run.startedAtMs + run.durationS * 1000 };
}

/**
 * The options of a run of GETs (`me`, `history`) by wallets without WebSockets: one thread, 16
 * connections, no stake or price, nothing to drain. Spread first, then the run's own.
 */
export const READ_LOAD = {
  workers: 1,
  wsWallets: 0,
  connections: 16,
  requestTimeoutMs: 10_000,
  price: { fixedCents: 1 },
  stakeMicros: 0,
  drainTimeoutMs: 0,
} satisfies Partial<OpenLoopOptions>;

export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadRun> {
  checkProfile(options.profile);
  const { label, quiet, onReady, ...shared } = options;
  const workers: Worker[] = [];
  const postCells = (cells: Cell[]) => {
    for (const worker of workers) worker.postMessage({ type: 'cells', cells } satisfies ToWorker);
  };
  // Cells first (a failed first read of the price ends the run before any thread starts).
  const feed = options.kind === 'bet' ? await startCellFeed(options.price, postCells) : undefined;
  for (let worker = 0; worker < options.workers; worker += 1)
    workers.push(
      new Worker(WORKER_ENTRY, {
        workerData: { ...shared, worker, entry: WORKER_MAIN } satisfies WorkerConfig & { entry: string },
      }),
    );
  if (feed) postCells(feed.latest());
  const progress = new ProgressPrinter(label, options.workers, quiet === true);
  try {
    const { results, startEpochMs } = await drive(workers, progress, onReady);
    return merge(options, results, startEpochMs);
  } finally {
    feed?.stop();
    progress.stop();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function drive(
  workers: Worker[],
  progress: ProgressPrinter,
  onReady: ((startEpochMs: number) => void) | undefined,
): Promise<{ results: WorkerResult[]; startEpochMs: number }> {
  return new Promise((resolve, reject) => {
    const results: WorkerResult[] = [];
    let ready = 0;
    let startEpochMs = 0;
    for (const worker of workers) {
      worker.on('error', reject);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'failed') reject(new Error(`load worker failed: ${message.message}`));
        else if (message.type === 'progress') progress.update(message);
        else if (message.type === 'ready') {
          ready += 1;
          if (ready < workers.length) return;
          startEpochMs = performance.timeOrigin + performance.now() + START_DELAY_MS;
          for (const w of workers) w.postMessage({ type: 'start', startEpochMs } satisfies ToWorker);
          progress.start(startEpochMs);
          onReady?.(startEpochMs);
        } else {
          results.push(message.result);
          if (results.length === workers.length) resolve({ results, startEpochMs });
        }
      });
    }
  });
}

function merge(options: OpenLoopOptions, results: WorkerResult[], startEpochMs: number): LoadRun {
  const { profile } = options;
  const errors: Record<string, number> = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const sum = (pick: (r: WorkerResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const accepted = mergeEncoded(results.map((r) => r.accepted));
  const warmupMs = profile.warmupMs ?? 0;
  const lastAnswerAbsMs = Math.max(...results.map((r) => r.lastAnswerAbsMs));
  const measuredOk = sum((r) => r.measuredOk);
  // The measured window ends with the schedule, or later if answers were still arriving.
  const windowMs = Math.max(profile.durationMs - warmupMs, lastAnswerAbsMs - startEpochMs - warmupMs);
  const wsReports = results.map((r) => r.ws);
  const tracked = options.wsUrl !== undefined && options.wsWallets > 0;
  return {
    ackedBetIds: results.flatMap((r) => r.ackedBetIds),
    seconds: {
      latency: mergeSeconds(results.map((r) => r.timeline.latency)),
      accepted: mergeSeconds(results.map((r) => r.timeline.accepted)),
      sendLag: mergeSeconds(results.map((r) => r.timeline.sendLag ?? [])),
    },
    result: {
      label: options.label,
      kind: options.kind,
      startedAtMs: Math.round(startEpochMs),
      offeredPerS: profile.ratePerS,
      durationS: profile.durationMs / 1000,
      warmupS: warmupMs / 1000,
      rampS: (profile.rampMs ?? 0) / 1000,
      workers: options.workers,
      connections: options.connections * options.workers,
      wallets: options.wallets.length,
      wsWallets: tracked ? options.wsWallets : 0,
      sent: sum((r) => r.sent),
      ok: sum((r) => r.ok),
      noAnswer: sum((r) => r.noAnswer),
      achievedPerS: Math.round((measuredOk / windowMs) * 1000),
      errors,
      errorSamples: Object.assign({}, ...results.map((r) => r.errorSamples).reverse()),
      errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
      latency: summarize(mergeEncoded(results.map((r) => r.latency))),
      accepted: tracked ? summarize(accepted) : null,
      fillToAccepted: nullIfEmpty(summarize(mergeEncoded(results.map((r) => r.fillToAccepted)))),
      sendLag: summarize(mergeEncoded(results.map((r) => r.sendLag))),
      ws: tracked ? mergeWsReports(wsReports) : null,
      timeline: mergeTimelines(results.map((r) => r.timeline)),
      generator: generatorCpu(results, windowMs),
    },
  };
}

const nullIfEmpty = (summary: LatencySummary) => (summary.count > 0 ? summary : null);

/** The load threads' CPU over the measured requests: per request, as a share of one core, and waiting. */
export function generatorCpu(
  results: readonly Pick<WorkerResult, 'cpuNs' | 'cpuWaitNs' | 'measuredSent'>[],
  windowMs: number,
): GeneratorCpu {
  const cpuUs = results.reduce((n, r) => n + r.cpuNs, 0) / 1_000;
  const waitUs = results.reduce((n, r) => n + r.cpuWaitNs, 0) / 1_000;
  const sent = results.reduce((n, r) => n + r.measuredSent, 0);
  const pctOfWindow = (us: number) => (windowMs > 0 ? Math.round((us / 1_000 / windowMs) * 1_000) / 10 : 0);
  return {
    usPerRequest: sent > 0 ? Math.round((cpuUs / sent) * 10) / 10 : 0,
    cpuPct: pctOfWindow(cpuUs),
    waitPct: pctOfWindow(waitUs),
  };
}

export function mergeWsReports(reports: readonly WsReport[]): WsReport {
  const statuses: Record<string, number> = {};
  for (const r of reports)
    for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const sum = (pick: (r: WsReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  return {
    sockets: sum((r) => r.sockets),
    tracked: sum((r) => r.tracked),
    matched: sum((r) => r.matched),
    missing: sum((r) => r.missing),
    missingSample: reports.flatMap((r) => r.missingSample).slice(0, 10),
    unmatched: sum((r) => r.unmatched),
    statuses,
    ticks: sum((r) => r.ticks),
    closedEarly: sum((r) => r.closedEarly),
    reconnects: sum((r) => r.reconnects),
    resyncs: sum((r) => r.resyncs),
    resumeChecked: sum((r) => r.resumeChecked),
    missedEvents: sum((r) => r.missedEvents),
    missedSample: reports.flatMap((r) => r.missedSample).slice(0, 10),
    coveredByResync: sum((r) => r.coveredByResync),
    ...(reports.some((r) => r.closeError)
      ? { closeError: reports.find((r) => r.closeError)?.closeError }
      : {}),
  };
}

/**
 * One line per second: offered and achieved rate, errors, p99 of the last second and so far (with
 * several workers, the worst worker's: workers send percentiles, not histograms, to stay cheap).
 */
class ProgressPrinter {
  private latest = new Map<number, Extract<FromWorker, { type: 'progress' }>>();
  private previous = { sent: 0, ok: 0, errors: 0 };
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly label: string,
    private readonly workers: number,
    private readonly quiet: boolean,
  ) {}

  start(startEpochMs: number): void {
    this.startedAt = startEpochMs;
    if (!this.quiet) this.timer = setInterval(() => this.print(), 1_000);
  }

  update(message: Extract<FromWorker, { type: 'progress' }>): void {
    this.latest.set(message.worker, message);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private print(): void {
    const totals = { sent: 0, ok: 0, errors: 0, p99IntervalUs: 0, p99SoFarUs: 0 };
    for (const w of this.latest.values()) {
      totals.sent += w.sent;
      totals.ok += w.ok;
      totals.errors += w.errors;
      totals.p99IntervalUs = Math.max(totals.p99IntervalUs, w.p99IntervalUs);
      totals.p99SoFarUs = Math.max(totals.p99SoFarUs, w.p99SoFarUs);
    }
    const elapsedS = Math.max(
      0,
      Math.round((performance.timeOrigin + performance.now() - this.startedAt) / 1000),
    );
    const line =
      `[${this.label}] t=${elapsedS}s offered ${totals.sent - this.previous.sent}/s` +
      ` achieved ${totals.ok - this.previous.ok}/s errors ${totals.errors - this.previous.errors}` +
      ` p99(1s) ${ms(totals.p99IntervalUs)} p99(so far) ${ms(totals.p99SoFarUs)}` +
      ` (${this.latest.size}/${this.workers} workers)`;
    process.stdout.write(`${line}\n`);
    this.previous = { sent: totals.sent, ok: totals.ok, errors: totals.errors };
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)}ms`;
