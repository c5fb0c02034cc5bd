/**
 * The reader worker thread: every SQLite read of ingest-api (bets, ledger, index prints; local and
 * restored segments) runs here, so a heavy page never blocks the uWS thread that admits bets
 * (issue 19). It owns the read-only segment view of @tap/domain — which follows roll-overs at each
 * query — and answers one request at a time (better-sqlite3 is synchronous; the pool on the uWS
 * side sends the next only after the reply).
 *
 * Like the signature workers, it is the service's own bundled main module started with
 * `workerData.role = READER_WORKER_ROLE`: main.ts calls `runReaderWorkerIfWorker()` before anything
 * else and, when it answers true, does nothing more (no config, no sockets, no Redis).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openSegmentView } from '@tap/domain';
import { type ArchivePlanner, createArchivePlanner } from '../queries/archive-plan.js';
import { findOwnBet, listBets } from '../queries/bet-queries.js';
import { listPrints } from '../queries/index-history.js';
import { listLedger } from '../queries/ledger-queries.js';
import {
  READER_WORKER_ROLE,
  type ReadAnswer,
  type ReaderReply,
  type ReaderWorkerData,
  type ReadQuery,
  type ReadRequest,
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
  port.on('message', (request: ReadRequest) => {
    let reply: ReaderReply;
    try {
      reply = { type: 'answer', id: request.id, answer: execute(planner, request.query) };
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
  const ready: ReaderReply = { type: 'ready' };
  port.postMessage(ready);
  return true;
}

/** Runs one query against the view its range needs (local, or with restored archived weeks). */
export function execute(planner: ArchivePlanner, query: ReadQuery): ReadAnswer {
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
        return ok(listPrints(plan.view, query.query));
    }
  } finally {
    plan.release();
  }
}

/** A fresh buffer of its own (TextEncoder never hands out a pooled slice), so it can be transferred. */
function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function isReaderWorkerData(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { role?: unknown }).role === READER_WORKER_ROLE
  );
}
