/**
 * redis-fsync: what `appendfsync always` costs on the admission path (SPEC §6 Durability). The same
 * bet path twice — Redis with infra/redis.conf (appendfsync everysec), then with
 * `--appendfsync always` — at the same open-loop rates, each followed by the audit.
 *
 * The file reads as the experiment: `planOf` (rates, modes, how long), `measure` (a stack per mode,
 * the rates in turn, its audit) and `report` (pure: the tables, the checks and the headline).
 */
import type { AuditReport } from '../src/audit/audit.js';
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import type { LoadRunResult } from '../src/load/open-loop.js';
import { auditTable, loadTable } from '../src/report/tables.js';
import {
  emptyOutcome,
  fail,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';

const WALLETS = 500;
const RATES = [1_500, 3_000];
const MODES = [
  { label: 'everysec', redisArgs: [] as string[] },
  { label: 'always', redisArgs: ['--appendfsync', 'always'] },
];

export interface Plan {
  modes: { label: string; redisArgs: string[] }[];
  rates: number[];
  durationMs: number;
  workers: number;
}

/** One appendfsync mode: its stack's notes, a load run per rate, the audit over them. */
export interface ModeRuns {
  label: string;
  notes: string[];
  runs: LoadRunResult[];
  audit: AuditReport;
}

export const redisFsync: Scenario = {
  name: 'redis-fsync',
  title: 'Redis appendfsync everysec vs always on the admission path',
  description:
    `The whole bet path with ${WALLETS} wallets (100 with a WebSocket) at ${RATES.join(' and ')} bets/s, 15 s each (3 s warm-up), ` +
    'once with appendfsync everysec (infra/redis.conf) and once with --appendfsync always; audited after each.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export function planOf(options: ScenarioOptions): Plan {
  return {
    modes: MODES,
    rates: RATES,
    durationMs: options.quick ? 6_000 : 15_000,
    workers: options.workers ?? 1,
  };
}

/** A fresh stack per mode; the rates in turn on it (the first after a ramp), then its audit. */
async function measure(ctx: ScenarioContext, plan: Plan): Promise<ModeRuns[]> {
  const modes: ModeRuns[] = [];
  for (const mode of plan.modes) {
    const bets = await openBetStack(ctx, {
      wallets: WALLETS,
      fundMicros: 1_000_000_000,
      limits: benchLimits({ RATE_LIMIT_PER_S: 20, RATE_LIMIT_BURST: 40 }),
      redisArgs: mode.redisArgs,
    });
    try {
      const modeRuns = [];
      for (const ratePerS of plan.rates) {
        await bets.drain(15_000);
        const { run } = await bets.load(
          `${mode.label}-${ratePerS}`,
          {
            ratePerS,
            durationMs: plan.durationMs,
            warmupMs: 3_000,
            rampMs: modeRuns.length === 0 ? 3_000 : 0,
          },
          { wsWallets: 100, workers: plan.workers, connections: 64 },
        );
        modeRuns.push(run);
      }
      const audit = await bets.audit(modeRuns);
      modes.push({ label: mode.label, notes: bets.notes, runs: modeRuns.map((r) => r.result), audit });
    } finally {
      await bets.close();
    }
  }
  return modes;
}

/** The tables, checks and headline from both modes (pure). */
export function report(modes: readonly ModeRuns[]): ScenarioOutcome {
  const outcome = emptyOutcome();
  // The stack's notes once (the first mode's), without its Redis line: the table names both modes.
  outcome.notes.push(...(modes[0]?.notes.filter((n) => !n.startsWith('Redis:')) ?? []));
  for (const mode of modes) {
    outcome.audits.push({ label: mode.label, report: mode.audit });
    outcome.tables.push(auditTable(`Audit (appendfsync ${mode.label})`, mode.audit));
    if (!mode.audit.ok) fail(outcome, `audit failed with appendfsync ${mode.label}`);
  }
  const runs = modes.flatMap((m) => m.runs);
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
}
