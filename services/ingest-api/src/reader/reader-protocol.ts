/**
 * The messages between the uWS thread and the reader worker thread (reader-worker.ts), which owns
 * every read-only segment connection of ingest-api (issue 19: a history query must not stall the
 * bet event loop). Queries arrive validated and bounded; answers carry the response body already
 * encoded as JSON bytes, transferred (not copied) to the uWS thread, which only writes them out.
 */
import type { z } from 'zod';
import type { betListQuerySchema } from '../queries/bet-queries.js';
import type { historyQuerySchema } from '../queries/index-history.js';
import type { ledgerQuerySchema } from '../queries/ledger-queries.js';

export const READER_WORKER_ROLE = 'tap-reader-worker';

export interface ReaderWorkerData {
  role: typeof READER_WORKER_ROLE;
  dataDir: string;
  /** Archived segments one query may reach (HISTORY_SEGMENTS_PER_QUERY_MAX). */
  segmentsPerQueryMax: number;
}

/** A time range that may reach archived segments; null = the local segments only. */
export type ReadRange = { fromMs: number; toMs: number } | null;

export type ReadQuery =
  /** With a range: only archived segments are looked at (the local lookup ran first, without one). */
  | { op: 'bet'; userId: string; betId: string; range: ReadRange }
  | { op: 'bets'; userId: string; query: z.infer<typeof betListQuerySchema>; range: ReadRange }
  | { op: 'ledger'; userId: string; query: z.infer<typeof ledgerQuerySchema>; range: ReadRange }
  | { op: 'prints'; query: z.infer<typeof historyQuerySchema>; range: ReadRange };

export interface ReadRequest {
  id: number;
  query: ReadQuery;
}

/**
 * A page's buffer given back once the uWS thread has written it (uWS copies what it cannot send at
 * once): the reader builds a later page in it instead of a fresh allocation. Why: every transferred
 * body counts as external memory of the uWS thread's heap, and a history flood's ~385 KB pages made
 * V8 run a full mark-compact on the thread that admits bets every ~60 pages (a 10 MB heap, pauses of
 * several ms); given back, the buffer leaves that heap's accounting at once.
 */
export interface RecycleMessage {
  type: 'recycle';
  buffer: ArrayBuffer;
}

/** What the uWS thread sends the reader. */
export type ToReader = ReadRequest | RecycleMessage;

/** Bodies at least this big are given back (a bet or a short list is not worth the message). */
export const RECYCLE_BYTES_MIN = 64 * 1024;

export type ReadAnswer =
  /**
   * `body`: the 200 body as UTF-8 JSON; null = no such bet for this trader (`stored` says whether
   * the id is in a segment at all: another trader's bet is stored, a pending one is not).
   * `restored`: archived segments read from the restore cache (their use is recorded for its LRU).
   * `final`: the body can never change (an index history page whose whole range is closed, print-pages.ts):
   * the route lets caches keep it.
   */
  | { kind: 'ok'; body: Uint8Array | null; stored: boolean; restored: string[]; final?: boolean }
  /** An archived segment the query needs is not in the restore cache: start or join its job. */
  | { kind: 'restore'; segment: string; bytesTotal: number }
  | { kind: 'invalid_query'; message: string };

export type ReaderReply =
  /** `nice`: the CPU niceness the worker thread gave itself (null: could not, not Linux). */
  | { type: 'ready'; nice: number | null }
  | { type: 'answer'; id: number; answer: ReadAnswer }
  /** The query threw (a missing DATA_DIR, a corrupt file): answered 500, the worker lives on. */
  | { type: 'failed'; id: number; message: string };
