/**
 * ingest: an ad-hoc bet-path run shaped by the CLI (`--rate`, `--duration`, `--warmup`, `--ramp`,
 * `--wallets`, `--ws-wallets`, `--rate-limit`, `--workers`, `--env`), with the same stack, measurements and
 * audit as ingest-3k. Not part of `all`: for exploring, not for RESULTS.md.
 */
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import { auditTable, loadTable, resourceTable } from '../src/report/tables.js';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';
import { loginNote } from './ingest-3k.js';

export const ingest: Scenario = {
  name: 'ingest',
  title: 'Ad-hoc bet-path run',
  description:
    'The bet path at the rate, duration, ramp and wallet counts given on the command line, then the audit.',
  async run(ctx) {
    const o = ctx.options;
    const wallets = o.wallets ?? 1_000;
    const rateLimit = o.rateLimitPerS ?? 5;
    const outcome = emptyOutcome();
    const bets = await openBetStack(ctx, {
      wallets,
      fundMicros: 10_000_000_000,
      limits: benchLimits({ RATE_LIMIT_PER_S: rateLimit, RATE_LIMIT_BURST: rateLimit * 2 }),
    });
    try {
      outcome.notes.push(...bets.notes, loginNote(bets.provisioning));
      const ratePerS = o.rate ?? 3_000;
      const { run, resources } = await bets.load(
        `${ratePerS}-per-s`,
        {
          ratePerS,
          durationMs: (o.durationS ?? 30) * 1_000,
          warmupMs: (o.warmupS ?? 5) * 1_000,
          rampMs: (o.rampS ?? 0) * 1_000,
        },
        { wsWallets: Math.min(wallets, o.wsWallets ?? wallets), workers: o.workers ?? 1, connections: 128 },
      );
      const report = await bets.audit([run]);
      outcome.loadRuns.push(run.result);
      outcome.resources.push({ label: 'ingest', report: resources });
      outcome.audits.push({ label: 'ingest', report });
      outcome.tables.push(
        loadTable(`Bets at ${ratePerS}/s`, [run.result]),
        auditTable('Audit', report),
        resourceTable('Resources', resources, run.result.achievedPerS),
      );
      if (!report.ok) fail(outcome, 'audit failed');
      outcome.headline = {
        p99_202_ms: run.result.latency.p99Ms,
        p50_accepted_ms: run.result.accepted?.p50Ms ?? null,
        p99_accepted_ms: run.result.accepted?.p99Ms ?? null,
        achieved_per_s: run.result.achievedPerS,
      };
    } finally {
      await bets.close();
    }
    return outcome;
  },
};
