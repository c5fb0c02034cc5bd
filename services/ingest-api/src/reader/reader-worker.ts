/**
 * The reader worker thread: every SQLite read of ingest-api (bets, ledger, index prints; local and
 * restored segments) runs here, so a heavy page never blocks the uWS thread that admits bets
 * (issue 19). It owns the read-only segment view of @tap/domain — which follows roll-overs at each
 * query — and answers one request at a time (better-sqlite3 is synchronous; the pool on the uWS
 * side sends the next only after the reply).
 *
 * On Linux the thread lowers its own CPU priority (nice READER_THREAD_NICE, per thread: the bet
 * thread keeps nice 0). A worker thread alone does not isolate the bet path on a two-core host:
 * under contention the scheduler shares the cores between the threads of the process equally, and
 * a bounded-but-steady history flood then still delays the admission thread now and then (seen in
 * a bet-under-abuse run on the loaded host: one 240 ms stall of the admission thread's event loop
 * during a 10 s flood). At nice 10 the reader gets about a tenth of a core it contends for with the
 * bet thread, and all of it while the bet thread is idle.
 *
 * Like the signature workers, it is the service's own bundled main module started with
 * `workerData.role = READER_WORKER_ROLE`: main.ts calls `runReaderWorkerIfWorker()` before anything
 * else and, when it answers true, does nothing more (no config, no sockets, no Redis).
 */
import { readlinkSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openSegmentView } from '@tap/domain';
import { type ArchivePlanner, createArchivePlanner } from '../queries/archive-plan.js';
import { findOwnBet, listBets } from '../queries/bet-queries.js';
import { listPrints } from '../queries/index-history.js';
import { listLedger } from '../queries/ledger-queries.js';
import { createPrintPageCache, type PrintPageCache } from '../queries/print-pages.js';
import {
  READER_WORKER_ROLE,
  type ReadAnswer,
  type ReaderReply,
  type ReaderWorkerData,
  type ReadQuery,
  type ReadRequest,
  type ToReader,
} from './reader-protocol.js';

let started = false;

/** True when this thread is the reader worker (its loop now runs); false on any other thread. */
export function runReaderWorkerIfWorker(): boolean {
  if (isMainThread || parentPort === null || !isReaderWorkerData(workerData)) return false;
  if (started) return true;
  started = true;
  const port = parentPort;
  const data = workerData as ReaderWorkerData;
  const segments = openSegmentView(data.dataDir);
  const planner = createArchivePlanner({
    dataDir: data.dataDir,
    segments,
    segmentsPerQueryMax: data.segmentsPerQueryMax,
  });
  const printPages = createPrintPageCache();
  const spares = createSpareBuffers();
  port.on('message', (message: ToReader) => {
    if ('type' in message) return spares.keep(message.buffer);
    const request: ReadRequest = message;
    let reply: ReaderReply;
    try {
      reply = {
        type: 'answer',
        id: request.id,
        answer: execute(planner, request.query, printPages, spares.allocate),
      };
    } catch (err) {
      reply = {
        type: 'failed',
        id: request.id,
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      };
    }
    // The body's bytes move to the uWS thread instead of being copied.
    const body = reply.type === 'answer' && reply.answer.kind === 'ok' ? reply.answer.body : null;
    port.postMessage(reply, body ? [body.buffer as ArrayBuffer] : []);
  });
  nameThread();
  const ready: ReaderReply = { type: 'ready', nice: lowerThreadPriority() };
  port.postMessage(ready);
  return true;
}

/**
 * Runs one query against the view its range needs (local, or with restored archived weeks). Index
 * prints over the local segments come from the pre-encoded closed minutes (queries/print-pages.ts).
 */
export function execute(
  planner: ArchivePlanner,
  query: ReadQuery,
  printPages: PrintPageCache,
  allocate?: (bytes: number) => Uint8Array,
): ReadAnswer {
  const plan = planner.viewFor(query.range);
  if (!plan.ok) {
    return plan.code === 'restore'
      ? { kind: 'restore', segment: plan.segment, bytesTotal: plan.bytesTotal }
      : { kind: 'invalid_query', message: plan.message };
  }
  try {
    const ok = (value: unknown, stored = true): ReadAnswer => ({
      kind: 'ok',
      body: value === null ? null : encode(value),
      stored,
      restored: plan.restored,
    });
    switch (query.op) {
      case 'bet': {
        // With a range the local segments were read already: only archived weeks can add the bet.
        if (query.range !== null && plan.local) return ok(null, false);
        const found = findOwnBet(plan.view, query.userId, query.betId);
        return ok(found.bet, found.stored);
      }
      case 'bets':
        return ok(listBets(plan.view, query.userId, query.query));
      case 'ledger':
        return ok(listLedger(plan.view, query.userId, query.query));
      case 'prints':
        if (plan.local) {
          const { body, final } = printPages.page(plan.view, query.query, allocate);
          return { kind: 'ok', body, stored: true, restored: plan.restored, final };
        }
        return ok(listPrints(plan.view, query.query));
    }
  } finally {
    plan.release();
  }
}

/** Buffers the uWS thread gave back (reader-protocol.ts, RecycleMessage): at most this many kept. */
const SPARES_MAX = 4;

/**
 * The given-back buffers: a page is built in the smallest that fits (a view of its exact length on
 * it, transferred whole), else in a fresh one. A buffer is handed out once; it returns only if the
 * uWS thread gives it back again.
 */
export function createSpareBuffers(sparesMax = SPARES_MAX) {
  const spares: ArrayBuffer[] = [];
  return {
    keep(buffer: ArrayBuffer): void {
      if (spares.length < sparesMax) spares.push(buffer);
    },
    allocate: (bytes: number): Uint8Array => {
      let best = -1;
      spares.forEach((buffer, i) => {
        if (buffer.byteLength >= bytes && (best < 0 || buffer.byteLength < (spares[best]?.byteLength ?? 0)))
          best = i;
      });
      if (best < 0) return new Uint8Array(bytes);
      const [buffer] = spares.splice(best, 1);
      return new Uint8Array(buffer as ArrayBuffer, 0, bytes);
    },
    size: () => spares.length,
  };
}

/** A fresh buffer of its own (TextEncoder never hands out a pooled slice), so it can be transferred. */
function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The reader thread's niceness: nice values are per thread on Linux (setpriority on its tid). */
export const READER_THREAD_NICE = 10;

/** Lowers this thread's CPU priority; the niceness set, or null where that is not possible. */
function lowerThreadPriority(): number | null {
  try {
    // `/proc/thread-self` → `<pid>/task/<tid>`: this thread's id, which setpriority(2) takes.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    setPriority(tid, READER_THREAD_NICE);
    return READER_THREAD_NICE;
  } catch {
    return null; // not Linux: the thread runs at the process's priority
  }
}

/** The reader thread's name in /proc/<pid>/task/<tid>/comm (`top -H`, `ps -L`; ≤ 15 bytes). */
export const READER_THREAD_NAME = 'tap-reader';

/**
 * Names this thread, so an operator (`top -H -p <pid>`) and the bet-under-abuse benchmark can find
 * it among ingest-api's threads — all called `node` otherwise — and see what a history flood costs
 * the reader itself. Linux only; elsewhere the thread keeps its name.
 */
function nameThread(): void {
  try {
    writeFileSync('/proc/thread-self/comm', READER_THREAD_NAME);
  } catch {
    // not Linux: nothing to name
  }
}

function isReaderWorkerData(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { role?: unknown }).role === READER_WORKER_ROLE
  );
}
