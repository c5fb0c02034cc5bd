/**
 * What every chaos scenario shares (issue 20): the whole stack (the six daemons, Redis, the market)
 * under steady open-loop load, a fault injected repeatedly while the load runs, then a drain and the
 * full audit after each phase — every 202'd bet applied exactly once, balances equal their ledger,
 * the cache equals SQLite, nothing stuck in a pending list. Every phase is bounded in time and
 * count, loopback only, and stops by itself. One phase is one row of CHAOS.md.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditReport } from '@tap/benchmarks/audit/audit';
import { readGroups } from '@tap/benchmarks/audit/collect';
import { type BetStack, benchLimits, openBetStack } from '@tap/benchmarks/bet-stack';
import type { LoadRun } from '@tap/benchmarks/load/open-loop';
import { formatCounts } from '@tap/benchmarks/report/tables';
import type { ResultTable, ScenarioContext, ScenarioOutcome } from '@tap/benchmarks/scenario';
import { fail } from '@tap/benchmarks/scenario';
import type { DaemonName } from '@tap/benchmarks/stack/stack';
import { REPO_ROOT } from '@tap/testkit/standalone';
import type { SmallDisk } from './disk-full.js';
import { type Supervisor, superviseAsSystemd } from './supervisor.js';

/** The chaos package: its runs go to `out/`, its recorded results to `results/`, CHAOS.md beside them. */
export const CHAOS_ROOT = join(REPO_ROOT, 'chaos');

export const ALL_DAEMONS: readonly DaemonName[] = [
  'ingest-api',
  'batcher',
  'resolver',
  'ws-gateway',
  'price-ingest',
  'health-monitor',
];

const WALLETS = 100;
const DRAIN_TIMEOUT_MS = 60_000;

/** One row of a fault's table in CHAOS.md. */
export interface FaultRow {
  fault: string;
  injections: number;
  offered: number;
  accepted: number;
  lost: number;
  doubled: number;
  maxRecoveryMs: number | null;
  audit: 'pass' | 'FAIL';
  /** Answers other than 202, by `<status> <code>` (and no answer). */
  answers: string;
  /** The wallets' WebSockets (@tap/client: backoff with full jitter, resume from the last id). */
  ws?: WsFigures;
}

export interface WsFigures {
  /** Sockets that came back after a loss. */
  reconnects: number;
  /** Events a client never saw: resume gaps checked against tap:events, and 202'd bets without theirs. */
  missed: number;
  /** Events of reconnected sockets' users checked against tap:events. */
  checked: number;
  resyncs: number;
}

export interface Injected {
  injections: number;
  /** ms from each injection to every daemon healthy again (null: not within the bound). */
  recoveriesMs: (number | null)[];
}

export interface ChaosStack {
  bets: BetStack;
  supervisor: Supervisor;
  runs: LoadRun[];
  lastAudit: AuditReport['figures'];
  /** Where the audit reads the segments when the stack's own dataDir is not readable here. */
  auditDataDir?: () => Promise<string>;
  close(): Promise<void>;
}

/** `disk`: the stack's data directory on a small disk of its own (disk-full.ts), every daemon in it. */
export async function openChaosStack(
  ctx: ScenarioContext,
  redisArgs: string[] = [],
  disk?: SmallDisk,
): Promise<ChaosStack> {
  const bets = await openBetStack(ctx, {
    dataDir: disk?.dataDir,
    daemonPrefix: disk?.daemonPrefix,
    wallets: WALLETS,
    fundMicros: 100_000 * 1_000_000,
    limits: benchLimits({ RATE_LIMIT_PER_S: 50, RATE_LIMIT_BURST: 100 }),
    redisArgs,
    resolver: true,
  });
  const supervisor = superviseAsSystemd(bets.stack, ALL_DAEMONS, ctx.log);
  return {
    bets,
    supervisor,
    runs: [],
    lastAudit: { acked: 0, missing: 0, doubled: 0, unacked: 0 },
    auditDataDir: disk && (() => disk.copyForAudit(bets.stack)),
    async close() {
      await supervisor.stop();
      await bets.close();
    },
  };
}

