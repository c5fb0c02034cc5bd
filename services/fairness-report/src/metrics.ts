/**
 * The job's metrics, written to the node-exporter textfile after a successful run (runJob); the
 * alert rules read `tap_fairness_report_checks_passed` and `tap_fairness_report_last_success_timestamp_seconds`
 * (infra/prometheus/tap.rules.yml). Names are spelled out: check-metrics.mjs finds them here.
 */
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
