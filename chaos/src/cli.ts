/**
 * The chaos CLI: `pnpm --filter @tap/chaos chaos <command>` (issue 20's fault-injection suite).
 *
 *   list                 the chaos scenarios and what each injects
 *   run <scenario>       one scenario on a stack it starts itself (127.0.0.1, random ports, temp dirs)
 *   all                  every scenario but chaos-ci, one after another
 *   ci                   CI's subset (chaos-ci; scripts/test.sh), not recorded; exits 1 if anything failed
 *   report               regenerate CHAOS.md from results/*.json without running anything
 *
 * `--quick` (run, all): fewer injections, a quick look, not a result. `--record` (run, all): write
 * results/<scenario>.json and regenerate CHAOS.md. Runs go to chaos/out/<run-id>/. The stack, load
 * generator, audit and runner are the benchmark harness's (`@tap/benchmarks`): one way to run a stack.
 *
 * Exit status: 0 when every scenario run passed its audit and checks, 1 otherwise.
 */

import { runScenario } from '@tap/benchmarks/runner';
import type { Scenario } from '@tap/benchmarks/scenario';
import { Command } from 'commander';
import { CHAOS_RESULTS_DIR, regenerateChaos } from './chaos-markdown.js';
import { CHAOS_ROOT } from './chaos-run.js';
import { CHAOS_SCENARIOS, findChaosScenario, RECORDED_ORDER } from './scenarios.js';

const program = new Command('chaos').description('BTC Tap chaos suite (see chaos/README.md)');

interface RunFlags {
  quick?: boolean;
  record?: boolean;
}

/** One scenario run; the command written into its result is the one that reproduces it. */
async function runChaos(scenario: Scenario, flags: RunFlags, command: string): Promise<boolean> {
  const result = await runScenario(
    scenario,
    { quick: flags.quick },
    { record: flags.record === true, command, resultsDir: CHAOS_RESULTS_DIR, outRoot: CHAOS_ROOT },
  );
  if (flags.record) regenerateChaos();
  return result.ok;
}

const runCommand = (name: string, flags: RunFlags) =>
  `pnpm --filter @tap/chaos chaos run ${name}${flags.quick ? ' --quick' : ''}`;

const withRunFlags = (command: Command) =>
  command
    .option('--quick', 'fewer injections (a quick look, not a result)')
    .option('--record', 'record to results/ and regenerate CHAOS.md');

program
  .command('list')
  .description('list the chaos scenarios')
  .action(() => {
    for (const s of CHAOS_SCENARIOS)
      process.stdout.write(`${s.name.padEnd(19)} ${s.title}\n${' '.repeat(20)}${s.description}\n\n`);
  });

withRunFlags(program.command('run <scenario>').description('run one chaos scenario')).action(
  async (name: string, flags: RunFlags) => {
    const scenario = findChaosScenario(name);
    if (!scenario) {
      process.stderr.write(`unknown chaos scenario ${name}; try: ${RECORDED_ORDER.join(', ')}, chaos-ci\n`);
      process.exit(2);
    }
    process.exitCode = (await runChaos(scenario, flags, runCommand(name, flags))) ? 0 : 1;
  },
);

withRunFlags(program.command('all').description('run every chaos scenario but chaos-ci (~17 min)')).action(
  async (flags: RunFlags) => {
    let ok = true;
    for (const name of RECORDED_ORDER) {
      ok = (await runChaos(findChaosScenario(name)!, flags, runCommand(name, flags))) && ok;
    }
    process.exitCode = ok ? 0 : 1;
  },
);

program
  .command('ci')
  .description(
    'CI: two kills of each daemon, one Redis kill, a WebSocket storm of 1,000 clients and hostile HTTP, then a full disk on a second stack, audited (~3 min)',
  )
  .action(async () => {
    const ok = await runChaos(findChaosScenario('chaos-ci')!, {}, 'pnpm --filter @tap/chaos chaos ci');
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('report')
  .description('regenerate CHAOS.md from results/*.json')
  .action(() => {
    process.stdout.write(`${regenerateChaos()}\n`);
  });

await program.parseAsync(process.argv);
// The command has answered. A scenario that crashed can leave a worker thread or socket holding
// the event loop (a failed chaos-kill hung for minutes): exit within 10 s whatever still holds it.
setTimeout(() => process.exit(), 10_000).unref();
