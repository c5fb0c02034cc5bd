/**
 * redis-fsync: what `appendfsync always` costs on the admission path (SPEC §6 Durability). The same
 * bet path twice — Redis with infra/redis.conf (appendfsync everysec), then with
 * `--appendfsync always` — at the same open-loop rates, each followed by the audit.
 */
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import type { LoadRunResult } from '../src/load/open-loop.js';
import { auditTable, loadTable } from '../src/report/tables.js';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';

const WALLETS = 500;
const RATES = [1_500, 3_000];
const MODES = [
  { label: 'everysec', redisArgs: [] as string[] },
  { label: 'always', redisArgs: ['--appendfsync', 'always'] },
];

export const redisFsync: Scenario = {
  name: 'redis-fsync',
  title: 'Redis appendfsync everysec vs always on the admission path',
  description:
    `The whole bet path with ${WALLETS} wallets (100 with a WebSocket) at ${RATES.join(' and ')} bets/s, 15 s each (3 s warm-up), ` +
    'once with appendfsync everysec (infra/redis.conf) and once with --appendfsync always; audited after each.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const runs: LoadRunResult[] = [];
    const durationMs = ctx.options.quick ? 6_000 : 15_000;
    for (const mode of MODES) {
      const bets = await openBetStack(ctx, {
        wallets: WALLETS,
        fundMicros: 1_000_000_000,
        limits: benchLimits({ RATE_LIMIT_PER_S: 20, RATE_LIMIT_BURST: 40 }),
        redisArgs: mode.redisArgs,
      });
      try {
        if (mode === MODES[0]) outcome.notes.push(...bets.notes.filter((n) => !n.startsWith('Redis:')));
        const modeRuns = [];
        for (const ratePerS of RATES) {
          await bets.drain(15_000);
          const { run } = await bets.load(
            `${mode.label}-${ratePerS}`,
            { ratePerS, durationMs, warmupMs: 3_000, rampMs: modeRuns.length === 0 ? 3_000 : 0 },
            { wsWallets: 100, workers: ctx.options.workers ?? 1, connections: 64 },
          );
          modeRuns.push(run);
          runs.push(run.result);
        }
        const report = await bets.audit(modeRuns);
        outcome.audits.push({ label: mode.label, report });
        outcome.tables.push(auditTable(`Audit (appendfsync ${mode.label})`, report));
        if (!report.ok) fail(outcome, `audit failed with appendfsync ${mode.label}`);
      } finally {
        await bets.close();
      }
    }
    outcome.loadRuns.push(...runs);
    outcome.tables.unshift(
      loadTable('Bets with appendfsync everysec vs always', runs, [
        'Rate limit raised to 20/s burst 40 per wallet (500 wallets × 6 bets/s at 3,000/s); other limits as in ingest-3k.',
      ]),
    );
    const at = (label: string) => runs.find((r) => r.label === label);
    outcome.headline = {
      p99_ms_everysec_3000: at('everysec-3000')?.latency.p99Ms ?? null,
      p99_ms_always_3000: at('always-3000')?.latency.p99Ms ?? null,
    };
    return outcome;
  },
};
