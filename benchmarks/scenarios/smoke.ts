/**
 * smoke: the CI check of the harness and the bet path — the whole stack, a few seconds at a low
 * open-loop rate, then the full audit. Fails on any error answer or audit failure; < 60 s.
 */
import { benchLimits, openBetStack } from '../src/bet-stack.js';
import { auditTable, loadTable, resourceTable } from '../src/report/tables.js';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';

const WALLETS = 50;
const RATE_PER_S = 200;
const MARKET_REFUSAL = '409 cell_not_offered';

export const smoke: Scenario = {
  name: 'smoke',
  title: 'Smoke: the bet path at a low rate, audited',
  description:
    `${WALLETS} wallets sign in (SIWE) and are funded through tap:adjustments; ${RATE_PER_S} bets/s open loop for 12 s ` +
    '(6 s warm-up: a fresh price-ingest’s σ and η estimates need a few seconds of 1-second returns before the ' +
    'quotes settle), every wallet with a WebSocket; then the audit. Fails on a failed audit check, on any error answer ' +
    'other than 409 cell_not_offered (the index moved between pick and pricing), or on more than 1 % of those.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const bets = await openBetStack(ctx, {
      wallets: WALLETS,
      fundMicros: 100_000_000,
      limits: benchLimits(),
    });
    try {
      outcome.notes.push(...bets.notes);
      const { run, resources } = await bets.load(
        'smoke',
        { ratePerS: RATE_PER_S, durationMs: 12_000, warmupMs: 6_000 },
        { wsWallets: WALLETS, workers: ctx.options.workers ?? 1, connections: 16 },
      );
      const report = await bets.audit([run]);
      outcome.loadRuns.push(run.result);
      outcome.resources.push({ label: 'smoke', report: resources });
      outcome.audits.push({ label: 'smoke', report });
      outcome.tables.push(
        loadTable('Bets at a low rate', [run.result]),
        auditTable('Audit', report),
        resourceTable('Resources', resources, run.result.achievedPerS),
      );
      // The index may move between the client's pick and the server's pricing: a legitimate refusal.
      const { [MARKET_REFUSAL]: refused = 0, ...other } = run.result.errors;
      const otherCount = Object.values(other).reduce((a, b) => a + b, 0);
      if (otherCount > 0) fail(outcome, `${otherCount} error answers: ${JSON.stringify(other)}`);
      if (refused > run.result.sent * 0.01) fail(outcome, `${refused} × ${MARKET_REFUSAL} (> 1 % of bets)`);
      if (run.result.ok === 0) fail(outcome, 'no bet was accepted');
      if (!report.ok)
        fail(
          outcome,
          `audit failed: ${report.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join(', ')}`,
        );
      outcome.headline = {
        p99_202_ms: run.result.latency.p99Ms,
        p99_accepted_ms: run.result.accepted?.p99Ms ?? null,
      };
    } finally {
      await bets.close();
    }
    return outcome;
  },
};
