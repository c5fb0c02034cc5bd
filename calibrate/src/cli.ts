/**
 * The calibration CLI: `pnpm --filter @tap/calibrate calibrate <command>` (issues 14 and 22).
 *
 *   run --source sim|file|segment …   price and settle a dense grid on a print source; its report as
 *                                     results/<name>.json and .svg (docs/pricing.md); exit 1 if a check fails
 *   report                            rewrite CALIBRATION.md from results/*.json
 *
 * A run does not rewrite CALIBRATION.md: several runs of one measurement are recorded, then
 * rendered together.
 */
import { Command, InvalidArgumentError } from 'commander';
import { type CalibrateOptions, calibrate } from './calibrate-command.js';
import { writeCalibration } from './calibration-markdown.js';

const program = new Command('calibrate').description('BTC Tap pricing calibration (see calibrate/README.md)');

/** A whole number ≥ `min`, or commander's usage error. */
const wholeFrom = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
  return n;
};
const positiveInt = wholeFrom(1);
const nonNegativeInt = wholeFrom(0);

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
  .command('run')
  .description('price and settle a dense grid of cells on a print source; per-bucket calibration report')
  .option('--source <sim|file|segment>', 'print source', 'sim')
  .option('--path <file>', '[file] JSONL of prints, [segment] a segment .db with index_prints')
  .option('--name <name>', 'report name under results/')
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
  .option(
    '--quote <receipt|expected_fill>',
    "what a delayed bet's trader is shown: the print's quote, or the quote at the expected fill (as ingest-api and the web)",
    oneOf(['receipt', 'expected_fill']),
    'expected_fill',
  )
  .option('--sees <truth,venue,index>', '[sim] which informed traders (issue 22)', (v) =>
    v.split(',').map((x) => oneOf(['truth', 'venue', 'index'])(x)),
  )
  .option('--informed <ms,…>', '[sim] informed traders this many ms ahead of our prints (issue 22)', (v) =>
    v.split(',').map(nonNegativeInt),
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
  .command('report')
  .description('rewrite CALIBRATION.md from results/*.json without running anything')
  .action(() => writeCalibration());

await program.parseAsync(process.argv);
