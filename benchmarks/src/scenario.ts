/**
 * What a scenario is and what it returns. A scenario file (scenarios/<name>.ts) exports one
 * `Scenario`; the runner gives it a context (run id, output directory, options) and writes what it
 * returns to `out/<run-id>/` (JSON, Markdown, SVG plots). RESULTS.md is rendered from the JSON.
 */
import type { AuditReport } from './audit/audit.js';
import type { LoadRunResult } from './load/open-loop.js';
import type { MachineInfo } from './report/machine.js';
import type { ResourceReport } from './stack/resource-sampler.js';

export interface ScenarioOptions {
  /** Load worker threads; scenarios pick a default when unset. */
  workers?: number;
  /** Shortens every phase (CI smoke and quick local checks). */
  quick?: boolean;
  /** Ad-hoc load shape for the `ingest` scenario (the fixed scenarios ignore these). */
  rate?: number;
  durationS?: number;
  warmupS?: number;
  rampS?: number;
  wallets?: number;
  wsWallets?: number;
  rateLimitPerS?: number;
  /** Extra environment per daemon (`--env`), applied by the bet-path stack and named in its notes. */
  daemonEnv?: Record<string, Record<string, string>>;
}

/**
 * The load-shape options as flags, one table for the CLI that parses them and the command a result
 * records: the ScenarioOptions key, the flag (its unit in the value's name), what it sets, and
 * whether 0 is allowed (every value is a whole number).
 */
export const SHAPE_FLAGS: readonly [keyof ScenarioOptions, string, string, 'positive' | 'nonNegative'][] = [
  ['workers', '--workers <n>', 'load generator worker threads', 'positive'],
  ['rate', '--rate <bets/s>', '[ingest] offered open-loop rate', 'positive'],
  ['durationS', '--duration <s>', '[ingest] schedule length, warm-up included', 'positive'],
  ['warmupS', '--warmup <s>', '[ingest] seconds excluded from the statistics', 'nonNegative'],
  ['rampS', '--ramp <s>', '[ingest] linear ramp from 0 at the start', 'nonNegative'],
  ['wallets', '--wallets <n>', '[ingest] signed-in, funded wallets', 'positive'],
  ['wsWallets', '--ws-wallets <n>', '[ingest] wallets holding a WebSocket', 'nonNegative'],
  ['rateLimitPerS', '--rate-limit <per s>', '[ingest] RATE_LIMIT_PER_S (burst = 2×)', 'positive'],
];

export interface ScenarioContext {
  runId: string;
  outDir: string;
  options: ScenarioOptions;
  log(message: string): void;
}

export interface ResultTable {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
  notes?: string[];
}

/** What a scenario measured. */
export interface ScenarioOutcome {
  /** False when an audit or a hard expectation failed: the run fails whatever its speed. */
  ok: boolean;
  failures: string[];
  /** Market source, limits in force, substitutions: everything a reader must know. */
  notes: string[];
  tables: ResultTable[];
  loadRuns: LoadRunResult[];
  resources: { label: string; report: ResourceReport }[];
  audits: { label: string; report: AuditReport }[];
  /** The few numbers RESULTS.md's headline table quotes (null = not measured). */
  headline: Record<string, number | string | null>;
  /** CPU profiles of the daemons (the `profile` scenario): RESULTS.md's "What limits the bet path". */
  profiles?: DaemonProfileSummary[];
  /**
   * Files under the run's directory that a recorded run also copies to `results/` (same relative
   * path), so RESULTS.md can link them.
   */
  recordedFiles?: string[];
}

/** One daemon's main thread over a run's measured window, from `node --cpu-prof`. */
export interface DaemonProfileSummary {
  daemon: string;
  /** Share of the window the main thread was not idle (100 = never idle). */
  busyPct: number;
  busySamples: number;
  /** Self time by category: % of busy samples and main-thread µs per bet. */
  categories: { category: string; pct: number; usPerBet: number | null }[];
  top: { name: string; location: string; category: string; pct: number; hotLine: string | null }[];
}

export interface Scenario {
  name: string;
  title: string;
  /** One paragraph: what it measures and how. */
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

export interface ScenarioResult extends ScenarioOutcome {
  scenario: string;
  title: string;
  description: string;
  /** The exact command that reproduces this result. */
  command: string;
  runId: string;
  startedAt: string;
  elapsedS: number;
  machine: MachineInfo;
  /** How busy the machine was with other work just before the run (all cores, %). */
  machineBusyPctBefore: number;
  /** cpuSpeedCheck() just before and just after the run (absent in results recorded before it existed). */
  machineSpeed?: { beforePerS: number; afterPerS: number };
}

export function emptyOutcome(): ScenarioOutcome {
  return {
    ok: true,
    failures: [],
    notes: [],
    tables: [],
    loadRuns: [],
    resources: [],
    audits: [],
    headline: {},
  };
}

/** Marks the outcome failed with a reason. */
export function fail(outcome: ScenarioOutcome, reason: string): void {
  outcome.ok = false;
  outcome.failures.push(reason);
}
