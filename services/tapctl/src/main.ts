/**
 * tapctl: the operator CLI (SPEC §7). Money moves only through the batcher: `credit` / `debit` queue
 * a signed adjustment on `tap:adjustments`, `void` a signed action on `tap:operator`; `halt`,
 * `resume`, `freeze`, `unfreeze` and `dlq retry|discard` change Redis with their audit entry in one
 * script; `balance`, `ledger`, `bet`, `dispute` read the segments (current + last 4 closed) through
 * read-only connections; `restore` rebuilds a data directory from S3.
 * Exit codes: 0 ok, 2 bad usage or input, 1 the operation failed.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE, usageError } from './cli-error.js';
import { adjust, type Direction } from './commands/adjust.js';
import { balance } from './commands/balance.js';
import { bet } from './commands/bet.js';
import type { CommandContext } from './commands/context.js';
import { control } from './commands/controls.js';
import { dispute } from './commands/dispute.js';
import { dlqList, dlqRemove, dlqShow } from './commands/dlq.js';
import { edge } from './commands/edge.js';
import { ledger } from './commands/ledger.js';
import { restore } from './commands/restore.js';
import { voidBet } from './commands/void-bet.js';
import { loadConfig } from './config.js';

const program = new Command('tapctl')
  .description('BTC Tap operator CLI: balances, ledger, bets, money movements and operator controls')
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
    .option('--confirm', 'needed for an amount above ADJUST_CONFIRM_ABOVE_USD')
    .action((address: string, usd: string, options) => adjust(context(), direction, address, usd, options));
}
program
  .command('balance <address>')
  .description('SQLite balance and Redis cached available balance')
  .option('--segment <name>', 'read this local segment, e.g. 2026-W48 (default: the current one)')
  .action((address: string, options) => balance(context(), address, options));
program
  .command('ledger [address]')
  .description(
    "ledger rows: a wallet's (oldest first), or every wallet's by --ref or by --from/--to (keyset pages)",
  )
  .option('--from <time>', 'ISO date-time or epoch ms (inclusive)')
  .option('--to <time>', 'ISO date-time or epoch ms (inclusive; default now)')
  .option('--ref <type:id>', 'only rows of this reference, e.g. bet_stake:01J…')
  .option('--limit <n>', 'at most n rows per page (default 100)')
  .option('--after <cursor>', 'the next page: the cursor the previous page printed')
  .option('--segment <name>', 'read only this local segment (default: the current and last 4 closed)')
  .option('--wait', 'wait for the restore of an archived week --from reaches (else fail naming the job)')
  .action((address: string | undefined, options) => ledger(context(), address, options));
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
program
  .command('dispute <betId>')
  .description(
    "a bet, its ledger rows, its window's prints with low/high, and its outcome recomputed with the resolver's rule",
  )
  .action((betId: string) => dispute(context(), betId));
program
  .command('halt')
  .description('halt trading: the breaker opens (reason manual_halt) until resume')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((options) => control(context(), 'halt', undefined, options));
program
  .command('resume')
  .description('end a manual halt (the breaker closes once the feed is healthy)')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((options) => control(context(), 'resume', undefined, options));
program
  .command('freeze <address>')
  .description("refuse a wallet's bets and withdrawals (wallet_frozen)")
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'freeze', address, options));
program
  .command('unfreeze <address>')
  .description('lift a freeze')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'unfreeze', address, options));
program
  .command('limit <address>')
  .description("lower a wallet's open potential payout limit (exposure_limit user_payout above it)")
  .requiredOption('--open-payout-usd <usd>', 'the cap, USD (0: no new bet)')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'limit', address, options));
program
  .command('unlimit <address>')
  .description("lift a wallet's lowered limit")
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'unlimit', address, options));
program
  .command('delay <address>')
  .description("price a wallet's bets at a later print after their receipt (next-tick entry, issue 22)")
  .requiredOption('--prints <n>', 'the print after receipt that fills its bets, 2…50 (1 is the next print)')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'delay', address, options));
program
  .command('undelay <address>')
  .description("lift a wallet's fill delay")
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((address: string, options) => control(context(), 'undelay', address, options));
program
  .command('edge')
  .description(
    "each wallet's realised edge against its prices (issue 22); --apply: EDGE_ACTION on the flagged",
  )
  .option('--apply', 'apply the configured action (EDGE_ACTION) to each flagged wallet, once per evidence')
  .option('--action <none|freeze|limit|delay>', 'the action, instead of EDGE_ACTION')
  .action((options) => edge(context(), options));
program
  .command('void <betId>')
  .description('void an open bet and refund its stake through the batcher')
  .requiredOption('--reason <text>', 'why, for the audit trail and the bet evidence')
  .option('--wait', 'wait until the batcher voided or refused it')
  .action((betId: string, options) => voidBet(context(), betId, options));
const dlq = program.command('dlq').description('dead letters: entries the batcher refused, with the reason');
dlq
  .command('list')
  .description('the newest dead letters')
  .option('--limit <n>', 'at most n (default 50)')
  .action((options) => dlqList(context(), options));
dlq
  .command('show <id>')
  .description('one dead letter with its raw entry')
  .action((id: string) => dlqShow(context(), id));
dlq
  .command('retry <id>')
  .description('re-queue the entry on its stream and remove the dead letter')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((id: string, options) => dlqRemove(context(), 'retry', id, options));
dlq
  .command('discard <id>')
  .description('remove the dead letter for good')
  .requiredOption('--reason <text>', 'why, for the audit trail')
  .action((id: string, options) => dlqRemove(context(), 'discard', id, options));

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; everything else it reports is bad usage.
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    const exitCode = err instanceof CliError ? err.exitCode : EXIT_FAILURE;
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof CliError ? err.errorCode : 'failed';
    if (program.opts<{ json?: boolean }>().json === true) {
      process.stderr.write(`${JSON.stringify({ error: code, message })}\n`);
    } else {
      const coded = err instanceof CliError && err.code !== undefined ? `${err.code}: ` : '';
      process.stderr.write(`tapctl: ${coded}${message}\n`);
    }
    process.exit(exitCode);
  },
);
