/**
 * The WebSocket storm (issue 20): N clients (sessions written straight to Redis, see
 * ws-clients/sessions.ts) connected with a resume id through `@tap/client`, in child processes;
 * under the chaos stack's bet load, ws-gateway is killed with SIGKILL and restarted 1 s later (the
 * systemd stand-in), so all of them reconnect at once with their resume ids; then slow readers
 * (sockets that stop reading) of one user whose feed is flooded (slow-readers.ts). Measured: kill →
 * every client resubscribed, resumes answered vs `resync` (the gateway's own count), the gateway's
 * RSS before, at its peak and after, slow readers dropped and how soon, a normal reader of the same
 * user missing nothing, and the bet p99 of the phase. Bounded: the clients must connect within 2
 * min and come back within 90 s; everything started here is stopped by PID.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadRun } from '@tap/benchmarks/load/open-loop';
import type { ScenarioContext, ScenarioOutcome } from '@tap/benchmarks/scenario';
import { fail } from '@tap/benchmarks/scenario';
import type { Stack } from '@tap/benchmarks/stack/stack';
import { createSessions } from '@tap/benchmarks/ws-clients/sessions';
import { type Started, startProcess } from '@tap/testkit/standalone';
import {
  ALL_DAEMONS,
  CHAOS_ROOT,
  type ChaosStack,
  type FaultRow,
  type Injected,
  runPhase,
} from './chaos-run.js';
import { gatewayCounter, sampleGatewayRss, waitGatewayClients } from './gateway-probes.js';
import { slowReadersUnderFlood } from './slow-readers.js';
import { waitAllHealthy } from './supervisor.js';

const CLIENTS_PER_PROCESS = 5_000;
const CONNECT_TIMEOUT_MS = 120_000;
const RESUBSCRIBE_TIMEOUT_MS = 90_000;
const RECOVERY_TIMEOUT_MS = 60_000;
const POLL_MS = 250;
/** A client process busy with thousands of reconnects answers late on a loaded machine. */
const STATUS_TIMEOUT_MS = 30_000;

export interface StormShape {
  clients: number;
  slowReaders: number;
  ratePerS: number;
  phaseMs: number;
}

export interface StormFigures {
  clients: number;
  connected: number;
  connectMs: number;
  /** kill → every storm client `ready` again after its resume (null: not within the bound). */
  resubscribedMs: number | null;
  resumed: number;
  /** The restarted gateway's resumes by outcome (`replayed`, or a resync reason). */
  replays: Record<string, number>;
  resyncsSeen: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  slowReaders: number;
  slowDropped: number;
  /** The flood's first deposits → every slow reader dropped (null: not within the bound). */
  slowDroppedMs: number | null;
  /** Flood events (deposits applied) and how many the same user's normal reader got. */
  floodEvents: number;
  floodSeen: number;
  /** Time to 202 over the whole phase. */
  betP99Ms: number;
  betMaxMs: number;
  /** The worst per-second p99 to 202 from the kill until every client was back. */
  stormP99Ms: number | null;
  /** The harness's `ulimit -n` (its client processes inherit it). */
  clientFdLimit: string;
}

/** What the injection measures; the rest comes from the connect and the load run. */
type StormInjected = Omit<
  StormFigures,
  'clients' | 'connected' | 'connectMs' | 'betP99Ms' | 'betMaxMs' | 'stormP99Ms' | 'clientFdLimit'
> & { killedAtMs: number };

interface ClientStatus {
  clients: number;
  open: number;
  resumed: number;
  lastReadyAtMs: number;
  losses: number;
  resyncs: number;
  floodEvents: number;
  floodReaderClosed: boolean;
}

