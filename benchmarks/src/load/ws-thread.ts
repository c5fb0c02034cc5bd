/**
 * The WebSocket clients of one load worker, on a thread of their own: one `@tap/client` socket per
 * tracked wallet on ws-gateway's `/v1/ws` — the clients real traders run, so they reconnect with
 * exponential backoff and full jitter and resume from the last event id they saw (SPEC §11), and a
 * chaos run that kills ws-gateway measures what those clients live through. Every socket gets
 * every tick (10 a second each), so a thousand sockets take bursts of work every 100 ms; on the
 * load worker's own event loop those bursts delayed its sends (its event-loop delay p99 was
 * ~13 ms at 300 bets/s with 1,000 sockets, ~3 ms without), which the open-loop measurement then
 * charged to the server. Here they only delay this thread.
 *
 * Each bet event is stamped with the absolute time it was read (and, for a next-tick bet's
 * `accepted`, the time since its fill print) and sent to the load worker, batched per event-loop turn; the load worker matches it with its 202. At close, the sockets that
 * reconnected are checked against `tap:events` (resume-check.ts): every event of their user after
 * the last one seen before the first loss must have arrived, or a `resync` must have covered it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createChannels, entryJson } from '@tap/channels';
import { fillToAcceptedMs, openTapSocket, type ServerMessage, type TapSocket } from '@tap/client';
import { Redis } from 'ioredis';
import { leanSocket } from '../ws-clients/lean-socket.js';
import { checkResumes, earliestCheckFrom, type ResumeTrace, type StreamEvent } from './resume-check.js';
import type {
  BetEventRead,
  FromWsThread,
  ToWsThread,
  WsThreadConfig,
  WsThreadTotals,
} from './ws-thread-protocol.js';

const CONNECT_BATCH = 100;
const READY_TIMEOUT_MS = 15_000;
/** Bounds the close-time read of `tap:events` (the batcher keeps ~400,000). */
const EVENTS_READ_MAX = 1_000_000;
const EVENTS_PAGE = 10_000;

const config = workerData as WsThreadConfig;
const port = parentPort!;
const post = (message: FromWsThread) => port.postMessage(message);
const now = () => performance.timeOrigin + performance.now();

interface Client {
  socket: TapSocket;
  userId: string | undefined;
  readyAtMs: number;
  /** Set at the first loss of the socket: what a resume is judged on. */
  trace: { checkFromId: string; seen: Set<string>; lastResyncAtMs: number } | undefined;
}

const clients: Client[] = [];
const stats = { ticks: 0, closedEarly: 0, reconnects: 0, resyncs: 0 };
let closing = false;
let batch: BetEventRead[] = [];

function flush(): void {
  if (batch.length === 0) return;
  post({ type: 'events', events: batch });
  batch = [];
}

function onMessage(client: Client, message: ServerMessage): void {
  if (message.type === 'ready') {
    client.userId = message.userId;
  } else if (message.type === 'resync') {
    stats.resyncs += 1;
    if (client.trace) client.trace.lastResyncAtMs = Date.now();
  } else if (message.type === 'bet' || message.type === 'balance') {
    client.trace?.seen.add(message.id);
    if (message.type !== 'bet') return;
    if (batch.length === 0) setImmediate(flush);
    const at = now();
    // The print's t is price-ingest's wall clock: compared with this thread's wall clock, not with
    // `now()` (its monotonic clock anchored at the thread's start), which a clock step leaves behind.
    batch.push([message.betId, message.status, at, fillToAcceptedMs(message, Date.now())]);
  }
}

function open(token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let previous = 'connecting';
    const client: Client = {
      socket: undefined as unknown as TapSocket,
      userId: undefined,
      readyAtMs: 0,
      trace: undefined,
    };
    const timer = setTimeout(() => {
      client.socket.close();
      reject(new Error(`no {type:"ready"} within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    client.socket = openTapSocket({
      url: config.url,
      token,
      connect: (url) =>
        leanSocket(url, () => {
          stats.ticks += 1;
        }),
      onMessage: (message) => onMessage(client, message),
      onState(state, detail) {
        if (state === 'open' && client.readyAtMs === 0) {
          client.readyAtMs = Date.now();
          clearTimeout(timer);
          clients.push(client);
          resolve();
        } else if (state === 'open') {
          stats.reconnects += 1;
        } else if (state === 'reconnecting' && previous === 'open' && !closing) {
          stats.closedEarly += 1;
          client.trace ??= {
            checkFromId: client.socket.lastEventId ?? `${client.readyAtMs}-0`,
            seen: new Set(),
            lastResyncAtMs: 0,
          };
        } else if (state === 'unauthorized' && client.readyAtMs === 0) {
          clearTimeout(timer);
          reject(new Error(`ws auth refused (close ${detail.code})`));
        }
        previous = state;
      },
    });
  });
}

async function connectAll(): Promise<void> {
  for (let i = 0; i < config.tokens.length; i += CONNECT_BATCH) {
    await Promise.all(config.tokens.slice(i, i + CONNECT_BATCH).map(open));
  }
}

/** The resumes of every socket that lost its connection, checked against `tap:events`. */
async function checkAllResumes(): Promise<
  Pick<WsThreadTotals, 'resumeChecked' | 'missed' | 'coveredByResync'>
> {
  const traces: ResumeTrace[] = clients.flatMap((c) =>
    c.trace && c.userId ? [{ userId: c.userId, lastSeenId: c.socket.lastEventId, ...c.trace }] : [],
  );
  const from = earliestCheckFrom(traces);
  if (!config.events || from === undefined) return { resumeChecked: 0, missed: [], coveredByResync: 0 };
  const redis = new Redis(config.events.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // A failed connect or read rejects below and is reported; the event would only repeat it.
  redis.on('error', () => {});
  try {
    await redis.connect();
    const events = await readEvents(redis, createChannels(config.events.prefix).streams.events, from);
    const check = checkResumes(traces, events);
    return {
      resumeChecked: check.checked,
      missed: check.missed.map((e) => [e.id, e.betId ?? null]),
      coveredByResync: check.coveredByResync,
    };
  } finally {
    redis.disconnect();
  }
}

async function readEvents(redis: Redis, stream: string, from: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  let start = from;
  while (events.length < EVENTS_READ_MAX) {
    const page = await redis.xrange(stream, `(${start}`, '+', 'COUNT', EVENTS_PAGE);
    for (const [id, fields] of page) {
      const json = entryJson(fields);
      if (!json) continue;
      const entry = JSON.parse(json) as { userId: string; betId?: string };
      events.push({ id, userId: entry.userId, betId: entry.betId });
    }
    if (page.length < EVENTS_PAGE) break;
    start = page[page.length - 1]![0];
  }
  return events;
}

port.on('message', (message: ToWsThread) => {
  if (message.type !== 'close' || closing) return;
  closing = true;
  flush();
  for (const client of clients) client.socket.close();
  checkAllResumes().then(
    (resumes) => post({ type: 'closed', sockets: clients.length, ...stats, ...resumes }),
    (err: Error) => post({ type: 'failed', message: `resume check: ${err.message}` }),
  );
});

connectAll().then(
  () => post({ type: 'ready', sockets: clients.length }),
  (err: Error) => post({ type: 'failed', message: err.message }),
);
