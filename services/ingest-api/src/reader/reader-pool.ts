/**
 * The uWS thread's side of the reader worker (reader-worker.ts): one worker thread owning the
 * segment connections, one query in flight at a time, and bounds so that neither a flood of
 * queries nor a broken worker reaches the bet event loop (issue 19):
 *
 * - at most `queueMax` queries wait; past that `service_busy` (503 + Retry-After) at once;
 * - a query waits at most `queryTimeoutMs` for the worker (then `service_busy`) and runs at most
 *   `queryTimeoutMs` there: past that the worker is deemed wedged, terminated and replaced, and
 *   the query answered `service_busy`;
 * - a worker that dies (crash, out of memory) is replaced and its in-flight query answered
 *   `service_busy`: the client did nothing wrong and its retry will succeed. Every replacement is
 *   reported (`onRestart`: a log line and `tap_ingest_api_reader_restarts_total{reason}`);
 * - a query whose client went away while it waited is dropped before it reaches the worker.
 *
 * Why one worker and not a pool: the queries are short bounded index reads on two cores shared
 * with the bet path; one thread caps what history traffic can take from it at one core, and the
 * queue bound turns any excess into fast 503s.
 */
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import {
  RECYCLE_BYTES_MIN,
  type ReadAnswer,
  type ReaderReply,
  type ReadQuery,
  type ReadRequest,
  type RecycleMessage,
} from './reader-protocol.js';

export type RestartReason = 'crash' | 'wedged' | 'start_timeout';

export interface ReaderPoolOptions {
  /** Starts a worker thread running runReaderWorkerIfWorker(). */
  spawn: () => Worker;
  queueMax: number;
  queryTimeoutMs: number;
  /** Longest a new worker may take to report ready before it is replaced (default 10000). */
  startTimeoutMs?: number;
  /** Pause before replacing a worker that died before it became ready: no hot loop (default 1000). */
  respawnDelayMs?: number;
  onRestart?: (reason: RestartReason, err: Error | null) => void;
  onWorkerError?: (err: Error) => void;
}

export type ReadResult =
  | { ok: true; answer: ReadAnswer }
  | { ok: false; code: 'service_busy'; message: string }
  | { ok: false; code: 'internal'; message: string };

export interface ReaderStats {
  ready: boolean;
  /** The niceness the current worker thread runs at (null: unknown or not lowered). */
  nice: number | null;
  queued: number;
  inFlight: number;
  restarts: number;
}

export interface ReaderPool {
  /** `gone()` is asked before the query is sent: a client that went away costs no SQLite work. */
  read(query: ReadQuery, gone?: () => boolean): Promise<ReadResult>;
  /** A public body this thread has written out (a history page): its buffer goes back to the reader (reader-protocol.ts). */
  recycle(body: Uint8Array): void;
  stats(): ReaderStats;
  /** Answers every waiting query service_busy and stops the worker. Idempotent. */
  close(): Promise<void>;
}

interface Job {
  request: ReadRequest;
  gone: () => boolean;
  resolve: (result: ReadResult) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  started: boolean;
  job: Job | null;
  /** Why it is being stopped; null while it serves. */
  retiring: RestartReason | null;
  startTimer: NodeJS.Timeout;
}