/**
 * Runs `durationMs` of open-loop load at `ratePerS` while `inject` runs (it must stop by the given
 * deadline), then drains and audits everything 202'd so far. Returns the phase's row.
 */
export async function runPhase(
  ctx: ScenarioContext,
  chaos: ChaosStack,
  phase: { fault: string; ratePerS: number; durationMs: number },
  inject: (untilMs: number) => Promise<Injected>,
  outcome: ScenarioOutcome,
): Promise<FaultRow> {
  ctx.log(`${phase.fault}: ${phase.ratePerS} bets/s for ${phase.durationMs / 1000} s with injections`);
  // Faults start with the schedule, once the wallets' sockets are ready: a fault while they connect
  // (a gateway killed over and over) could keep them from ever being ready, and the load fails then.
  const { promise: ready, resolve: loadReady } = withResolvers();
  const [{ run }, injected] = await Promise.all([
    chaos.bets.load(
      phase.fault,
      { ratePerS: phase.ratePerS, durationMs: phase.durationMs, warmupMs: 0 },
      { wsWallets: WALLETS, workers: 1, connections: 32, onReady: loadReady },
    ),
    ready.then(() => inject(performance.now() + phase.durationMs - 2_000)),
  ]);
  chaos.runs.push(run);
  const report = await auditPhase(ctx, chaos);
  const figures = report.figures;
  const row: FaultRow = {
    fault: phase.fault,
    injections: injected.injections,
    offered: run.result.sent,
    accepted: run.result.ok,
    lost: figures.missing - chaos.lastAudit.missing,
    doubled: figures.doubled - chaos.lastAudit.doubled,
    maxRecoveryMs: maxRecovery(injected.recoveriesMs),
    audit: report.ok ? 'pass' : 'FAIL',
    answers: formatCounts(run.result.errors) || '—',
    ws: wsFiguresOf(run),
  };
  chaos.lastAudit = figures;
  outcome.audits.push({ label: phase.fault, report });
  outcome.loadRuns.push(run.result);
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    fail(outcome, `${phase.fault}: audit failed — ${failed.join('; ')}`);
  }
  if (injected.recoveriesMs.includes(null)) fail(outcome, `${phase.fault}: a daemon did not recover in time`);
  failOnMissedEvents(phase.fault, run, outcome);
  ctx.log(`${phase.fault}: ${JSON.stringify(row)}`);
  return row;
}

/**
 * The audit, with the resolver paused (SIGSTOP) and its settlements applied first: a settlement
 * landing between the audit's SQLite and Redis reads would look like a cache mismatch.
 */
async function auditPhase(ctx: ScenarioContext, chaos: ChaosStack): Promise<AuditReport> {
  const { stack } = chaos.bets;
  stack.signal('resolver', 'SIGSTOP');
  try {
    if (!(await drainAll(chaos, DRAIN_TIMEOUT_MS)))
      ctx.log('the batcher did not drain in time; auditing anyway');
    return await chaos.bets.audit(chaos.runs, await chaos.auditDataDir?.());
  } finally {
    stack.signal('resolver', 'SIGCONT');
  }
}

/** Waits until the batcher has applied every bet, adjustment and settlement admitted so far. */
export async function drainAll(chaos: ChaosStack, timeoutMs: number): Promise<boolean> {
  const { stack } = chaos.bets;
  const deadline = Date.now() + timeoutMs;
  if (!(await chaos.bets.drain(timeoutMs))) return false;
  while (Date.now() < deadline) {
    const groups = await readGroups(stack.redis, stack.channels);
    const settlements = groups.filter((g) => g.stream === stack.channels.streams.settlements);
    if (settlements.every((g) => g.pending === 0 && (g.lag ?? 0) === 0)) return true;
    await sleep(200);
  }
  return false;
}