export async function runStormPhase(
  ctx: ScenarioContext,
  chaos: ChaosStack,
  shape: StormShape,
  outcome: ScenarioOutcome,
): Promise<{ row: FaultRow; figures: StormFigures }> {
  const { stack } = chaos.bets;
  const children = await startClients(ctx, stack, shape.clients);
  try {
    const began = performance.now();
    const connected = await Promise.all(
      children.map((c) => c.waitForLine((l) => l.startsWith('storm.connected'), CONNECT_TIMEOUT_MS)),
    );
    const connectMs = Math.round(performance.now() - began);
    const ok = connected.reduce((n, line) => n + Number(line.split(' ')[1]), 0);
    ctx.log(`${ok} of ${shape.clients} storm clients connected in ${connectMs} ms`);
    let storm: StormInjected | undefined;
    const row = await runPhase(
      ctx,
      chaos,
      {
        fault: `WebSocket storm: ${shape.clients.toLocaleString('en-US')} clients resume after kill -9 ws-gateway`,
        ratePerS: shape.ratePerS,
        durationMs: shape.phaseMs,
      },
      async (untilMs) => {
        const result = await injectStorm(
          ctx,
          stack,
          children,
          shape,
          untilMs,
          ok + chaos.bets.sessions.length,
        );
        storm = result.figures;
        return result.injected;
      },
      outcome,
    );
    const run = chaos.runs.at(-1)!;
    const { killedAtMs, ...measured } = storm!;
    const figures: StormFigures = {
      clients: shape.clients,
      connected: ok,
      connectMs,
      ...measured,
      betP99Ms: run.result.latency.p99Ms,
      betMaxMs: run.result.latency.maxMs,
      stormP99Ms: worstSecondP99(run.result, killedAtMs, measured.resubscribedMs),
      clientFdLimit: execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim(),
    };
    judge(figures, shape, outcome);
    return { row, figures };
  } finally {
    await Promise.all(children.map(stopClients));
  }
}

function startClients(ctx: ScenarioContext, stack: Stack, count: number): Promise<Started[]> {
  return (async () => {
    const tokens = await createSessions(stack, count);
    const [newest] = await stack.redis.xrevrange(stack.channels.streams.events, '+', '-', 'COUNT', 1);
    // Every client holds a resume id, as one that kept the id of its last page load.
    const lastEventId = newest?.[0] ?? `${Date.now()}-0`;
    const processes = Math.max(1, Math.ceil(count / CLIENTS_PER_PROCESS));
    return Array.from({ length: processes }, (_, p) => {
      const file = join(ctx.outDir, `storm-tokens-${p}.json`);
      writeFileSync(file, JSON.stringify(tokens.filter((_, i) => i % processes === p)));
      const script = join(CHAOS_ROOT, 'src', 'storm-clients.ts');
      return startProcess(process.execPath, ['--import', 'tsx', script, stack.wsUrl, file, lastEventId], {
        name: `storm-clients-${p}`,
        cwd: CHAOS_ROOT,
        logPath: join(ctx.outDir, 'logs', `storm-clients-${p}.log`),
        stdin: 'pipe',
        linesMax: 40,
      });
    });
  })();
}

async function stopClients(child: Started): Promise<void> {
  child.child.stdin?.write('stop\n');
  await child.stop('SIGTERM', 5_000);
}

let statusSeq = 0;

/** Asks every client process for its status (numbered: earlier answers stay in their output). */
async function statusOf(children: readonly Started[]): Promise<ClientStatus> {
  statusSeq += 1;
  const prefix = `storm.status ${statusSeq} `;
  const lines = await Promise.all(
    children.map((c) => {
      const line = c.waitForLine((l) => l.startsWith(prefix), STATUS_TIMEOUT_MS);
      c.child.stdin?.write(`status ${statusSeq}\n`);
      return line;
    }),
  );
  const all = lines.map((l) => JSON.parse(l.slice(prefix.length)) as ClientStatus);
  return {
    clients: all.reduce((n, s) => n + s.clients, 0),
    open: all.reduce((n, s) => n + s.open, 0),
    resumed: all.reduce((n, s) => n + s.resumed, 0),
    lastReadyAtMs: Math.max(...all.map((s) => s.lastReadyAtMs)),
    losses: all.reduce((n, s) => n + s.losses, 0),
    resyncs: all.reduce((n, s) => n + s.resyncs, 0),
    floodEvents: all.reduce((n, s) => n + s.floodEvents, 0),
    floodReaderClosed: all.some((s) => s.floodReaderClosed),
  };
}

