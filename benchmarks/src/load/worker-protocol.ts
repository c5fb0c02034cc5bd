/** Messages between the open-loop driver (main thread) and its load workers (worker_threads). */
import type { SerializedTimeline } from '../stats/timeline.js';
import type { Cell } from './cell-picker.js';
import type { RateProfile } from './schedule.js';

/** A signed-in trader: `userId` is the lower-cased address, `token` the session token. */
export interface WalletSession {
  userId: string;
  token: string;
}

/** `bet`: POST /v1/bets with a placeable cell; `me`: GET /v1/me; `history`: GET `historyPaths`. */
export type RequestKind = 'bet' | 'me' | 'history';

/** Where bet requests get the index print their cells are chosen from. */
export type PriceSource = { redisUrl: string; prefix: string } | { fixedCents: number };

export interface WorkerConfig {
  worker: number;
  workers: number;
  baseUrl: string;
  kind: RequestKind;
  /** For `history`: the `/v1/index/history?…` paths; request i asks for path i mod their number. */
  historyPaths?: string[];
  profile: RateProfile;
  /** All wallets; request i uses wallet i mod wallets.length (round robin: smooth per-wallet rate). */
  wallets: WalletSession[];
  /** ws-gateway URL; wallets with index < wsWallets keep a WebSocket open. */
  wsUrl?: string;
  wsWallets: number;
  connections: number;
  requestTimeoutMs: number;
  price: PriceSource;
  stakeMicros: number;
  /** After the last answer, how long to wait for missing WebSocket events. */
  drainTimeoutMs: number;
}

export interface WsReport {
  sockets: number;
  /** 202'd bets of WebSocket wallets. */
  tracked: number;
  /** Of those, matched with their accepted/rejected event. */
  matched: number;
  missing: number;
  missingSample: string[];
  /** accepted/rejected events whose bet got no 202 here (e.g. the request timed out). */
  unmatched: number;
  statuses: Record<string, number>;
  ticks: number;
  /** Socket losses; the @tap/client socket reconnects after each. */
  closedEarly: number;
  /** Sockets that came back (`ready` again) after a loss. */
  reconnects: number;
  /** `resync` messages: a resume the gateway could not answer exactly. */
  resyncs: number;
  /** Events of reconnected sockets' users checked against `tap:events` (resume-check.ts). */
  resumeChecked: number;
  /** Events a client never saw (no resync covered them) plus 202'd bets without their event. */
  missedEvents: number;
  missedSample: string[];
  /** Unseen events a later resync told the client to reload over HTTP. */
  coveredByResync: number;
  /** The socket thread failed to report or to run the resume check. */
  closeError?: string;
}

export interface WorkerResult {
  worker: number;
  sent: number;
  answered: number;
  ok: number;
  /** Count by `<status> <error code>` or the network error name. */
  errors: Record<string, number>;
  /** The first answer body seen for each error code. */
  errorSamples: Record<string, string>;
  /** Requests that ended without any HTTP answer (timeouts, resets). */
  noAnswer: number;
  /** Requests planned after the warm-up, and how many of them got their success answer. */
  measuredSent: number;
  measuredOk: number;
  /**
   * This thread's time on a CPU (/proc/thread-self/schedstat) from the first measured send until
   * the last answer: what the generator spent on the measured requests, WebSocket thread excluded.
   */
  cpuNs: number;
  /** Over the same span, the time this thread was runnable but waited for a CPU. */
  cpuWaitNs: number;
  /** When the last measured success answer arrived (epoch ms). */
  lastAnswerAbsMs: number;
  latency: string;
  accepted: string;
  /** Next-tick bets' fill print → `accepted` (empty when every bet was priced at receipt). */
  fillToAccepted: string;
  sendLag: string;
  timeline: SerializedTimeline;
  /** Every 202'd bet id (warm-up included), for the audit. */
  ackedBetIds: string[];
  ws: WsReport;
}

/** `cells`: the latest cells to bet on (bet runs), before `start` and after every refresh. */
export type ToWorker = { type: 'start'; startEpochMs: number } | { type: 'cells'; cells: Cell[] };

export type FromWorker =
  | { type: 'ready'; sockets: number }
  | {
      type: 'progress';
      worker: number;
      sent: number;
      ok: number;
      errors: number;
      /** p99 of this worker's answers in the last second, and since the measured window began (µs). */
      p99IntervalUs: number;
      p99SoFarUs: number;
    }
  | { type: 'done'; result: WorkerResult }
  | { type: 'failed'; message: string };
