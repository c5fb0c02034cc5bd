/**
 * generator-check (issue 19, SPEC §12): is the harness's load generator cheap enough not to be
 * the bottleneck? The same stack at the same rate, driven once by the harness's generator and once
 * by Debian's `wrk` (src/load/wrk.ts, pre-made bets with session headers), alternating: achieved
 * rate, p50/p99 as each generator sees it, each generator's own CPU per request, and ingest-api's
 * own latency histogram for the bet route over each run (src/stack/server-latency.ts) — the server
 * side, which neither generator's queueing inflates. Every bet of both generators is audited (wrk's
 * found by their clientBetIds), and wrk's 2xx count must match the bets it stored.
 *
 * The harness runs without WebSocket wallets here: wrk has none, and the comparison is of the
 * HTTP generators (the WebSocket clients' cost is in every other bet-path scenario's resources).
 *
 * The file reads as the experiment: `planOf` (rate, rounds, how long), `measure` (a stack, a warm-up
 * run, then the rounds: src/generator-runs.ts) and `report` (pure: tables, checks, headline).
 */
import type { AuditReport } from '../src/audit/audit.js';
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import { type GeneratorRun, harnessRun, type WrkCount, wrkRun } from '../src/generator-runs.js';
import type { LoadRunResult } from '../src/load/open-loop.js';
import { auditTable, loadTable, resourceTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  fail,
  type ResultTable,
  type Scenario,
  type ScenarioContext,
  type ScenarioOutcome,
} from '../src/scenario.js';
import { medianBy } from '../src/stats/median.js';

const GENERATOR_US_MAX = 30;
const CONNECTIONS = 64;

export interface Plan {
  ratePerS: number;
  durationS: number;
  warmupS: number;
  wallets: number;
  rounds: number;
  connections: number;
}

export interface Measured {
  notes: string[];
  runs: GeneratorRun[];
  harnessRuns: LoadRunResult[];
  wrkCounts: WrkCount[];
  audit: AuditReport;
}

export const generatorCheck: Scenario = {
  name: 'generator-check',
  title: 'Generator check: the harness generator and wrk at the same rate on the same stack',
  description:
    'The bet path (Redis, batcher, ingest-api, ws-gateway, market source) at one rate (3,000 bets/s; --quick 1,000), ' +
    'driven alternately by the harness’s open-loop generator (1 load thread, 64 connections, no WebSocket wallets) ' +
    'and by wrk (1 thread, 64 connections, pre-made bets, paced by its Lua script), 3 rounds of 30 s each after a ' +
    'warm-up run (--quick: 1 round of 12 s): achieved rate, p50/p99 as each generator measures it, each generator’s ' +
    'own CPU per request (the harness’s load thread from /proc/thread-self/schedstat, wrk’s process from ' +
    '/proc/self/stat), and ingest-api’s own latency histogram of the bet route over each run. Every bet is audited.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export function planOf(options: { quick?: boolean; rate?: number; durationS?: number }): Plan {
  const quick = options.quick === true;
  return {
    ratePerS: options.rate ?? (quick ? 1_000 : 3_000),
    durationS: options.durationS ?? (quick ? 12 : 30),
    warmupS: quick ? 6 : 15,
    wallets: quick ? 200 : 1_000,
    rounds: quick ? 1 : 3,
    connections: CONNECTIONS,
  };
}

async function measure(ctx: ScenarioContext, plan: Plan): Promise<Measured> {
  const bets = await openBetStack(ctx, {
    wallets: plan.wallets,
    fundMicros: 10_000_000_000,
    limits: benchLimits({ RATE_LIMIT_PER_S: 20, RATE_LIMIT_BURST: 40 }),
  });
  try {
    const measured: Omit<Measured, 'audit'> = {
      notes: [...bets.notes],
      runs: [],
      harnessRuns: [],
      wrkCounts: [],
    };
    ctx.log(`warm-up: ${plan.warmupS} s at ${plan.ratePerS}/s (not measured)`);
    const shape = { wsWallets: 0, workers: 1, connections: plan.connections };
    const warm = await bets.load(
      'warm-up',
      { ratePerS: plan.ratePerS, durationMs: plan.warmupS * 1_000 },
      shape,
    );
    const acked: { ackedBetIds: string[] }[] = [warm.run];
    for (let round = 1; round <= plan.rounds; round += 1) {
      await bets.drain(30_000);
      const harness = await harnessRun(bets, plan, round);
      measured.runs.push(harness.run);
      measured.harnessRuns.push(harness.load);
      acked.push(harness);
      await bets.drain(30_000);
      const wrk = await wrkRun(ctx.outDir, bets, plan, round);
      measured.runs.push(wrk.run);
      measured.wrkCounts.push(wrk.count);
      acked.push(wrk);
      bets.countUnanswered(wrk.count.unanswered);
    }
    return { ...measured, audit: await bets.audit(acked) };
  } finally {
    await bets.close();
  }
}