function wsFiguresOf(run: LoadRun): WsFigures | undefined {
  const ws = run.result.ws;
  return ws
    ? { reconnects: ws.reconnects, missed: ws.missedEvents, checked: ws.resumeChecked, resyncs: ws.resyncs }
    : undefined;
}

/** SPEC §11: a client that resumes misses nothing — one missed event fails the scenario. */
function failOnMissedEvents(fault: string, run: LoadRun, outcome: ScenarioOutcome): void {
  const ws = run.result.ws;
  if (!ws) {
    fail(outcome, `${fault}: the WebSocket wallets did not report`);
    return;
  }
  if (ws.closeError) fail(outcome, `${fault}: WebSocket clients — ${ws.closeError}`);
  if (ws.missedEvents > 0)
    fail(
      outcome,
      `${fault}: ${ws.missedEvents} WebSocket events never reached their client (e.g. ${ws.missedSample.join(', ')}; ` +
        `bets without their event: ${ws.missingSample.join(', ') || 'none'})`,
    );
}

function maxRecovery(recoveries: (number | null)[]): number | null {
  const known = recoveries.filter((r): r is number => r !== null);
  return known.length ? Math.max(...known) : null;
}

export function faultTable(title: string, rows: readonly FaultRow[], notes: string[] = []): ResultTable {
  return {
    title,
    columns: [
      'fault',
      'injections',
      'bets offered',
      'accepted (202)',
      'lost',
      'doubled',
      'max recovery (ms)',
      'audit',
      'ws reconnects',
      'ws events missed of checked',
      'ws resyncs',
      'other answers',
    ],
    rows: rows.map((r) => [
      r.fault,
      r.injections,
      r.offered,
      r.accepted,
      r.lost,
      r.doubled,
      r.maxRecoveryMs,
      r.audit,
      r.ws?.reconnects ?? '—',
      r.ws ? `${r.ws.missed} of ${r.ws.checked}` : '—',
      r.ws?.resyncs ?? '—',
      r.answers,
    ]),
    notes: [...notes, ...(rows.some((r) => r.ws) ? [WS_NOTE] : [])],
  };
}

const WS_NOTE =
  `ws: each of the ${WALLETS} wallets holds a WebSocket through @tap/client (exponential backoff with full jitter, ` +
  'resume from the last event id). Reconnects: sockets back after a loss. Checked: the events (bet and balance) of ' +
  "each reconnected socket's user in tap:events between the last id it saw before the loss and the newest it saw; " +
  "missed: those never delivered and not covered by a resync, plus 202'd bets whose accepted/rejected event never " +
  'came; any missed event fails the scenario. ' +
  'Resyncs: resumes the gateway could not answer exactly (the client reloads over HTTP).';

/** Promise.withResolvers (Node 22) for Node 20. */
function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A random delay in [minMs, maxMs). */
export const jitter = (minMs: number, maxMs: number) => minMs + Math.random() * (maxMs - minMs);

export function restartNote(restarts: Record<string, number>): string[] {
  return [
    `Restarts by the systemd stand-in (kills plus any collateral exit): ${JSON.stringify(restarts)}.`,
    "Audits are cumulative: each row's audit covers every bet 202'd since the stack started; lost and doubled are that phase's increase.",
  ];
}

/** A chaos scenario's line in CHAOS.md's summary: its rows added up. */
export function headlineOf(rows: readonly FaultRow[]) {
  const total = (pick: (r: FaultRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  return {
    injections: total((r) => r.injections),
    offered: total((r) => r.offered),
    accepted: total((r) => r.accepted),
    lost: total((r) => r.lost),
    doubled: total((r) => r.doubled),
    max_recovery_ms: Math.max(0, ...rows.map((r) => r.maxRecoveryMs ?? 0)),
    audit: rows.every((r) => r.audit === 'pass') ? 'pass' : 'FAIL',
  };
}
