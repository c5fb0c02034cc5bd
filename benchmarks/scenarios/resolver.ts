/**
 * resolver: settlement speed with 100,000 open bets and a print every 100 ms (issue "Resolver and
 * settlement"). Runs services/resolver/bench/resolver.bench.ts — a real redis-server and the built
 * resolver, bets seeded into SQLite and replenished by accepted events, a random-walk index — and
 * reports its JSON: resolver CPU per print, p99 from the deciding print to the settlement's append
 * (target ≤ 50 ms) and from the window end to a loss's append (target ≤ 1 s).
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT, startProcess } from '@tap/testkit/standalone';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';

interface Percentiles {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

interface ResolverReport {
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
    const outcome = emptyOutcome();
    const seconds = ctx.options.quick ? 15 : 45;
    const report = await runBench(seconds, ctx.log);
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
          report.openBetsAtEnd,
          report.prints,
          ms(report.cpuMsPerPrint),
          ms(report.indexMsPerPrint),
          Object.entries(report.settlements)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          `${ms(report.winLatencyMs.p50)} / ${ms(report.winLatencyMs.p99)}`,
          `${ms(report.lossAfterWindowEndMs.p50)} / ${ms(report.lossAfterWindowEndMs.p99)}`,
          report.startupMs,
        ],
      ],
      notes: [
        'Targets (SPEC §12): win settlement p99 ≤ 50 ms after the touching print; loss p99 ≤ 1 s after the window.',
      ],
    });
    const win = ms(report.winLatencyMs.p99);
    const loss = ms(report.lossAfterWindowEndMs.p99);
    outcome.headline = {
      resolver_cpu_ms_per_print: ms(report.cpuMsPerPrint),
      win_settlement_p99_ms: win,
      win_settlement_p99_ms_met: win === null ? null : win <= 50 ? 'yes' : 'no',
      loss_settlement_p99_ms: loss,
      loss_settlement_p99_ms_met: loss === null ? null : loss <= 1_000 ? 'yes' : 'no',
    };
    if (report.prints === 0 || report.winLatencyMs.count === 0)
      fail(outcome, 'no print processed or no bet won');
    return outcome;
  },
};

async function runBench(seconds: number, log: (message: string) => void): Promise<ResolverReport> {
  const bench = startProcess(
    process.execPath,
    ['--import', 'tsx', 'bench/resolver.bench.ts', '--seconds', String(seconds)],
    { name: 'resolver benchmark', cwd: join(REPO_ROOT, 'services', 'resolver') },
  );
  log(`resolver benchmark: ${seconds} s`);
  const { code } = await bench.exited;
  // 'close' follows the last output chunk; 'exit' may come before it.
  if (bench.child.stdout?.readableEnded === false) await once(bench.child, 'close');
  if (code !== 0)
    throw new Error(`resolver benchmark exited ${code}: ${bench.stderr.join('\n').slice(-2_000)}`);
  const stdout = bench.lines.join('\n');
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as ResolverReport;
}
