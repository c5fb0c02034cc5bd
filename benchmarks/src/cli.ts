/**
 * The benchmark CLI: `pnpm --filter @tap/benchmarks bench <command>`.
 *
 *   list                 the scenarios and what each measures
 *   run <scenario>       one scenario against a stack it starts itself (127.0.0.1, random ports, temp dirs);
 *                        `run ingest --rate 5000 --duration 30 --ramp 5` is an ad-hoc bet-path run
 *   all                  every scenario, recorded to results/, then RESULTS.md regenerated
 *   smoke                a few seconds at a low rate with the audit (CI; exits 1 if anything failed)
 *   report               regenerate RESULTS.md from results/*.json without running anything
 *   calibrate            price and settle a dense grid on a print source (issue 14; see docs/pricing.md)
 *
 * Exit status: 0 when every scenario run passed its audit and checks, 1 otherwise.
 */

import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type CalibrateOptions, calibrate } from './calibrate/calibrate-command.js';
import { writeCalibrationSection } from './calibrate/calibration-markdown.js';
import { ALL_COMMAND, regenerateResults, runScenario } from './runner.js';
import { type ScenarioOptions, SHAPE_FLAGS } from './scenario.js';
import { ALL_ORDER, findScenario, SCENARIOS } from './scenarios.js';
import { BENCH_ROOT } from './stack/repo.js';
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

const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError('must be a positive number');
  return n;
};

const oneOf =
  (allowed: readonly string[]) =>
  (v: string): string => {
    if (!allowed.includes(v)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
    return v;
  };

program
  .command('calibrate')
  .description('price and settle a dense grid of cells on a print source; per-bucket calibration report')
  .option('--source <sim|file|segment>', 'print source', 'sim')
  .option('--path <file>', '[file] JSONL of prints, [segment] a segment .db with index_prints')
  .option('--name <name>', 'report name under results/calibration/')
  .option('--seed <n>', '[sim] seed', nonNegativeInt, 1)
  .option('--hours <h>', '[sim] hours of simulated prints', positiveNumber, 3)
  .option('--noise-scale <x>', '[sim] multiplies every venue noise', (v) => Number(v), 1)
  .option('--vol <x>', '[sim] annualised volatility of the true price', positiveNumber, 0.6)
  .option(
    '--outage-mean-ms <ms>',
    '[sim] mean time between outages per venue, 0 = none',
    nonNegativeInt,
    120_000,
  )
  .option('--every-ms <ms>', 'time between decision times', positiveInt, 2_000)
  .option('--bands <n>', 'bands each side of the index quoted at each decision', nonNegativeInt, 10)
  .option(
    '--warmup-s <s>',
    'prints before the first decision (σ, η warm-up; at most half the prints)',
    nonNegativeInt,
    3_600,
  )
  .option('--record-prints <file>', 'also write the prints as JSONL')
  .option('--record-segment <file>', "also store the prints as a new segment's index_prints (batcher rows)")
  .option(
    '--index <print|filtered>',
    'S: the print itself or the filtered index (issue 22)',
    oneOf(['print', 'filtered']),
    'print',
  )
  .option(
    '--fill-prints <k>',
    'the print that prices a bet: 0 in effect at receipt, k the k-th after it (next-tick entry: 1; issue 22)',
    nonNegativeInt,
    0,
  )
  .option(
    '--fill-delay <fixed|adaptive>',
    'fixed: every bet at --fill-prints; adaptive: per bet, as BET_ENTRY_DELAY=adaptive (issue 22)',
    oneOf(['fixed', 'adaptive']),
    'fixed',
  )
  .option(
    '--delay-lead-ms <ms>',
    '[adaptive] the trader lead defended against (default as ingest-api)',
    nonNegativeInt,
  )
  .option('--delay-error-factor <c>', '[adaptive] the fill waits c·err_S²/σ² beyond the lead', positiveNumber)
  .option('--delay-prints-min <k>', '[adaptive] fewest prints after receipt', positiveInt)
  .option('--delay-prints-max <k>', '[adaptive] most prints after receipt', positiveInt)
  .option('--sees <truth,venue,index>', '[sim] which informed traders (issue 22)', (v) =>
    v.split(',').map((x) => oneOf(['truth', 'venue', 'index'])(x)),
  )
  .option('--informed <ms,…>', '[sim] informed traders this many ms ahead of our prints (issue 22)', (v) =>
    v.split(',').map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a list of non-negative ms');
      return n;
    }),
  )
  .action((raw: Record<string, unknown>) => {
    const { informed, ...rest } = raw;
    const options = {
      ...rest,
      ...(informed ? { informedLeadsMs: informed } : {}),
    } as unknown as CalibrateOptions;
    const report = calibrate(options);
    process.exitCode = report.checks.pass ? 0 : 1;
  });

program
  .command('calibration-section')
  .description('rewrite only the calibration section of RESULTS.md from results/calibration/*.json')
  .action(() => {
    writeCalibrationSection(join(BENCH_ROOT, 'RESULTS.md'), join(BENCH_ROOT, 'results/calibration'));
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
