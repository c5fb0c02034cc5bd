/** Typed fixture builders for the harness's unit tests (STYLE: builders with overrides). */
import type { AuditInput } from '../audit/audit.js';
import type { LoadRunResult } from '../load/open-loop.js';
import type { CallFrame, CpuProfile, ProfileNode } from '../report/cpu-profile.js';
import type { DaemonProfileSummary } from '../scenario.js';
import type { ProcessUsage, ResourceReport } from '../stack/resource-sampler.js';
import type { LatencySummary } from '../stats/histogram.js';

export function aLatency(overrides: Partial<LatencySummary> = {}): LatencySummary {
  return { count: 1_000, meanMs: 2, p50Ms: 1.5, p90Ms: 3, p99Ms: 4, p999Ms: 8, maxMs: 12, ...overrides };
}

export function aLoadRun(overrides: Partial<LoadRunResult> = {}): LoadRunResult {
  return {
    label: 'run',
    kind: 'bet',
    startedAtMs: 1_764_000_000_000,
    offeredPerS: 3_000,
    durationS: 10,
    warmupS: 2,
    rampS: 0,
    workers: 1,
    connections: 64,
    wallets: 1_000,
    wsWallets: 1_000,
    sent: 30_000,
    ok: 30_000,
    noAnswer: 0,
    achievedPerS: 3_000,
    errors: {},
    errorSamples: {},
    errorCount: 0,
    latency: aLatency(),
    accepted: aLatency({ p50Ms: 8, p99Ms: 20 }),
    sendLag: aLatency({ p99Ms: 1 }),
    ws: null,
    timeline: [],
    ...overrides,
  };
}

/** Resources of the named processes (each at `cpuAvgPct`, default 50 %), Redis well inside its budget. */
export function aResourceReport(
  processes: Record<string, Partial<ProcessUsage>> = {},
  overrides: Partial<ResourceReport> = {},
): ResourceReport {
  return {
    processes: Object.entries(processes).map(([name, usage], i) => ({
      name,
      pid: 1_000 + i,
      cpuAvgPct: 50,
      cpuMaxPct: 80,
      rssMaxMb: 100,
      ...usage,
    })),
    machine: { cpuAvgPct: 90, cpuMaxPct: 100, cores: 2 },
    redis: null,
    redisCommands: [],
    ...overrides,
  };
}

/** A consistent world: three bets, two accepted and one rejected, all delivered and drained. */
export function anAuditInput(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    ackedBetIds: ['B1', 'B2', 'B3'],
    unanswered: 0,
    sqliteBets: [
      { id: 'B1', status: 'accepted', reason: null },
      { id: 'B2', status: 'accepted', reason: null },
      { id: 'B3', status: 'rejected', reason: 'insufficient_funds' },
    ],
    duplicateClientBetIds: 0,
    stakeRowsByBet: new Map([
      ['B1', 1],
      ['B2', 1],
    ]),
    integrity: {
      ok: true,
      summary: 'OK: 3 checks passed (segment 2026-W49, bets_ledger, redis_cache)',
      problems: [],
    },
    groups: [
      { stream: 'tap:bets', group: 'batcher', pending: 0, idlePending: 0, lag: 0 },
      { stream: 'tap:prices', group: 'resolver', pending: 3, idlePending: 0, lag: 1 },
    ],
    drainedStreams: ['tap:bets'],
    ws: { tracked: 3, missing: 0, missingSample: [] },
    ...overrides,
  };
}

/** A frame of `aCpuProfile`: url defaults to our code, line to 1 (1-based, as people read it). */
export interface FrameSpec {
  name: string;
  url?: string;
  line?: number;
  /** A separate V8 node even when an identical frame already sits under the same parent. */
  distinct?: boolean;
  positionTicks?: { line: number; ticks: number }[];
}

/**
 * A V8 CPU profile built from stacks (root → leaf frames, each taken `samples` times), samples
 * 1 ms apart from `startTime` in the order given.
 */
export function aCpuProfile(
  stacks: { frames: (FrameSpec | string)[]; samples: number }[],
  overrides: Partial<CpuProfile> = {},
): CpuProfile {
  const root: ProfileNode = { id: 1, callFrame: callFrame({ name: '(root)', url: '' }), children: [] };
  const nodes: ProfileNode[] = [root];
  const samples: number[] = [];
  for (const { frames, samples: count } of stacks) {
    let parent = root;
    for (const frame of frames) {
      const spec = typeof frame === 'string' ? { name: frame } : frame;
      const wanted = callFrame(spec);
      let node = spec.distinct
        ? undefined
        : nodes.find(
            (n) =>
              parent.children!.includes(n.id) &&
              n.callFrame.functionName === wanted.functionName &&
              n.callFrame.url === wanted.url &&
              n.callFrame.lineNumber === wanted.lineNumber,
          );
      if (!node) {
        node = { id: nodes.length + 1, callFrame: wanted, children: [], positionTicks: spec.positionTicks };
        nodes.push(node);
        parent.children!.push(node.id);
      }
      parent = node;
    }
    for (let i = 0; i < count; i += 1) samples.push(parent.id);
  }
  for (const node of nodes) node.hitCount = samples.filter((id) => id === node.id).length;
  const startTime = 1_000_000;
  return {
    nodes,
    startTime,
    endTime: startTime + samples.length * 1_000,
    samples,
    timeDeltas: samples.map(() => 1_000),
    ...overrides,
  };
}

function callFrame(spec: FrameSpec): CallFrame {
  return {
    functionName: spec.name,
    scriptId: '1',
    url: spec.url ?? 'services/ingest-api/src/main.ts',
    lineNumber: (spec.line ?? 1) - 1,
    columnNumber: 0,
  };
}

export function aDaemonProfile(overrides: Partial<DaemonProfileSummary> = {}): DaemonProfileSummary {
  return {
    daemon: 'batcher',
    busyPct: 43.5,
    busySamples: 8_700,
    categories: [
      { category: 'SQLite (better-sqlite3 native)', pct: 49.5, usPerBet: 120.9 },
      { category: 'garbage collector', pct: 9, usPerBet: 21.9 },
    ],
    top: [
      {
        name: 'sqliteTransaction',
        location: 'better-sqlite3/lib/methods/transaction.js:52',
        category: 'SQLite (better-sqlite3 native)',
        pct: 23.8,
        hotLine: 'after.run();',
      },
    ],
    ...overrides,
  };
}
