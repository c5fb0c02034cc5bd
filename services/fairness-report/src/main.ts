/**
 * fairness-report (daily timer job, never modifies data): the calibration of SPEC §3 over the
 * index prints that settled the last HOURS (the segments, read-only) — every cell near the index
 * quoted every DECISION_EVERY_MS with ingest-api's pricing and settled by the resolver's rule
 * (@tap/calibration, the same code as `calibrate run`) — written to REPORT_FILE, with its verdict
 * and edge gaps as textfile metrics for the alert rule; and each wallet's realised edge over the
 * bets settled the last EDGE_HOURS (issue 22: flagged above EDGE_Z_MIN standard errors, alert
 * TapWalletEdge; `tapctl edge` applies the configured action). Exit 0 when the report was computed
 * (whether the checks passed is the metric's to say), 1 when there were too few prints to judge
 * (fewer than DECISIONS_MIN cell-decisions) or it failed, 78 on bad configuration.
 */
import { join } from 'node:path';
import {
  buildReport,
  describeWalletEdge,
  judgeStoredWalletEdges,
  runCalibration,
  withEstimates,
} from '@tap/calibration';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { bootService, jobOptionsOf, runJob } from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';
import { fairnessGauges } from './fairness-gauges.js';
import { createFairnessMetrics } from './metrics.js';
import { writeFairnessReport } from './report-file.js';
import { storedPrints } from './stored-prints.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env), { processMetrics: false });
const metrics = createFairnessMetrics(registry);

void runJob({
  ...jobOptionsOf(SERVICE, { config, log, registry }),
  async run(signal) {
    const toMs = Date.now();
    const walletEdges = judgeStoredWalletEdges(
      config.DATA_DIR,
      { betsMin: config.EDGE_BETS_MIN, zMin: config.EDGE_Z_MIN, hours: config.EDGE_HOURS },
      toMs,
    );
    // The largest 100 (the report file lists every one): a flood of flags must not flood the journal.
    for (const edge of walletEdges.flagged.slice(0, 100)) {
      log.warn({ wallet: edge.userId, edge, verdict: describeWalletEdge(edge) }, 'wallet.edge_flagged');
    }
    const warmupMs = config.WARMUP_MIN * 60_000;
    const fromMs = toMs - config.HOURS * 3_600_000 - warmupMs;
    const prints = withEstimates(storedPrints(config.DATA_DIR, { fromMs, toMs }));
    log.info({ prints: prints.length, fromMs, toMs }, 'prints.read');
    signal.throwIfAborted();
    const run = runCalibration(prints, {
      decisionEveryMs: config.DECISION_EVERY_MS,
      bandsEachSide: config.BANDS_EACH_SIDE,
      warmupMs,
    });
    const report = buildReport(run, DEFAULT_PRICING_CONFIG.houseEdge);
    if (report.decisions < config.DECISIONS_MIN) {
      throw new Error(
        `only ${report.decisions} cell-decisions over ${report.hoursOfPrints.toFixed(2)} h of prints (DECISIONS_MIN ${config.DECISIONS_MIN}): too little to judge`,
      );
    }
    const reportPath = config.REPORT_FILE ?? join(config.DATA_DIR, 'fairness-report.json');
    await writeFairnessReport(reportPath, {
      fromMs,
      toMs,
      prints: prints.length,
      config,
      report,
      walletEdges,
    });
    const gauges = fairnessGauges(report);
    metrics.record(gauges);
    metrics.recordWalletEdges(walletEdges, config.EDGE_WALLETS_SHOWN);
    log[gauges.passed ? 'info' : 'warn'](
      {
        reportPath,
        passed: report.checks.pass,
        checks: report.checks,
        edgeGapByBand: Object.fromEntries(gauges.edgeGapByBand),
        wallets: { judged: walletEdges.judged, flagged: walletEdges.flagged.length, zMax: walletEdges.zMax },
      },
      'fairness.report',
    );
  },
});