/**
 * A few seconds of steady load, then kill -9 ws-gateway (the supervisor restarts it 1 s later),
 * wait until every storm client is back, then open the slow readers and let events flow until the
 * phase's deadline; the gateway's RSS is sampled throughout.
 */
async function injectStorm(
  ctx: ScenarioContext,
  stack: Stack,
  children: readonly Started[],
  shape: StormShape,
  untilMs: number,
  expectedSockets: number,
): Promise<{ injected: Injected; figures: StormInjected }> {
  // The load's own wallets connect their sockets before its first bet: kill once they are in too.
  await waitGatewayClients(stack, expectedSockets);
  await sleep(3_000);
  const rss = sampleGatewayRss(stack);
  const rssBeforeMb = rss.current();
  const killedAtMs = Date.now();
  const killedAt = performance.now();
  await stack.killDaemon('ws-gateway');
  const resubscribedMs = await waitResubscribed(children, killedAtMs);
  ctx.log(`storm: every client resubscribed ${resubscribedMs ?? 'NOT'} ms after the kill`);
  const recovery = await waitAllHealthy(stack, ALL_DAEMONS, killedAt, RECOVERY_TIMEOUT_MS);
  const status = await statusOf(children);
  const replays = await gatewayCounter(stack, 'tap_ws_gateway_replays_total');
  const floodSeen = async () => (await statusOf(children)).floodEvents;
  const slow = await slowReadersUnderFlood(ctx, stack, children[0]!, shape.slowReaders, floodSeen);
  while (performance.now() < untilMs) await sleep(POLL_MS);
  const rssAfterMb = rss.current();
  const rssPeakMb = rss.stop();
  return {
    injected: { injections: 1, recoveriesMs: [recovery] },
    figures: {
      killedAtMs,
      resubscribedMs,
      resumed: status.resumed,
      replays,
      resyncsSeen: status.resyncs,
      rssBeforeMb,
      rssPeakMb,
      rssAfterMb,
      ...slow,
    },
  };
}

/** The worst per-second p99 to 202 from the kill's second to the one every client was back in. */
function worstSecondP99(
  result: LoadRun['result'],
  killedAtMs: number,
  resubscribedMs: number | null,
): number | null {
  const first = Math.floor((killedAtMs - result.startedAtMs) / 1_000);
  const last = Math.floor((killedAtMs + (resubscribedMs ?? 0) - result.startedAtMs) / 1_000) + 1;
  const seconds = result.timeline.filter((p) => p.second >= first && p.second <= last && p.okPerS > 0);
  return seconds.length ? Math.max(...seconds.map((p) => p.p99Ms)) : null;
}

/** Polls the clients until each is open again after a `ready` later than the kill. */
async function waitResubscribed(children: readonly Started[], killedAtMs: number): Promise<number | null> {
  const deadline = performance.now() + RESUBSCRIBE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    await sleep(POLL_MS);
    const s = await statusOf(children).catch(() => null); // late answer: ask again
    if (s && s.open === s.clients && s.resumed === s.clients) return s.lastReadyAtMs - killedAtMs;
  }
  return null;
}

function judge(figures: StormFigures, shape: StormShape, outcome: ScenarioOutcome): void {
  if (figures.connected < shape.clients)
    fail(outcome, `storm: ${shape.clients - figures.connected} clients could not connect`);
  if (figures.resubscribedMs === null)
    fail(outcome, `storm: not every client resubscribed within ${RESUBSCRIBE_TIMEOUT_MS / 1000} s`);
  if (figures.slowReaders < shape.slowReaders)
    fail(outcome, `storm: only ${figures.slowReaders} of ${shape.slowReaders} slow readers authenticated`);
  if (figures.slowDropped < figures.slowReaders)
    fail(
      outcome,
      `storm: ${figures.slowDropped} of ${figures.slowReaders} slow readers dropped under the flood`,
    );
  if (figures.floodSeen !== figures.floodEvents)
    fail(
      outcome,
      `storm: the flooded user's normal reader got ${figures.floodSeen} of ${figures.floodEvents} events`,
    );
}
