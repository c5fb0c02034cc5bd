/**
 * One load worker (a worker_thread): sends its share of the open-loop schedule — every
 * `workers`-th request — on a lean HttpClient of keep-alive connections (pipelining 1) in turns of
 * TURN_MS (see runSchedule), measures each answer from the request's planned time, and matches
 * 202'd bets with their WebSocket events. The cells it bets on come from the driver (cell-feed.ts).
 * Every second it reports progress; at the end it drains the WebSocket events and reports totals.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readThreadSchedStat } from '@tap/testkit/standalone';
import { createHistogram, encodeHistogram, recordMs } from '../stats/histogram.js';
import { TimelineRecorder } from '../stats/timeline.js';
import { CellRotation } from './cell-feed.js';
import { encodeRequest, HttpClient } from './http-client.js';
import { RequestTexts, readBetId } from './request-texts.js';
import { plannedOffsetMs, totalRequests } from './schedule.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerResult } from './worker-protocol.js';
import { WsTracker } from './ws-tracker.js';

const SENDS_PER_TURN_MAX = 2_000;
const TURN_MS = 1;
/** Atomics.wait's cell: nothing ever notifies it, the wait always times out. */
const turnSleep = new Int32Array(new SharedArrayBuffer(4));
const NO_SCHED = { cpuNs: 0, waitNs: 0 };

const config = workerData as WorkerConfig;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const timeOrigin = performance.timeOrigin;
const now = () => timeOrigin + performance.now();

const total = totalRequests(config.profile);
const warmupMs = config.profile.warmupMs ?? 0;
/** The whole run's latencies (the progress line's p99 so far); the rest is recorded per second only. */
const latency = createHistogram();
/** Next-tick bets: fill print → `accepted` (SPEC §12's target with the defence on), the whole run. */
const fillToAccepted = createHistogram();
const timeline = new TimelineRecorder();
const errors: Record<string, number> = {};
const errorSamples: Record<string, string> = {};
const ackedBetIds: string[] = [];
const counts = {
  sent: 0,
  answered: 0,
  ok: 0,
  errors: 0,
  noAnswer: 0,
  inFlight: 0,
  measuredSent: 0,
  measuredOk: 0,
};
let lastAnswerAbsMs = 0;
/** This thread's scheduler times when the first measured request was sent, and when the last answer came. */
const cpu = { start: NO_SCHED, end: NO_SCHED };

const tracker = new WsTracker({
  onMatched(awaiting, eventAtMs, fillToAcceptedMs) {
    if (!awaiting.measured) return;
    timeline.recordAccepted(awaiting.plannedSecond, eventAtMs - awaiting.plannedAbsMs);
    if (fillToAcceptedMs !== null) recordMs(fillToAccepted, fillToAcceptedMs);
  },
});

const client = new HttpClient(
  config.baseUrl,
  { connections: config.connections, requestTimeoutMs: config.requestTimeoutMs },
  { answer: onAnswer, failure: onFailure },
);
const requests = new RequestTexts(
  config.kind,
  config.kind === 'bet'
    ? client.route('POST', '/v1/bets', { 'content-type': 'application/json' })
    : client.route('GET', '/v1/me'),
  config.wallets,
  config.stakeMicros,
);
/** The history requests, whole (public: no session header), encoded once. */
const historyRequests = (config.historyPaths ?? []).map((path) =>
  Buffer.from(encodeRequest(client.route('GET', path))),
);
if (config.kind === 'history' && historyRequests.length === 0)
  throw new Error('a history load needs historyPaths');
const nextRequest = (i: number, walletIndex: number): Buffer => {
  if (config.kind === 'bet') return requests.bet(walletIndex, cells.next());
  if (config.kind === 'history') return historyRequests[i % historyRequests.length]!;
  return requests.get(walletIndex);
};

const cells = new CellRotation();
let scheduleStart = 0;
const started = new Promise<number>((resolve) => {
  port.on('message', (message: ToWorker) => {
    if (message.type === 'cells') cells.set(message.cells);
    else resolve(message.startEpochMs);
  });
});

async function main(): Promise<void> {
  const tokens = config.wallets.filter(
    (_, i) => i < config.wsWallets && i % config.workers === config.worker,
  );
  if (config.wsUrl && tokens.length > 0)
    await tracker.connect(
      config.wsUrl,
      tokens.map((w) => w.token),
      'redisUrl' in config.price ? config.price : undefined,
    );
  post({ type: 'ready', sockets: tokens.length });
  scheduleStart = await started;
  const progress = setInterval(reportProgress, 1_000);
  await runSchedule(scheduleStart);
  await waitFor(() => counts.inFlight === 0, config.requestTimeoutMs + 5_000);
  cpu.end = threadSched();
  await waitFor(() => tracker.pending() === 0, config.drainTimeoutMs);
  clearInterval(progress);
  reportProgress();
  await tracker.close();
  await client.close();
  post({ type: 'done', result: buildResult() });
}

/**
 * Every request due by now is sent in one turn (≤ SENDS_PER_TURN_MAX). While the next one is due
 * within TURN_MS the thread then sleeps off the event loop (a futex, not epoll) for the rest of the
 * turn's TURN_MS and reads every answer that came meanwhile in one poll: one wake-up per turn
 * instead of one per answer — the wake-ups were the largest part of this thread's CPU per request
 * (SPEC §12). An answer is stamped when it is read, up to a turn after it arrived: latency is
 * overstated by up to TURN_MS, never understated. With longer gaps (low rates) a timer waits in
 * epoll and answers are read as they come.
 */
