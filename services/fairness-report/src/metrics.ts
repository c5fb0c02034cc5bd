/**
 * The job's metrics, written to the node-exporter textfile after a successful run (runJob); the
 * alert rules read `tap_fairness_report_checks_passed` and `tap_fairness_report_last_success_timestamp_seconds`
 * (infra/prometheus/tap.rules.yml). Names are spelled out: check-metrics.mjs finds them here.
 */
import type { EdgeJudgement } from '@tap/calibration';
import { Gauge, type Registry } from '@tap/runtime';
import type { FairnessGauges } from './fairness-gauges.js';

export function createFairnessMetrics(registry: Registry) {
  const lastSuccess = new Gauge({
    name: 'tap_fairness_report_last_success_timestamp_seconds',
    help: 'Unix time (s) of the last fairness report computed over enough prints',
    registers: [registry],
  });
  const passed = new Gauge({
    name: 'tap_fairness_report_checks_passed',
    help: '1 when the last report passed every SPEC §3 check (buckets within 3 SE, edge within 1 pp and above h - 1 %), else 0',
    registers: [registry],
  });
  const edgeGap = new Gauge({
    name: 'tap_fairness_report_edge_gap_ratio',
    help: 'Realised minus promised house edge per distance band in the last report (0.01 = 1 percentage point)',
    labelNames: ['band'],
    registers: [registry],
  });
  const zMax = new Gauge({
    name: 'tap_fairness_report_bucket_z_max',
    help: 'Largest |z| of a probability bucket with enough bets in the last report (the check allows 3)',
    registers: [registry],
  });
  const decisions = new Gauge({
    name: 'tap_fairness_report_decisions',
    help: 'Cell-decisions (unit bets on offered cells) the last report judged',
    registers: [registry],
  });
  const hours = new Gauge({
    name: 'tap_fairness_report_prints_span_seconds',
    help: 'Span of the stored prints the last report covered (first to last print)',
    registers: [registry],
  });
  return {
    ...createWalletEdgeMetrics(registry),
    record(g: FairnessGauges): void {
      passed.set(g.passed);
      for (const [band, gap] of g.edgeGapByBand) edgeGap.set({ band }, gap);
      zMax.set(g.bucketZMaxAbs);
      decisions.set(g.decisions);
      hours.set(g.printHours * 3_600);
      lastSuccess.setToCurrentTime();
    },
  };
}

/**
 * The per-wallet edge (issue 22). A `wallet` label only on flagged wallets, and only the `shown`
 * largest: an honest book exports none, and an attack by many wallets cannot blow up the series
 * count (the count says how many there are; the report file lists them all).
 */
function createWalletEdgeMetrics(registry: Registry) {
  const judged = new Gauge({
    name: 'tap_fairness_report_wallets_judged',
    help: 'Wallets with at least EDGE_BETS_MIN bets settled in the last EDGE_HOURS (their edge was judged)',
    registers: [registry],
  });
  const flagged = new Gauge({
    name: 'tap_fairness_report_wallets_flagged',
    help: 'Judged wallets whose realised profit is more than EDGE_Z_MIN standard errors above what their prices predicted',
    registers: [registry],
  });
  const zMax = new Gauge({
    name: 'tap_fairness_report_wallet_edge_z_max',
    help: 'Largest z (realised minus predicted profit over its standard error) of a judged wallet; 0 when none was judged',
    registers: [registry],
  });
  const walletZ = new Gauge({
    name: 'tap_fairness_report_wallet_edge_z',
    help: 'z of a flagged wallet (only the EDGE_WALLETS_SHOWN largest carry a wallet label)',
    labelNames: ['wallet'],
    registers: [registry],
  });
  const settled = new Gauge({
    name: 'tap_fairness_report_settled_bets',
    help: 'Bets settled won or lost in the last EDGE_HOURS that the per-wallet edge read',
    registers: [registry],
  });
  return {
    recordWalletEdges(judgement: EdgeJudgement & { bets: number }, shown: number): void {
      judged.set(judgement.judged);
      flagged.set(judgement.flagged.length);
      zMax.set(judgement.zMax ?? 0);
      settled.set(judgement.bets);
      for (const edge of judgement.flagged.slice(0, shown)) walletZ.set({ wallet: edge.userId }, edge.z);
    },
  };
}
