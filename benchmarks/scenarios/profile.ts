/**
 * profile: where the bet path's time goes (issue 7: profile where a target is missed). The bet path
 * shaped like ingest-3k — 1,000 wallets, SPEC rate limits, every wallet with a WebSocket so
 * ws-gateway does its real work — at 3,000 bets/s, with ingest-api, batcher and ws-gateway under
 * `node --cpu-prof`. The daemons write their profiles as they exit, so they are read after the stack
 * stops: each main-thread profile is cut to the measured window and written as
 * `profiles/<daemon>.cpuprofile` in the run's directory — open it in speedscope or Chrome DevTools for
 * the flame graph — and summarised as tables (self time by category, top functions) for RESULTS.md's
 * "What limits the bet path".
 * The profiler costs a little CPU itself: the latency here is not the headline's (ingest-3k's is).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import { type LoadRunResult, measuredWindow } from '../src/load/open-loop.js';
import { clampWindow, sliceProfile } from '../src/report/cpu-profile.js';
import { analyzeProfile } from '../src/report/profile-analysis.js';
import {
  mainThreadProfilePath,
  monotonicWindow,
  readCpuProfile,
  resolveFrameSources,
} from '../src/report/profile-files.js';
import { categoryTable, profileSummary, topFunctionsTable } from '../src/report/profile-tables.js';
import { auditTable, loadTable, redisCommandTable, resourceTable } from '../src/report/tables.js';
import {
  type DaemonProfileSummary,
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { REPO_ROOT } from '../src/stack/repo.js';
import { cpuProfileDir } from '../src/stack/stack.js';
import { loginNote } from './ingest-3k.js';

const DAEMONS = ['ingest-api', 'batcher', 'ws-gateway'] as const;
const WALLETS = 1_000;
/**
 * Below the SPEC floor on purpose: at 3,000 bets/s this machine runs the stack at its CPU limit, and a
 * profile taken while requests queue shows the queueing (GC of waiting requests, timers), not the
 * per-bet work. 2,000 bets/s is sustained with headroom, so the shares are the steady-state costs.
 */
const RATE_PER_S = 2_000;
const TOP_FUNCTIONS = 15;

export const profile: Scenario = {
  name: 'profile',
  title: 'Where the bet path spends its time (CPU profiles at 2,000 bets/s)',
  description:
    `The bet path as in ingest-3k (${WALLETS} wallets, SPEC rate limits, every wallet with a WebSocket) at ${RATE_PER_S} bets/s ` +
    `open loop for 28 s (8 s warm-up with a 4 s ramp, then 20 s measured), with ${DAEMONS.join(', ')} under \`node --cpu-prof\`. ` +
    "Each daemon's main-thread profile is cut to the measured window: a flame graph, self time by category and the top " +
    'functions by self time. The audit runs as in every bet-path scenario.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const quick = ctx.options.quick === true;
    const warmupMs = quick ? 3_000 : 8_000;
    const durationMs = warmupMs + (quick ? 8_000 : 20_000);
    const rawDir = join(ctx.outDir, 'profiles', 'raw');
    const bets = await openBetStack(ctx, {
      wallets: WALLETS,
      fundMicros: 1_000_000_000,
      limits: benchLimits(),
      cpuProfile: { dir: rawDir, daemons: DAEMONS },
    });
    const pids = bets.stack.pids();
    let result: LoadRunResult;
    try {
      outcome.notes.push(...bets.notes, loginNote(bets.provisioning));
      const { run, resources } = await bets.load(
        `${RATE_PER_S}-per-s-profiled`,
        { ratePerS: RATE_PER_S, durationMs, warmupMs, rampMs: warmupMs / 2 },
        { wsWallets: WALLETS, workers: ctx.options.workers ?? 1, connections: 64 },
      );
      const report = await bets.audit([run]);
      result = run.result;
      outcome.loadRuns.push(result);
      outcome.resources.push({ label: 'profile', report: resources });
      outcome.audits.push({ label: 'profile', report });
      outcome.tables.push(
        loadTable(`Bets at ${RATE_PER_S}/s, profiled`, [result]),
        auditTable('Audit', report),
        resourceTable(`Resources at ${RATE_PER_S}/s, profiled`, resources, result.achievedPerS),
        redisCommandTable('Redis commands per bet', resources, run.result.ok),
      );
      if (!report.ok) fail(outcome, 'audit failed');
    } finally {
      // The daemons write their profiles while they exit: only after this are they complete.
      await bets.close();
    }
    const measured = measuredWindow(result);
    const window = monotonicWindow(measured.fromMs, measured.toMs);
    outcome.profiles = [];
    for (const daemon of DAEMONS) {
      const summary = profileDaemon(ctx, outcome, { daemon, rawDir, pid: pids[daemon]!, window, result });
      if (!summary) continue;
      outcome.profiles.push(summary);
      outcome.tables.push(categoryTable(summary), topFunctionsTable(summary));
    }
    outcome.headline = {
      achieved_per_s: result.achievedPerS,
      p99_202_ms: result.latency.p99Ms,
      p99_accepted_ms: result.accepted?.p99Ms ?? null,
      ...Object.fromEntries(
        outcome.profiles.map((p) => [`${p.daemon.replace(/-/g, '_')}_busy_pct`, p.busyPct]),
      ),
    };
    return outcome;
  },
};

/** Reads one daemon's main-thread profile, writes its window slice (for speedscope), summarises it. */
function profileDaemon(
  ctx: ScenarioContext,
  outcome: ScenarioOutcome,
  args: {
    daemon: (typeof DAEMONS)[number];
    rawDir: string;
    pid: number;
    window: { startUs: number; endUs: number };
    result: LoadRunResult;
  },
): DaemonProfileSummary | null {
  const { daemon } = args;
  const path = mainThreadProfilePath(cpuProfileDir(args.rawDir, daemon), args.pid);
  if (!path) {
    fail(outcome, `${daemon} wrote no CPU profile (killed before it could exit?)`);
    return null;
  }
  const cpuProfile = readCpuProfile(path);
  const window = clampWindow(cpuProfile, args.window);
  if (!window) {
    fail(outcome, `${daemon}'s CPU profile does not cover the measured window`);
    return null;
  }
  const analysis = analyzeProfile(cpuProfile, {
    sources: resolveFrameSources(cpuProfile, REPO_ROOT),
    window,
    topN: TOP_FUNCTIONS,
  });
  const summary = profileSummary(daemon, analysis, args.result.achievedPerS);
  mkdirSync(join(ctx.outDir, 'profiles'), { recursive: true });
  writeFileSync(
    join(ctx.outDir, 'profiles', `${daemon}.cpuprofile`),
    JSON.stringify(sliceProfile(cpuProfile, window)),
  );
  ctx.log(
    `${daemon}: busy ${summary.busyPct} % · ${summary.categories
      .slice(0, 3)
      .map((c) => `${c.category} ${c.pct} %`)
      .join(', ')}`,
  );
  return summary;
}
