/**
 * One load worker (a worker_thread): sends its share of the open-loop schedule — every
 * `workers`-th request — on a lean HttpClient of keep-alive connections (pipelining 1), measures each
 * answer from the request's planned time, and matches 202'd bets with their WebSocket events.
 * Every second it reports progress; at the end it drains the WebSocket events and reports totals.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createHistogram, encodeHistogram, recordMs } from '../stats/histogram.js';
import { TimelineRecorder } from '../stats/timeline.js';
import { startCellFeed } from './cell-feed.js';
import { HttpClient } from './http-client.js';
import { plannedOffsetMs, totalRequests } from './schedule.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerResult } from './worker-protocol.js';
import { WsTracker } from './ws-tracker.js';

const SENDS_PER_TURN_MAX = 2_000;

const config = workerData as WorkerConfig;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const now = () => performance.timeOrigin + performance.now();

const total = totalRequests(config.profile);
const warmupMs = config.profile.warmupMs ?? 0;
const latency = createHistogram();
const accepted = createHistogram();
const sendLag = createHistogram();
let interval = createHistogram();
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

const tracker = new WsTracker({
  onMatched(awaiting, eventAtMs) {
    if (!awaiting.measured) return;
    recordMs(accepted, eventAtMs - awaiting.plannedAbsMs);
    timeline.recordAccepted(awaiting.plannedSecond, eventAtMs - awaiting.plannedAbsMs);
  },
});

const client = new HttpClient(config.baseUrl, {
  connections: config.connections,
  requestTimeoutMs: config.requestTimeoutMs,
});
const route =
  config.kind === 'bet'
    ? client.route('POST', '/v1/bets', { 'content-type': 'application/json' })
    : client.route('GET', config.kind === 'history' ? (config.historyPath ?? '/v1/index/history') : '/v1/me');

const cells = await startCellFeed(config.price, config.kind === 'bet');

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
  const start = await new Promise<number>((resolve) => {
    port.once('message', (message: ToWorker) => resolve(message.startEpochMs));
  });
  const progress = setInterval(reportProgress, 1_000);
  await runSchedule(start);
  await waitFor(() => counts.inFlight === 0, config.requestTimeoutMs + 5_000);
  await waitFor(() => tracker.pending() === 0, config.drainTimeoutMs);
  clearInterval(progress);
  reportProgress();
  await tracker.close();
  cells.stop();
  await client.close();
  post({ type: 'done', result: buildResult() });
}

function runSchedule(start: number): Promise<void> {
  return new Promise((resolve) => {
    let next = config.worker;
    const pump = () => {
      const offset = now() - start;
      let budget = SENDS_PER_TURN_MAX;
      while (next < total && budget > 0) {
        const planned = plannedOffsetMs(config.profile, next);
        if (planned > offset) break;
        fire(next, start, planned);
        next += config.workers;
        budget -= 1;
      }
      if (next >= total) return resolve();
      const waitMs = plannedOffsetMs(config.profile, next) - (now() - start);
      if (budget === 0 || waitMs <= 0) setImmediate(pump);
      else setTimeout(pump, Math.max(1, Math.floor(waitMs)));
    };
    const delay = start - now();
    setTimeout(pump, Math.max(0, delay));
  });
}

interface Flight {
  start: number;
  plannedAbs: number;
  plannedSecond: number;
  measured: boolean;
  walletIndex: number;
}

function fire(i: number, start: number, plannedOffset: number): void {
  const walletIndex = i % config.wallets.length;
  const flight: Flight = {
    start,
    plannedAbs: start + plannedOffset,
    plannedSecond: Math.floor(plannedOffset / 1_000),
    measured: plannedOffset >= warmupMs,
    walletIndex,
  };
  if (flight.measured) recordMs(sendLag, now() - flight.plannedAbs);
  timeline.countPlanned(flight.plannedSecond);
  counts.sent += 1;
  if (flight.measured) counts.measuredSent += 1;
  counts.inFlight += 1;
  const headers = { authorization: `Bearer ${config.wallets[walletIndex]!.token}` };
  client.send(
    route,
    config.kind === 'bet' ? { headers, body: betBody() } : { headers },
    (status, text) => onAnswer(flight, status, text),
    (err) => onFailure(flight, err),
  );
}

function onAnswer(flight: Flight, status: number, text: string): void {
  const doneAt = now();
  counts.inFlight -= 1;
  counts.answered += 1;
  const ok = status === (config.kind === 'bet' ? 202 : 200);
  timeline.countAnswer(Math.floor((doneAt - flight.start) / 1_000), ok);
  if (flight.measured) {
    recordMs(latency, doneAt - flight.plannedAbs);
    recordMs(interval, doneAt - flight.plannedAbs);
    timeline.recordLatency(flight.plannedSecond, doneAt - flight.plannedAbs);
  }
  if (!ok) {
    countError(`${status} ${errorCode(text)}`, text);
    return;
  }
  counts.ok += 1;
  if (flight.measured) {
    counts.measuredOk += 1;
    lastAnswerAbsMs = Math.max(lastAnswerAbsMs, doneAt);
  }
  if (config.kind !== 'bet') return;
  const betId = (JSON.parse(text) as { betId: string }).betId;
  ackedBetIds.push(betId);
  if (config.wsUrl && flight.walletIndex < config.wsWallets) {
    const { plannedAbs, measured, plannedSecond } = flight;
    tracker.expect(betId, { plannedAbsMs: plannedAbs, measured, plannedSecond });
  }
}

function onFailure(flight: Flight, err: { code: string }): void {
  counts.inFlight -= 1;
  counts.noAnswer += 1;
  timeline.countAnswer(Math.floor((now() - flight.start) / 1_000), false);
  countError(err.code);
}

function betBody(): string {
  const cell = cells.next();
  return JSON.stringify({
    clientBetId: randomUUID(),
    t0: cell.t0,
    p0: cell.p0,
    stakeMicros: config.stakeMicros,
    minMultiplierBp: 10_500,
  });
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
    latency: encodeHistogram(interval),
  });
  interval = createHistogram();
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
    lastAnswerAbsMs,
    latency: encodeHistogram(latency),
    accepted: encodeHistogram(accepted),
    sendLag: encodeHistogram(sendLag),
    timeline: timeline.serialize(),
    ackedBetIds,
    ws: tracker.report(),
  };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!done() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

main().catch((err: unknown) => post({ type: 'failed', message: String((err as Error)?.stack ?? err) }));
