/**
 * A bounded pool of worker threads that verifies SIWE logins off the event loop (SPEC §5: a login
 * storm never stalls bet ingestion). The cheap checks run on the calling thread, so junk is
 * refused without queueing; only signature recovery (≈ 90 µs of CPU with libsecp256k1) goes to a
 * worker, so a login storm spends the worker cores, never the event loop's.
 *
 * Bounds: `size` workers, each with one request in flight; at most `queueMax` waiting requests,
 * beyond that `login_busy` at once (HTTP 503 + Retry-After); every request is answered within
 * `verifyTimeoutMs`; a worker that does not start within `startTimeoutMs` is replaced.
 *
 * A worker that dies or wedges is replaced, and its in-flight request is answered `login_busy`:
 * the client did nothing wrong and a retry will succeed, so a 4xx code would be a lie.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type RecoverRequest, SIGNATURE_WORKER_ROLE, type WorkerReply } from './signature-worker.js';
import {
  checkSiweClaim,
  type SiweClaim,
  type SiweLoginInput,
  type SiweLoginPolicy,
  type SiweLoginResult,
  settleSiweLogin,
} from './siwe-login.js';

export interface SignaturePoolOptions {
  /** The module a worker thread runs: the service's main module, which calls runSignatureWorkerIfWorker(). */
  workerUrl: URL;
  /** Worker threads (default os.availableParallelism()). */
  size?: number;
  /** Requests allowed to wait for a worker; 0 means only idle workers take requests. */
  queueMax: number;
  /** Node flags for the workers (default: inherit process.execArgv). */
  execArgv?: string[];
  /** Longest wait plus recovery before a request is answered login_busy (default 5000). */
  verifyTimeoutMs?: number;
  /** Longest time a new worker may take to report ready before it is replaced (default 10000). */
  startTimeoutMs?: number;
  /** Pause before replacing a worker that died before it became ready, so a broken entry cannot spin (default 1000). */
  respawnDelayMs?: number;
  /** Called with every worker error and start timeout, for the service's log. */
  onWorkerError?: (err: Error) => void;
}

export interface LoginBusy {
  ok: false;
  code: 'login_busy';
  message: string;
}

export type SignaturePoolResult = SiweLoginResult | LoginBusy;

export interface SignaturePoolStats {
  /** Workers ready to take requests (busy or idle). */
  workers: number;
  busy: number;
  queued: number;
  /** Workers replaced since the pool started (crashed, wedged or never started). */
  replaced: number;
}

export interface SignaturePool {
  verify(input: SiweLoginInput, policy: SiweLoginPolicy): Promise<SignaturePoolResult>;
  stats(): SignaturePoolStats;
  /** Answers waiting requests login_busy and terminates the workers. Idempotent. */
  close(): Promise<void>;
}

interface Job {
  request: RecoverRequest;
  claim: SiweClaim;
  resolve: (result: SignaturePoolResult) => void;
  timer: NodeJS.Timeout;
  slot: Slot | null;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'ready' | 'stopping';
  /** Reported ready at least once: decides how soon it is replaced after it exits. */
  started: boolean;
  job: Job | null;
  startTimer: NodeJS.Timeout;
}