function runSchedule(start: number): Promise<void> {
  return new Promise((resolve) => {
    let next = config.worker;
    /** When the current turn began: its reading and sending come out of its TURN_MS. */
    let turnStart = 0;
    const turn = () => {
      const offset = now() - start;
      let budget = SENDS_PER_TURN_MAX;
      while (next < total && budget > 0) {
        const planned = plannedOffsetMs(config.profile, next);
        if (planned > offset) break;
        fire(next, planned);
        next += config.workers;
        budget -= 1;
      }
      if (next >= total) return resolve();
      const dueInMs = plannedOffsetMs(config.profile, next) - (now() - start);
      if (dueInMs > TURN_MS) {
        setTimeout(turn, Math.floor(dueInMs));
        return;
      }
      const sleepMs = TURN_MS - (now() - turnStart);
      if (budget > 0 && dueInMs > 0 && sleepMs > 0) Atomics.wait(turnSleep, 0, 0, sleepMs);
      turnStart = now();
      setImmediate(turn); // after the poll that reads what arrived during the sleep
    };
    setTimeout(turn, Math.max(0, start - now()));
  });
}

/**
 * Request i: its wallet, planned time and whether it is measured all follow from i, so the tag sent
 * with it is i and nothing is allocated to remember it.
 */
function fire(i: number, plannedOffset: number): void {
  const walletIndex = i % config.wallets.length;
  const plannedSecond = Math.floor(plannedOffset / 1_000);
  if (plannedOffset >= warmupMs) {
    timeline.recordSendLag(plannedSecond, now() - scheduleStart - plannedOffset);
    if (counts.measuredSent === 0) cpu.start = threadSched();
    counts.measuredSent += 1;
  }
  timeline.countPlanned(plannedSecond);
  counts.sent += 1;
  counts.inFlight += 1;
  client.send(nextRequest(i, walletIndex), i);
}

function onAnswer(i: number, status: number, bytes: Buffer, start: number, end: number): void {
  const doneAt = now();
  const plannedOffset = plannedOffsetMs(config.profile, i);
  const plannedAbs = scheduleStart + plannedOffset;
  const plannedSecond = Math.floor(plannedOffset / 1_000);
  const measured = plannedOffset >= warmupMs;
  counts.inFlight -= 1;
  counts.answered += 1;
  const ok = status === (config.kind === 'bet' ? 202 : 200);
  timeline.countAnswer(Math.floor((doneAt - scheduleStart) / 1_000), ok);
  if (measured) {
    recordMs(latency, doneAt - plannedAbs);
    timeline.recordLatency(plannedSecond, doneAt - plannedAbs);
  }
  if (!ok) {
    const text = bytes.toString('utf8', start, end);
    countError(`${status} ${errorCode(text)}`, text);
    return;
  }
  counts.ok += 1;
  if (measured) {
    counts.measuredOk += 1;
    lastAnswerAbsMs = Math.max(lastAnswerAbsMs, doneAt);
  }
  if (config.kind !== 'bet') return;
  const betId = readBetId(bytes, start, end);
  if (betId === null) {
    countError('202 without_bet_id', bytes.toString('utf8', start, end));
    return;
  }
  ackedBetIds.push(betId);
  const walletIndex = i % config.wallets.length;
  if (config.wsUrl && walletIndex < config.wsWallets) {
    tracker.expect(betId, { plannedAbsMs: plannedAbs, measured, plannedSecond });
  }
}

function onFailure(_i: number, code: string): void {
  counts.inFlight -= 1;
  counts.noAnswer += 1;
  timeline.countAnswer(Math.floor((now() - scheduleStart) / 1_000), false);
  countError(code);
}

function countError(code: string, body?: string): void {
  counts.errors += 1;
  errors[code] = (errors[code] ?? 0) + 1;
  if (body !== undefined && errorSamples[code] === undefined) errorSamples[code] = body.slice(0, 300);
}

function errorCode(text: string): string {
  try {
    return (JSON.parse(text) as { error?: string }).error ?? 'unknown';
  } catch {
    return 'unparseable';
  }
}

function reportProgress(): void {
  post({
    type: 'progress',
    worker: config.worker,
    sent: counts.sent,
    ok: counts.ok,
    errors: counts.errors,
    // Percentiles, not the histogram: encoding one every second cost this thread 1–5 ms. The last
    // second is the last whole planned second, as far as it is answered.
    p99IntervalUs: timeline.latencyP99Us(Math.floor((now() - scheduleStart) / 1_000) - 1),
    p99SoFarUs: latency.totalCount > 0 ? latency.getValueAtPercentile(99) : 0,
  });
}

function buildResult(): WorkerResult {
  return {
    worker: config.worker,
    sent: counts.sent,
    answered: counts.answered,
    ok: counts.ok,
    errors,
    errorSamples,
    noAnswer: counts.noAnswer,
    measuredSent: counts.measuredSent,
    measuredOk: counts.measuredOk,
    cpuNs: cpu.end.cpuNs - cpu.start.cpuNs,
    cpuWaitNs: cpu.end.waitNs - cpu.start.waitNs,
    lastAnswerAbsMs,
    latency: encodeHistogram(latency),
    accepted: encodeHistogram(timeline.total('accepted')),
    fillToAccepted: encodeHistogram(fillToAccepted),
    sendLag: encodeHistogram(timeline.total('sendLag')),
    timeline: timeline.serialize(),
    ackedBetIds,
    ws: tracker.report(),
  };
}

function threadSched() {
  return readThreadSchedStat() ?? NO_SCHED;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!done() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

main().catch((err: unknown) => post({ type: 'failed', message: String((err as Error)?.stack ?? err) }));
