/**
 * The side loads of bet-under-abuse, switched on and off block by block during one bet run
 * (stats/interleaved.ts): the history flood (a load thread, one per block) and the hostile
 * resumers, both in the attacker's own process at idle CPU priority (attacker.ts: SCHED_IDLE), so
 * they take only CPU the stack and the bet generator leave idle, as an attacker on another machine
 * would; what the daemons spend answering them stays at the daemons' own priority and is what is
 * measured — per process, per main thread and for ingest-api's reader thread.
 *
 * Every block also gets its measuring windows over its measured seconds (after settling): CPU of
 * every process (the attacker's client side apart) and Redis's commands (resource sampler), the
 * bet path's main threads' and the reader thread's CPU and run-queue wait, ingest-api's event-loop
 * delay.
 */
import { printPageQuery, printPageStarts } from '@tap/domain/print-pages';
import { findThreadByName } from '@tap/testkit/standalone';
import type { LoadRunResult } from '../load/open-loop.js';
import { READ_LOAD } from '../load/open-loop.js';
import type { WalletSession } from '../load/worker-protocol.js';
import { type EventLoopDelay, startEventLoopWindow } from '../stack/event-loop-delay.js';
import { startThreadWindow, type ThreadShare } from '../stack/main-thread-share.js';
import { type ResourceReport, startResourceSampler } from '../stack/resource-sampler.js';
import type { Stack } from '../stack/stack.js';
import type { Block } from '../stats/interleaved.js';
import type { Attacker } from './attacker.js';
import type { HostileReport } from './hostile-resumers.js';

export const HISTORY_PER_S = 50;
export const HOSTILE_CLIENTS = 100;
export const HOSTILE_PAUSE_MS = 50;
/** The processes whose main thread's CPU and run-queue wait are reported per condition. */
const BET_PATH_THREADS = ['ingest-api', 'redis', 'ws-gateway'];
/** The resource sampler's name for the attacker's process (its client side: not the stack). */
export const ATTACKER_PROCESS = 'attacker (client side)';
/** ingest-api's reader worker thread, which serves the history pages (named by ingest-api itself). */
export const READER_THREAD = 'ingest-api reader thread';
const READER_THREAD_COMM = 'tap-reader';
/** The history flood's thread needs ~0.5 s to start (its schedule begins 300 ms after it is ready). */
const FLOOD_START_MS = 700;

export type AbuseCondition = 'baseline' | 'history' | 'hostile resumes';

/** What one block measured, beside its bets' latency. */
export interface BlockSide {
  history?: LoadRunResult;
  hostile?: HostileReport;
  loopDelay: EventLoopDelay;
  resources: ResourceReport;
  threads: ThreadShare[];
}

export interface AbuseTargets {
  stack: Stack;
  /** nginx in front of the stack (the production edge, per-IP limits lifted): the history flood's way in. */
  historyUrl: string;
  /** nginx's worker process (its CPU is the edge's cost of the flood). */
  nginxWorkerPid: number;
  sessions: WalletSession[];
  hostileTokens: readonly string[];
  attacker: Attacker;
}

/** Runs every block's side load and measuring windows against the bet run that started at startEpochMs. */
export async function driveBlocks(
  targets: AbuseTargets,
  blocks: readonly Block<AbuseCondition>[],
  startEpochMs: number,
): Promise<BlockSide[]> {
  const sides: Promise<BlockSide>[] = [];
  for (const block of blocks) {
    await untilEpoch(startEpochMs + block.startS * 1000);
    const side = runBlock(targets, block, startEpochMs);
    // Failures surface in Promise.all below, not as unhandled rejections while later blocks run.
    side.catch(() => undefined);
    sides.push(side);
    // The next block starts on the clock, whatever this one's side load still does.
    await untilEpoch(startEpochMs + block.endS * 1000);
  }
  return Promise.all(sides);
}

async function runBlock(
  targets: AbuseTargets,
  block: Block<AbuseCondition>,
  startEpochMs: number,
): Promise<BlockSide> {
  const { stack, attacker } = targets;
  const blockMs = (block.endS - block.startS) * 1000;
  const flood = block.condition === 'history' ? historyFlood(targets, blockMs - FLOOD_START_MS) : undefined;
  const hostile = block.condition === 'hostile resumes' ? await startHostile(targets) : undefined;
  await untilEpoch(startEpochMs + block.measuredFromS * 1000);
  const pids = stack.pids();
  const sampler = startResourceSampler(
    {
      ...pids,
      nginx: targets.nginxWorkerPid,
      'load generator (harness)': process.pid,
      [ATTACKER_PROCESS]: attacker.pid,
    },
    stack.redis,
  );
  const threads = startThreadWindow(betPathThreads(pids));
  const loop = await startEventLoopWindow(stack.apiUrl);
  await untilEpoch(startEpochMs + block.endS * 1000);
  const shares = threads.end();
  const [loopDelay, resources] = await Promise.all([loop.end(), sampler.stop()]);
  const side: BlockSide = { loopDelay, resources, threads: shares };
  if (hostile) side.hostile = await hostile.stop();
  if (flood) side.history = await flood;
  return side;
}

/** The hostile clients, in the attacker's process. */
async function startHostile(targets: AbuseTargets): Promise<{ stop(): Promise<HostileReport> }> {
  return targets.attacker.hostile({
    wsUrl: targets.stack.wsUrl,
    tokens: targets.hostileTokens,
    recentEventId: await newestEventId(targets.stack),
    pauseMs: HOSTILE_PAUSE_MS,
  });
}

/**
 * GET /v1/index/history at HISTORY_PER_S for `durationMs` (a load thread of the attacker's
 * process), through nginx as every public client comes (nginx/tap.conf caches the grid pages).
 * Each request a different grid page of the last 55 minutes, in a random order, the page still
 * filling among them: the flood a cache helps least — a fresh page, never the same one twice,
 * until it has asked for every page (330), where the design before asked for one page (the
 * heaviest, 5,000 prints) over and over.
 */
async function historyFlood({ historyUrl, sessions, attacker }: AbuseTargets, durationMs: number) {
  const now = Date.now();
  const historyPaths = shuffled(printPageStarts(now - 3_300_000, now)).map(
    (start) => `/v1/index/history?${printPageQuery(start)}`,
  );
  return attacker.history({
    ...READ_LOAD,
    label: 'history flood',
    quiet: true,
    baseUrl: historyUrl,
    kind: 'history',
    historyPaths,
    profile: { ratePerS: HISTORY_PER_S, durationMs, warmupMs: 0 },
    wallets: sessions,
  });
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function newestEventId(stack: Stack): Promise<string> {
  const [newest] = (await stack.redis.xrevrange(stack.channels.streams.events, '+', '-', 'COUNT', 1)) as [
    string,
    string[],
  ][];
  return newest?.[0] ?? '0-0';
}

const untilEpoch = (epochMs: number) =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, epochMs - (performance.timeOrigin + performance.now()))),
  );

/** The bet path's main threads (in BET_PATH_THREADS' order: the cost table's) and ingest-api's reader thread. */
function betPathThreads(pids: Record<string, number>): Record<string, { pid: number; tid: number }> {
  const threads: Record<string, { pid: number; tid: number }> = {};
  for (const name of BET_PATH_THREADS) {
    const pid = pids[name];
    if (pid !== undefined) threads[name] = { pid, tid: pid };
  }
  const api = pids['ingest-api'];
  const reader = api === undefined ? null : findThreadByName(api, READER_THREAD_COMM);
  if (api !== undefined && reader !== null) threads[READER_THREAD] = { pid: api, tid: reader };
  return threads;
}
