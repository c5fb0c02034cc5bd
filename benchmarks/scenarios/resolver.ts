/**
 * resolver: settlement speed with 100,000 open bets and a print every 100 ms (issue "Resolver and
 * settlement"). Runs services/resolver/bench/resolver.bench.ts — a real redis-server and the built
 * resolver, bets seeded into SQLite and replenished by accepted events, a random-walk index — and
 * reports its JSON: resolver CPU per print, p99 from the deciding print to the settlement's append
 * (target ≤ 50 ms) and from the window end to a loss's append (target ≤ 1 s).
 *
 * The file reads as the experiment: `planOf` (how long), `measure` (the resolver's own benchmark as
 * a test kit process, its JSON report) and `report` (pure: the table, the check and the headline).
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT, startProcess } from '@tap/testkit/standalone';
import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';

export interface Percentiles {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** What services/resolver/bench/resolver.bench.ts prints (JSON). */
export interface ResolverReport {
  seconds: number;
  betsOpenTarget: number;
  openBetsAtEnd: number;
  startupMs: number;
  prints: number;
  settlements: Record<string, number>;
  cpuMsPerPrint: number;
  indexMsPerPrint: number;
  winLatencyMs: Percentiles;
  lossAfterWindowEndMs: Percentiles;
}

export const resolver: Scenario = {
  name: 'resolver',
  title: 'Resolver: 100,000 open bets, a print every 100 ms',
  description:
    "The built resolver against a real redis-server: 100,000 bets seeded into this week's segment and kept open by " +
    "accepted events, a random-walk index printing every 100 ms for 45 s. Measures the resolver's CPU per print (from " +
    "its /metrics), win latency from the deciding print to the settlement's append to tap:settlements, and loss " +
    'latency from the window end to the append.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export interface Plan {
  seconds: number;
}

export function planOf(options: ScenarioOptions): Plan {
  return { seconds: options.quick ? 15 : 45 };
}

/** The table, the check and the headline from the benchmark's report (pure). */
export function report(measured: ResolverReport): ScenarioOutcome {
  const outcome = emptyOutcome();
  const ms = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  outcome.tables.push({
    title: 'Settlement with 100,000 open bets',
    columns: [
      'open bets (end)',
      'prints',
      'CPU ms / print',
      'index ms / print',
      'settlements',
      'win p50 / p99 ms',
      'loss after window p50 / p99 ms',
      'start-up ms',
    ],
    rows: [
      [
        measured.openBetsAtEnd,
        measured.prints,
        ms(measured.cpuMsPerPrint),
        ms(measured.indexMsPerPrint),
        Object.entries(measured.settlements)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        `${ms(measured.winLatencyMs.p50)} / ${ms(measured.winLatencyMs.p99)}`,
        `${ms(measured.lossAfterWindowEndMs.p50)} / ${ms(measured.lossAfterWindowEndMs.p99)}`,
        measured.startupMs,
      ],
    ],
    notes: [
      'Targets (SPEC §12): win settlement p99 ≤ 50 ms after the touching print; loss p99 ≤ 1 s after the window.',
    ],
  });
  const win = ms(measured.winLatencyMs.p99);
  const loss = ms(measured.lossAfterWindowEndMs.p99);
  outcome.headline = {
    resolver_cpu_ms_per_print: ms(measured.cpuMsPerPrint),
    win_settlement_p99_ms: win,
    win_settlement_p99_ms_met: win === null ? null : win <= 50 ? 'yes' : 'no',
    loss_settlement_p99_ms: loss,
    loss_settlement_p99_ms_met: loss === null ? null : loss <= 1_000 ? 'yes' : 'no',
  };
  if (measured.prints === 0 || measured.winLatencyMs.count === 0)
    fail(outcome, 'no print processed or no bet won');
  return outcome;
}

/** The resolver's own benchmark (a real redis-server and the built resolver), its JSON report. */
async function measure(ctx: ScenarioContext, plan: Plan): Promise<ResolverReport> {
  const { seconds } = plan;
  const bench = startProcess(
    process.execPath,
    ['--import', 'tsx', 'bench/resolver.bench.ts', '--seconds', String(seconds)],
    { name: 'resolver benchmark', cwd: join(REPO_ROOT, 'services', 'resolver') },
  );
  ctx.log(`resolver benchmark: ${seconds} s`);
  const { code } = await bench.exited;
  // 'close' follows the last output chunk; 'exit' may come before it.
  if (bench.child.stdout?.readableEnded === false) await once(bench.child, 'close');
  if (code !== 0)
    throw new Error(`resolver benchmark exited ${code}: ${bench.stderr.join('\n').slice(-2_000)}`);
  const stdout = bench.lines.join('\n');
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as ResolverReport;
}
