/**
 * The benchmark CLI: `pnpm --filter @tap/benchmarks bench <command>`.
 *
 *   list                 the scenarios and what each measures
 *   run <scenario>       one scenario against a stack it starts itself (127.0.0.1, random ports, temp dirs);
 *                        `run ingest --rate 5000 --duration 30 --ramp 5` is an ad-hoc bet-path run
 *   all                  every scenario, recorded to results/, then RESULTS.md regenerated
 *   smoke                a few seconds at a low rate with the audit (CI; exits 1 if anything failed)
 *   report               regenerate RESULTS.md from results/*.json without running anything
 *
 * Exit status: 0 when every scenario run passed its audit and checks, 1 otherwise.
 */

import { Command, InvalidArgumentError } from 'commander';
import { ALL_COMMAND, regenerateResults, runScenario } from './runner.js';
import { type ScenarioOptions, SHAPE_FLAGS } from './scenario.js';
import { ALL_ORDER, findScenario, SCENARIOS } from './scenarios.js';
import { DAEMON_NAMES } from './stack/stack.js';

const program = new Command('bench').description('BTC Tap load-test harness (see benchmarks/README.md)');

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const nonNegativeInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
};

const withOptions = (command: Command) =>
  SHAPE_FLAGS.reduce(
    (c, [, flag, description, kind]) =>
      c.option(flag, description, kind === 'positive' ? positiveInt : nonNegativeInt),
    command,
  )
    .option('--quick', 'shorter phases (a quick look, not a result)')
    .option(
      '--env <daemon:KEY=value>',
      '[bet-path scenarios] extra environment of one daemon, repeatable (an A/B of a setting)',
      collectDaemonEnv,
      {},
    );

/** `--env ingest-api:ADMIT_BATCH_BETS_MAX=1` → { 'ingest-api': { ADMIT_BATCH_BETS_MAX: '1' } }. */
function collectDaemonEnv(text: string, into: Record<string, Record<string, string>>) {
  const match = /^([a-z-]+):([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
  if (!match)
    throw new InvalidArgumentError('expected <daemon>:<KEY>=<value>, e.g. ingest-api:ADMIT_BATCH_BETS_MAX=1');
  const [, daemon, key, value] = match as unknown as [string, string, string, string];
  if (!(DAEMON_NAMES as readonly string[]).includes(daemon)) {
    throw new InvalidArgumentError(`no daemon ${daemon} in the stack (${DAEMON_NAMES.join(', ')})`);
  }
  return { ...into, [daemon]: { ...into[daemon], [key]: value } };
}

/** What commander parsed: the shape flags by their attribute name (`--ws-wallets` → wsWallets), and the rest. */
type RawOptions = Record<string, number | undefined> & {
  quick?: boolean;
  env?: Record<string, Record<string, string>>;
  record?: boolean;
};

function scenarioOptions(raw: RawOptions): ScenarioOptions {
  const attribute = (flag: string) =>
    flag
      .split(' ')[0]!
      .slice(2)
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const options: ScenarioOptions = {
    ...Object.fromEntries(SHAPE_FLAGS.map(([key, flag]) => [key, raw[attribute(flag)]])),
    quick: raw.quick,
    daemonEnv: raw.env && Object.keys(raw.env).length > 0 ? raw.env : undefined,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ScenarioOptions;
}

program
  .command('list')
  .description('list the scenarios')
  .action(() => {
    for (const s of SCENARIOS)
      process.stdout.write(`${s.name.padEnd(16)} ${s.title}\n${' '.repeat(17)}${s.description}\n\n`);
  });

withOptions(program.command('run <scenario>').description('run one scenario'))
  .option('--record', 'record to results/ and regenerate RESULTS.md')
  .action(async (name: string, raw: RawOptions) => {
    const scenario = findScenario(name);
    if (!scenario) {
      process.stderr.write(`unknown scenario ${name}; try: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
      process.exit(2);
    }
    const result = await runScenario(scenario, scenarioOptions(raw), { record: raw.record === true });
    if (raw.record) regenerateResults(ALL_ORDER);
    process.exitCode = result.ok ? 0 : 1;
  });

withOptions(program.command('all').description('run every scenario and regenerate RESULTS.md')).action(
  async (raw: RawOptions) => {
    let ok = true;
    for (const name of ALL_ORDER) {
      const result = await runScenario(findScenario(name)!, scenarioOptions(raw), { record: true });
      ok &&= result.ok;
      regenerateResults(ALL_ORDER);
    }
    process.stdout.write(`RESULTS.md regenerated (${ALL_COMMAND})\n`);
    process.exitCode = ok ? 0 : 1;
  },
);

// CI's check: not recorded, exit 1 on failure (the chaos suite's is `pnpm --filter @tap/chaos chaos ci`).
program
  .command('smoke')
  .description('CI: the bet path at a low rate for a few seconds, audited')
  .action(async () => {
    const command = 'pnpm --filter @tap/benchmarks bench smoke';
    const result = await runScenario(findScenario('smoke')!, {}, { record: false, command });
    process.exitCode = result.ok ? 0 : 1;
  });

program
  .command('report')
  .description('regenerate RESULTS.md from results/*.json')
  .action(() => {
    process.stdout.write(`${regenerateResults(ALL_ORDER)}\n`);
  });

await program.parseAsync(process.argv);
// The command has answered. A scenario that crashed can leave a worker thread or socket holding
// the event loop (a failed chaos-kill hung for minutes): exit within 10 s whatever still holds it.
setTimeout(() => process.exit(), 10_000).unref();