/** Pure: the side-by-side tables, the checks (audit, wrk's stored bets) and the headline. */
export function report(m: Measured): ScenarioOutcome {
  const outcome = emptyOutcome();
  outcome.notes.push(...m.notes);
  for (const c of m.wrkCounts) {
    if (c.stored < c.answered2xx)
      fail(outcome, `round ${c.round}: wrk got ${c.answered2xx} 2xx but only ${c.stored} bets are stored`);
    if (c.stored > c.answered2xx + c.unanswered)
      fail(
        outcome,
        `round ${c.round}: ${c.stored} wrk bets stored, more than its ${c.answered2xx} 2xx + ${c.unanswered} unanswered`,
      );
    if (c.repeated > 0)
      outcome.notes.push(
        `round ${c.round}: wrk repeated ${c.repeated} pre-made bets (answered from their idempotency records).`,
      );
  }
  if (!m.audit.ok)
    fail(
      outcome,
      `audit failed: ${m.audit.checks
        .filter((c) => !c.ok)
        .map((c) => c.name)
        .join(', ')}`,
    );
  outcome.audits.push({ label: 'generator-check', report: m.audit });
  outcome.loadRuns.push(...m.harnessRuns);
  outcome.resources.push(...m.runs.map((r) => ({ label: `${r.generator}-${r.round}`, report: r.resources })));
  outcome.tables.push(
    comparisonTable(m.runs),
    serverBucketTable(m.runs),
    loadTable('The harness generator’s runs', m.harnessRuns),
    ...m.runs.map((r) =>
      resourceTable(`Resources: ${r.generator}, round ${r.round}`, r.resources, r.achievedPerS),
    ),
    auditTable('Audit (both generators’ bets)', m.audit),
  );
  outcome.headline = headline(m.runs);
  return outcome;
}

export function comparisonTable(runs: readonly GeneratorRun[]): ResultTable {
  const ingestUs = (r: GeneratorRun) => {
    const p = r.resources.processes.find((x) => x.name === 'ingest-api');
    return p && r.achievedPerS > 0 ? Math.round((p.cpuAvgPct / 100) * (1e6 / r.achievedPerS)) : null;
  };
  return {
    title: 'The two generators side by side',
    columns: [
      'generator',
      'round',
      'offered/s',
      'achieved/s',
      'errors',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'generator CPU µs/req',
      'generator CPU %',
      'ingest-api CPU µs/req',
      'server p50 / p90 / p99 ms',
      'server answers',
    ],
    rows: runs.map((r) => [
      r.generator,
      r.round,
      r.offeredPerS,
      r.achievedPerS,
      r.errors,
      r.p50Ms,
      r.p99Ms,
      r.p999Ms,
      r.generatorUsPerRequest,
      r.generatorCpuPct,
      ingestUs(r),
      `${r.server.p50Ms ?? '—'} / ${r.server.p90Ms ?? '—'} / ${r.server.p99Ms ?? '—'}`,
      r.server.count,
    ]),
    notes: [
      'p50/p99: as each generator measures them — the harness from each request’s planned time (open loop: a stall is charged in full), ' +
        'wrk from the actual send (it waits for a free connection first, so it omits what a slow answer delays).',
      `Generator CPU: the harness’s load thread (/proc/thread-self/schedstat, from the first to the last request; its main thread, ` +
        `progress printer and resource sampler not included) and wrk’s whole process (utime+stime between the end of its set-up and its summary). Target ≤ ${GENERATOR_US_MAX} µs per request (SPEC §12).`,
      'Server: ingest-api’s tap_ingest_api_request_duration_seconds for the bet route over the run (arrival → answer in its event loop), ' +
        'quantiles interpolated inside its buckets (0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000 ms) as Prometheus does.',
      'On a shared or busy host every CPU figure rises together; compare rows of the same round.',
    ],
  };
}

export function serverBucketTable(runs: readonly GeneratorRun[]): ResultTable {
  const bounds = runs[0]?.server.buckets.map((b) => b.leMs) ?? [];
  const share = (r: GeneratorRun, i: number) => {
    const below = i === 0 ? 0 : r.server.buckets[i - 1]!.count;
    return r.server.count > 0
      ? Math.round(((r.server.buckets[i]!.count - below) / r.server.count) * 1_000) / 10
      : null;
  };
  return {
    title: 'ingest-api’s own bet latency: % of answers per bucket',
    columns: ['bucket (ms)', ...runs.map((r) => `${r.generator} ${r.round}`)],
    rows: bounds.map((le, i) => [
      `${i === 0 ? 0 : bounds[i - 1]} – ${Number.isFinite(le) ? le : '∞'}`,
      ...runs.map((r) => share(r, i)),
    ]),
  };
}

export function headline(runs: readonly GeneratorRun[]): Record<string, number | string | null> {
  const median = (values: (number | null)[]) => {
    const known = values.filter((x): x is number => x !== null);
    return known.length ? medianBy(known, (x) => x) : null;
  };
  const of = (g: GeneratorRun['generator'], pick: (r: GeneratorRun) => number | null) =>
    median(runs.filter((r) => r.generator === g).map(pick));
  const harnessUs = of('harness', (r) => r.generatorUsPerRequest);
  return {
    harness_us_per_request: harnessUs,
    wrk_us_per_request: of('wrk', (r) => r.generatorUsPerRequest),
    harness_us_per_request_met: harnessUs === null ? null : harnessUs <= GENERATOR_US_MAX ? 'yes' : 'no',
    harness_p99_ms: of('harness', (r) => r.p99Ms),
    wrk_p99_ms: of('wrk', (r) => r.p99Ms),
    server_p99_ms_harness: of('harness', (r) => r.server.p99Ms),
    server_p99_ms_wrk: of('wrk', (r) => r.server.p99Ms),
  };
}
