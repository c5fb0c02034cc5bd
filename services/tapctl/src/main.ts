/**
 * tapctl: the operator CLI (SPEC §7). Money moves only through the batcher: `credit` / `debit` queue
 * an adjustment on `tap:adjustments`; `balance`, `ledger` and `bet` read the segments (current + last 4 closed) through
 * read-only connections; `restore` rebuilds a data directory from S3. Exit codes: 0 ok, 2 bad usage or input, 1 the operation failed.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE, usageError } from './cli-error.js';
import { adjust, type Direction } from './commands/adjust.js';
import { balance } from './commands/balance.js';
import { bet } from './commands/bet.js';
import type { CommandContext } from './commands/context.js';
import { ledger } from './commands/ledger.js';
import { restore } from './commands/restore.js';
import { loadConfig } from './config.js';

const program = new Command('tapctl')
  .description('BTC Tap operator CLI: balances, ledger, bets, credits and debits')
  .option('--json', 'print JSON instead of text')
  .option('--redis-url <url>', 'Redis URL (env REDIS_URL)')
  .option('--prefix <prefix>', 'Redis key prefix (env TAP_KEY_PREFIX)')
  .option('--data-dir <dir>', 'the batcher data directory (env DATA_DIR)')
  .exitOverride()
  .showHelpAfterError(false);

function context(): CommandContext {
  const options = program.opts<{ json?: boolean; redisUrl?: string; prefix?: string; dataDir?: string }>();
  const loaded = loadConfig(process.env, options);
  if (!loaded.ok) throw usageError(`invalid configuration:\n  ${loaded.problems.join('\n  ')}`);
  return { config: loaded.config, out: { json: options.json === true, write: (line) => console.log(line) } };
}

for (const direction of ['credit', 'debit'] as Direction[]) {
  program
    .command(`${direction} <address> <usd>`)
    .description(`${direction} a wallet through the batcher (USD with up to 6 decimals)`)
    .requiredOption('--reason <text>', 'why, for the ledger and the audit trail')
    .addOption(
      new Option('--kind <kind>', 'ledger kind').choices(
        direction === 'credit' ? ['adjustment', 'deposit'] : ['adjustment', 'withdrawal'],
      ),
    )
    .option('--id <id>', 'adjustment id (idempotency key; default a new ULID)')
    .option('--wait', 'wait until the batcher applied or refused it')
    .option('--timeout <ms>', 'how long --wait waits (default 10000)')
    .action((address: string, usd: string, options) => adjust(context(), direction, address, usd, options));
}
program
  .command('balance <address>')
  .description('SQLite balance and Redis cached available balance')
  .option('--segment <name>', 'read this local segment, e.g. 2026-W48 (default: the current one)')
  .action((address: string, options) => balance(context(), address, options));
program
  .command('ledger <address>')
  .description("a wallet's ledger rows, oldest first")
  .option('--from <time>', 'ISO date-time or epoch ms (inclusive)')
  .option('--to <time>', 'ISO date-time or epoch ms (inclusive)')
  .option('--ref <type:id>', 'only rows of this reference, e.g. bet_stake:01J…')
  .option('--limit <n>', 'at most n rows (default 100)')
  .option('--segment <name>', 'read only this local segment (default: the current and last 4 closed)')
  .action((address: string, options) => ledger(context(), address, options));
program
  .command('bet <id>')
  .description('one bet with its terms, evidence and ledger rows')
  .option('--segment <name>', 'read only this local segment (default: the current and last 4 closed)')
  .action((id: string, options) => bet(context(), id, options));

program
  .command('restore')
  .description('rebuild --data-dir from the S3 archive and backups, verifying every hash and proof')
  .option('--from-s3', 'restore from the archive bucket (S3_* variables, as the archiver)')
  .option('--at <time>', 'the newest state at or before this ISO date-time or epoch ms (default now)')
  .option(
    '--segments <n>',
    'restore the newest n segments (default 5: the 4 kept closed weeks and the hot one)',
  )
  .action((options) => restore(context(), options, process.env));

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; everything else it reports is bad usage.
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    const code = err instanceof CliError ? err.exitCode : EXIT_FAILURE;
    process.stderr.write(`tapctl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(code);
  },
);
