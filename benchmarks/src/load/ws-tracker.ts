/**
 * The WebSocket side of a load worker: its sockets run on a thread of their own (ws-thread.ts,
 * so tick bursts never delay this worker's sends); here each 202'd bet is matched with its
 * `accepted`/`rejected` event, stamped when the thread read it. An event may arrive before its
 * 202 is processed here (the batcher can be faster than this event loop), so both orders are
 * matched.
 */
import { Worker } from 'node:worker_threads';
import type { WsReport } from './worker-protocol.js';
import type { FromWsThread, ToWsThread, WsThreadConfig, WsThreadTotals } from './ws-thread-protocol.js';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const THREAD_MAIN = new URL('./ws-thread.ts', import.meta.url).href;
/** The thread's close includes the resume check's read of `tap:events` (resume-check.ts). */
const CLOSE_TIMEOUT_MS = 30_000;

interface Awaiting {
  plannedAbsMs: number;
  measured: boolean;
  plannedSecond: number;
}

export interface WsTrackerHooks {
  /** `fillToAcceptedMs`: a next-tick bet's fill print → its `accepted` event; null otherwise. */
  onMatched(awaiting: Awaiting, eventAtMs: number, fillToAcceptedMs: number | null): void;
}

interface Read {
  atMs: number;
  fillToAcceptedMs: number | null;
}

export class WsTracker {
  private thread: Worker | undefined;
  private readonly awaiting = new Map<string, Awaiting>();
  private readonly early = new Map<string, Read>();
  private readonly statuses: Record<string, number> = {};
  private tracked = 0;
  private matched = 0;
  private final: WsThreadTotals = {
    sockets: 0,
    ticks: 0,
    closedEarly: 0,
    reconnects: 0,
    resyncs: 0,
    resumeChecked: 0,
    missed: [],
    coveredByResync: 0,
  };
  private closeError: string | undefined;

  constructor(private readonly hooks: WsTrackerHooks) {}

  /**
   * Starts the socket thread: one authenticated socket per token; resolves once all are ready.
   * `events`: where `tap:events` is, so the resumes of sockets that reconnected are checked at close.
   */
  connect(url: string, tokens: readonly string[], events?: WsThreadConfig['events']): Promise<void> {
    const thread = new Worker(WORKER_ENTRY, {
      workerData: { url, tokens: [...tokens], events, entry: THREAD_MAIN } satisfies WsThreadConfig & {
        entry: string;
      },
    });
    this.thread = thread;
    return new Promise((resolve, reject) => {
      thread.on('error', reject);
      thread.on('message', (message: FromWsThread) => {
        if (message.type === 'events')
          for (const [betId, status, atMs, fillToAcceptedMs] of message.events)
            this.onEvent(betId, status, { atMs, fillToAcceptedMs });
        else if (message.type === 'ready') resolve();
        else if (message.type === 'closed') this.final = message;
        else if (message.type === 'failed') {
          // Before ready the connect failed; after it, the close-time resume check did.
          this.closeError = message.message;
          reject(new Error(message.message));
        }
      });
    });
  }

  /** A 202 for a bet of a tracked wallet. */
  expect(betId: string, awaiting: Awaiting): void {
    this.tracked += 1;
    const read = this.early.get(betId);
    if (read === undefined) {
      this.awaiting.set(betId, awaiting);
      return;
    }
    this.early.delete(betId);
    this.matched += 1;
    this.hooks.onMatched(awaiting, read.atMs, read.fillToAcceptedMs);
  }

  pending(): number {
    return this.awaiting.size;
  }

  /** Takes the thread's final counts (its last events come first), then stops it. */
  async close(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    this.thread = undefined;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      thread.on('message', (message: FromWsThread) => {
        if (message.type !== 'closed' && message.type !== 'failed') return;
        clearTimeout(timer);
        resolve();
      });
    });
    thread.postMessage({ type: 'close' } satisfies ToWsThread);
    await closed;
    if (this.final.sockets === 0 && !this.closeError) this.closeError = 'the socket thread did not report';
    await thread.terminate();
  }

  report(): WsReport {
    return {
      sockets: this.final.sockets,
      tracked: this.tracked,
      matched: this.matched,
      missing: this.awaiting.size,
      missingSample: [...this.awaiting.keys()].slice(0, 10),
      unmatched: this.early.size,
      statuses: this.statuses,
      ticks: this.final.ticks,
      closedEarly: this.final.closedEarly,
      reconnects: this.final.reconnects,
      resyncs: this.final.resyncs,
      resumeChecked: this.final.resumeChecked,
      missedEvents: this.missedEvents(),
      missedSample: this.final.missed.slice(0, 10).map(([id]) => id),
      coveredByResync: this.final.coveredByResync,
      ...(this.closeError ? { closeError: this.closeError } : {}),
    };
  }

  /**
   * Events a client never saw: those the resume check found, plus 202'd bets whose
   * accepted/rejected event never came (after the check's span), each counted once.
   */
  private missedEvents(): number {
    const betsMissed = new Set(this.final.missed.flatMap(([, betId]) => (betId ? [betId] : [])));
    let unseen = 0;
    for (const betId of this.awaiting.keys()) if (!betsMissed.has(betId)) unseen += 1;
    return this.final.missed.length + unseen;
  }

  private onEvent(betId: string, status: string, read: Read): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status !== 'accepted' && status !== 'rejected') return;
    const awaiting = this.awaiting.get(betId);
    if (!awaiting) {
      this.early.set(betId, read);
      return;
    }
    this.awaiting.delete(betId);
    this.matched += 1;
    this.hooks.onMatched(awaiting, read.atMs, read.fillToAcceptedMs);
  }
}