export function createSignaturePool(options: SignaturePoolOptions): SignaturePool {
  const size = options.size ?? availableParallelism();
  const { queueMax, workerUrl, execArgv } = options;
  const verifyTimeoutMs = options.verifyTimeoutMs ?? 5_000;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const respawnDelayMs = options.respawnDelayMs ?? 1_000;
  assert.ok(Number.isInteger(size) && size >= 1, 'size must be a positive integer');
  assert.ok(Number.isInteger(queueMax) && queueMax >= 0, 'queueMax must be a non-negative integer');
  assert.ok(verifyTimeoutMs > 0 && startTimeoutMs > 0 && respawnDelayMs >= 0, 'timeouts must be positive');

  const slots = new Set<Slot>();
  const queue: Job[] = [];
  const respawnTimers = new Set<NodeJS.Timeout>();
  let nextId = 1;
  let replaced = 0;
  let closing: Promise<void> | null = null;

  function spawn(): void {
    const worker = new Worker(workerUrl, {
      workerData: { role: SIGNATURE_WORKER_ROLE },
      ...(execArgv ? { execArgv } : {}),
    });
    const startTimer = setTimeout(() => {
      options.onWorkerError?.(
        new Error(
          `signature worker not ready after ${startTimeoutMs} ms: does ${workerUrl.href} call runSignatureWorkerIfWorker() first?`,
        ),
      );
      retire(slot);
    }, startTimeoutMs);
    const slot: Slot = { worker, state: 'starting', started: false, job: null, startTimer };
    slots.add(slot);
    worker.on('message', (reply: WorkerReply) => onReply(slot, reply));
    // Without an 'error' listener a worker crash would be rethrown on the main thread.
    worker.on('error', (err) => options.onWorkerError?.(err));
    worker.on('exit', () => onExit(slot));
  }

  function onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      clearTimeout(slot.startTimer);
      slot.started = true;
      if (slot.state === 'starting') slot.state = 'ready';
      dispatch();
      return;
    }
    const job = slot.job;
    // A reply that races a timeout belongs to a job already answered; drop it.
    if (job === null || job.request.id !== reply.id) return;
    slot.job = null;
    settle(job, settleSiweLogin(job.claim, reply.signer));
    dispatch();
  }

  function onExit(slot: Slot): void {
    clearTimeout(slot.startTimer);
    slots.delete(slot);
    if (slot.job) settle(slot.job, busy('the signature worker stopped, retry'));
    if (closing) return;
    replaced += 1;
    // A worker that ran fine is replaced at once; one that never started waits, so a broken
    // entry module costs one attempt per respawnDelayMs instead of a hot loop.
    if (slot.started) {
      spawn();
      return;
    }
    const timer = setTimeout(() => {
      respawnTimers.delete(timer);
      if (!closing) spawn();
    }, respawnDelayMs);
    respawnTimers.add(timer);
  }

  /** Takes a worker out of rotation and stops it; onExit answers its job and replaces it. */
  function retire(slot: Slot): void {
    slot.state = 'stopping';
    slot.worker.terminate().catch((err: Error) => options.onWorkerError?.(err));
  }

  function idleSlot(): Slot | null {
    for (const slot of slots) if (slot.state === 'ready' && slot.job === null) return slot;
    return null;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const slot = idleSlot();
      if (slot === null) return;
      const job = queue.shift()!;
      slot.job = job;
      job.slot = slot;
      slot.worker.postMessage(job.request);
    }
  }

  function settle(job: Job, result: SignaturePoolResult): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    job.resolve(result);
  }

  function onTimeout(job: Job): void {
    settle(job, busy(`the login was not verified within ${verifyTimeoutMs} ms, retry`));
    if (job.slot === null) {
      const at = queue.indexOf(job);
      assert.ok(at >= 0, 'an unanswered job is either queued or in flight');
      queue.splice(at, 1);
      return;
    }
    // 0.1 ms of work took seconds: the worker is wedged, so replace it.
    job.slot.job = null;
    retire(job.slot);
  }

  async function verify(input: SiweLoginInput, policy: SiweLoginPolicy): Promise<SignaturePoolResult> {
    if (closing) return busy('the signature pool is closed');
    const checked = checkSiweClaim(input, policy);
    if (!checked.ok) return checked;
    // dispatch() keeps the queue empty while a worker is idle, so a full queue means all are busy.
    if (queue.length >= queueMax && idleSlot() === null)
      return busy('too many logins in progress, retry shortly');
    return new Promise<SignaturePoolResult>((resolve) => {
      const request: RecoverRequest = { id: nextId++, message: input.message, signature: checked.signature };
      const timer = setTimeout(() => onTimeout(job), verifyTimeoutMs);
      const job: Job = { request, claim: checked.claim, resolve, timer, slot: null, settled: false };
      queue.push(job);
      dispatch();
    });
  }

  function stats(): SignaturePoolStats {
    let workers = 0;
    let busyCount = 0;
    for (const slot of slots) {
      if (slot.state === 'ready') workers += 1;
      if (slot.job !== null) busyCount += 1;
    }
    return { workers, busy: busyCount, queued: queue.length, replaced };
  }

  async function shutDown(): Promise<void> {
    for (const timer of respawnTimers) clearTimeout(timer);
    respawnTimers.clear();
    for (const job of queue.splice(0)) settle(job, busy('the signature pool is closed'));
    const exits = [...slots].map((slot) => {
      clearTimeout(slot.startTimer);
      if (slot.job) settle(slot.job, busy('the signature pool is closed'));
      slot.state = 'stopping';
      return slot.worker.terminate();
    });
    const outcomes = await Promise.allSettled(exits);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') options.onWorkerError?.(outcome.reason as Error);
    }
  }

  for (let i = 0; i < size; i += 1) spawn();

  return {
    verify,
    stats,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

function busy(message: string): LoginBusy {
  return { ok: false, code: 'login_busy', message };
}