export function createReaderPool(options: ReaderPoolOptions): ReaderPool {
  const { queueMax, queryTimeoutMs } = options;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const respawnDelayMs = options.respawnDelayMs ?? 1_000;
  assert.ok(Number.isInteger(queueMax) && queueMax >= 0, 'queueMax must be a non-negative integer');
  assert.ok(queryTimeoutMs > 0 && startTimeoutMs > 0 && respawnDelayMs >= 0, 'timeouts must be positive');

  const queue: Job[] = [];
  let slot: Slot | null = null;
  let respawnTimer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let restarts = 0;
  let nice: number | null = null;
  let closing: Promise<void> | null = null;

  function spawn(): void {
    const worker = options.spawn();
    const startTimer = setTimeout(() => retire(current, 'start_timeout'), startTimeoutMs);
    const current: Slot = { worker, ready: false, started: false, job: null, retiring: null, startTimer };
    slot = current;
    worker.on('message', (reply: ReaderReply) => onReply(current, reply));
    // Without an 'error' listener a worker crash would be rethrown on this thread.
    worker.on('error', (err) => {
      options.onWorkerError?.(err);
      current.retiring ??= 'crash';
    });
    worker.on('exit', () => onExit(current));
  }

  function onReply(from: Slot, reply: ReaderReply): void {
    if (from !== slot || from.retiring) return;
    if (reply.type === 'ready') {
      clearTimeout(from.startTimer);
      from.ready = from.started = true;
      nice = reply.nice ?? null;
      dispatch();
      return;
    }
    const job = from.job;
    // A reply that races a timeout belongs to a query already answered; drop it.
    if (job === null || job.request.id !== reply.id) return;
    from.job = null;
    settle(job, reply.type === 'answer' ? { ok: true, answer: reply.answer } : internal(reply.message));
    dispatch();
  }

  function onExit(from: Slot): void {
    clearTimeout(from.startTimer);
    if (from.job) settle(from.job, busy('the segment reader stopped, retry'));
    if (slot === from) slot = null;
    if (closing) return;
    restarts += 1;
    const reason = from.retiring ?? 'crash';
    options.onRestart?.(reason, reason === 'crash' ? new Error('the reader worker exited') : null);
    // A worker that ran fine is replaced at once; one that never started waits, so a broken
    // entry costs one attempt per respawnDelayMs instead of a hot loop.
    if (from.started && reason !== 'start_timeout') {
      spawn();
      return;
    }
    respawnTimer = setTimeout(() => {
      respawnTimer = null;
      if (!closing) spawn();
    }, respawnDelayMs);
  }

  /** Stops a worker; onExit answers its query and replaces it. */
  function retire(target: Slot, reason: RestartReason): void {
    if (target.retiring) return;
    target.retiring = reason;
    target.ready = false;
    target.worker.terminate().catch((err: Error) => options.onWorkerError?.(err));
  }

  function dispatch(): void {
    const target = slot;
    if (target === null || !target.ready || target.job !== null) return;
    let job = queue.shift();
    // A client that hung up while its query waited: answer nothing (the reply would be a no-op).
    while (job?.gone()) {
      settle(job, busy('the client went away'));
      job = queue.shift();
    }
    if (!job) return;
    clearTimeout(job.timer);
    job.timer = setTimeout(() => onRunTimeout(target, job), queryTimeoutMs);
    target.job = job;
    target.worker.postMessage(job.request);
  }

  function onWaitTimeout(job: Job): void {
    const at = queue.indexOf(job);
    assert.ok(at >= 0, 'a query whose wait timed out is still queued');
    queue.splice(at, 1);
    settle(job, busy(`no segment reader was free within ${queryTimeoutMs} ms, retry`));
  }

  function onRunTimeout(target: Slot, job: Job): void {
    settle(job, busy(`the query did not finish within ${queryTimeoutMs} ms, retry`));
    target.job = null;
    retire(target, 'wedged');
  }

  function settle(job: Job, result: ReadResult): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    job.resolve(result);
  }

  async function read(query: ReadQuery, gone: () => boolean = () => false): Promise<ReadResult> {
    if (closing) return busy('the segment reader is closed');
    const idle = slot?.ready === true && slot.job === null;
    if (!idle && queue.length >= queueMax) return busy('too many queries in progress, retry shortly');
    return new Promise<ReadResult>((resolve) => {
      const job: Job = { request: { id: nextId++, query }, gone, resolve, timer: undefined!, settled: false };
      job.timer = setTimeout(() => onWaitTimeout(job), queryTimeoutMs);
      queue.push(job);
      dispatch();
    });
  }

  async function shutDown(): Promise<void> {
    if (respawnTimer) clearTimeout(respawnTimer);
    for (const job of queue.splice(0)) settle(job, busy('the segment reader is closed'));
    const last = slot;
    if (!last) return;
    clearTimeout(last.startTimer);
    if (last.job) settle(last.job, busy('the segment reader is closed'));
    await last.worker.terminate().catch((err: Error) => options.onWorkerError?.(err));
  }

  spawn();

  /** Only a big body's whole buffer, to a running reader; anything else is left to the GC. */
  function recycle(body: Uint8Array): void {
    const { buffer } = body;
    if (slot?.ready !== true || !(buffer instanceof ArrayBuffer) || buffer.byteLength < RECYCLE_BYTES_MIN)
      return;
    const message: RecycleMessage = { type: 'recycle', buffer };
    slot.worker.postMessage(message, [buffer]);
  }

  return {
    read,
    recycle,
    stats: () => ({
      ready: slot?.ready ?? false,
      nice,
      queued: queue.length,
      inFlight: slot?.job ? 1 : 0,
      restarts,
    }),
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

function busy(message: string): ReadResult {
  return { ok: false, code: 'service_busy', message };
}

function internal(message: string): ReadResult {
  return { ok: false, code: 'internal', message };
}
