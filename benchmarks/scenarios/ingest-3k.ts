/**
 * ingest-3k: the SPEC §12 floor — 3,000 bets/s open loop against the whole bet path for 30 s
 * (after a 20 s warm-up: from a cold start the JIT falls behind during a short ramp, and with
 * little CPU to spare at this rate the backlog took 20 s to drain), three times on one stack,
 * with per-wallet SPEC rate limits in force (1,000 wallets → 3 bets/s each),
 * every wallet holding a WebSocket, then the full audit. Targets: p99 time to 202 ≤ 5 ms, p99
 * request → WebSocket accepted ≤ 25 ms (floor ≤ 100 ms).
 */
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import {
  auditTable,
  loadTable,
  redisCommandTable,
  redisGrowthNote,
  resourceTable,
} from '../src/report/tables.js';
import { emptyOutcome, fail, type ResultTable, type Scenario } from '../src/scenario.js';
import { medianBy } from '../src/stats/median.js';

const WALLETS = 1_000;
const RATE_PER_S = 3_000;
/**
 * At 3,000 bets/s this machine has little CPU to spare, and the same run varies a lot with
 * whatever else its host runs (every process's CPU per bet rose ~30 % together in a slow run):
 * three runs on one stack, the median one is the result, all three are shown.
 */
const REPEATS = 3;

export const ingest3k: Scenario = {
  name: 'ingest-3k',
  title: 'Bet ingestion at 3,000 bets/s (SPEC floor)',
  description:
    `${WALLETS} wallets (real keys, SIWE login through the API, funded through tap:adjustments), ${RATE_PER_S} bets/s ` +
    `open loop for 50 s (the first 20 s are warm-up: a 10 s ramp from 0, then 10 s at rate), ${REPEATS} runs on one stack, every wallet with a WebSocket on ws-gateway. ` +
    'Measures time to 202 and planned request time → WebSocket accepted, then audits SQLite, the ledger, the cache, the consumer groups and the events of every run.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const durationMs = ctx.options.quick ? 12_000 : 50_000;
    const warmupMs = ctx.options.quick ? 3_000 : 20_000;
    const repeats = ctx.options.quick ? 1 : REPEATS;
    const bets = await openBetStack(ctx, {
      wallets: WALLETS,
      fundMicros: 1_000_000_000,
      limits: benchLimits(),
    });
    try {
      outcome.notes.push(...bets.notes, loginNote(bets.provisioning));
      const runs: Awaited<ReturnType<typeof bets.load>>[] = [];
      for (let i = 1; i <= repeats; i += 1) {
        runs.push(
          await bets.load(
            `${RATE_PER_S}-per-s #${i}`,
            // A cold ingest-api (JIT) falls behind at full rate; ramp up within the warm-up instead.
            { ratePerS: RATE_PER_S, durationMs, warmupMs, rampMs: warmupMs / 2 },
            { wsWallets: WALLETS, workers: ctx.options.workers ?? 1, connections: 64 },
          ),
        );
      }
      const report = await bets.audit(runs.map((r) => r.run));
      const { run, resources } = medianBy(runs, (r) => r.run.result.latency.p99Ms);
      outcome.loadRuns.push(...runs.map((r) => r.run.result));
      outcome.resources.push({ label: 'ingest-3k', report: resources });
      outcome.audits.push({ label: 'ingest-3k', report });
      outcome.tables.push(
        loadTable(
          `Bets at ${RATE_PER_S}/s, ${repeats} runs`,
          runs.map((r) => r.run.result),
          [`The headline is ${run.result.label}, the median run by p99 to 202; its resources follow.`],
        ),
        auditTable('Audit (every bet of every run)', report),
        withNote(
          resourceTable(
            `Resources at ${RATE_PER_S}/s (${run.result.label})`,
            resources,
            run.result.achievedPerS,
          ),
          redisGrowthNote(resources, run.result.ok, RATE_PER_S),
        ),
        redisCommandTable(`Redis commands per bet (${run.result.label})`, resources, run.result.ok),
      );
      if (!report.ok) fail(outcome, 'audit failed');
      const p99 = run.result.latency.p99Ms;
      const accepted = run.result.accepted?.p99Ms ?? null;
      outcome.headline = {
        p99_202_ms_at_3000: p99,
        p99_202_ms_at_3000_met: p99 <= 5 ? 'yes' : 'no',
        p99_accepted_ms_at_3000: accepted,
        p99_accepted_ms_at_3000_met:
          accepted === null ? null : accepted <= 25 ? 'yes' : accepted <= 100 ? 'floor only' : 'no',
        achieved_per_s: run.result.achievedPerS,
        logins_per_s: bets.provisioning.login.loginsPerS,
      };
    } finally {
      await bets.close();
    }
    return outcome;
  },
};

function withNote(table: ResultTable, note: string | null): ResultTable {
  return note ? { ...table, notes: [...(table.notes ?? []), note] } : table;
}

export function loginNote(p: {
  wallets: number;
  keysMs: number;
  signMs: number;
  login: { loginsPerS: number; concurrency: number; latency: { p99Ms: number } };
  fundMs: number;
}): string {
  return (
    `Provisioning: ${p.wallets} keys in ${p.keysMs} ms, SIWE messages signed in ${p.signMs} ms (harness), ` +
    `login storm ${p.login.loginsPerS} logins/s at ${p.login.concurrency} in flight (p99 ${p.login.latency.p99Ms} ms), ` +
    `funding applied by the batcher in ${p.fundMs} ms.`
  );
}
