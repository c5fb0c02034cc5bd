/**
 * integrity-cron (daily timer job, never modifies data): verifies every local segment (quick_check,
 * ledger hash chain, balance == SUM(ledger) per user, per-user chains), the link between
 * consecutive segments (SPEC §8), the anchored ledger heads, every bet against its ledger rows, and
 * Redis' balance cache, open-bet counts and exposure keys against SQLite (run-checks.ts). Writes
 * the JSON report (REPORT_FILE, report/report.ts) and logs a one-line summary; exit 0 only when
 * every check ran and passed, 1 naming each broken rule otherwise — a check that could not run
 * (Redis down, DATA_DIR missing or empty) fails the run. Metrics go to the node-exporter textfile.
 */
import { join } from 'node:path';
import { createChannels } from '@tap/channels';
import { bootService, closeRedis, createRedis, Gauge, jobOptionsOf, runJob } from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';
import { buildReport, writeReport } from './report/report.js';
import { runChecks } from './run-checks.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env), { processMetrics: false });
const lastSuccess = new Gauge({
  name: 'tap_integrity_cron_last_success_timestamp_seconds',
  help: 'Unix time (s) of the last integrity run that found nothing wrong',
  registers: [registry],
});
const segmentsChecked = new Gauge({
  name: 'tap_integrity_cron_segments_checked',
  help: 'Segments checked by the last run',
  registers: [registry],
});
const checkProblems = new Gauge({
  name: 'tap_integrity_cron_check_problems',
  help: 'Problems found by each check of the last run (a check that could not run counts its reason)',
  labelNames: ['check', 'status'],
  registers: [registry],
});

void runJob({
  ...jobOptionsOf(SERVICE, { config, log, registry }),
  async run(signal) {
    const startedAtMs = Date.now();
    const redis = createRedis(config, log, SERVICE);
    const channels = createChannels(config.TAP_KEY_PREFIX);
    try {
      const checks = await runChecks({ config, redis, channels, log, signal });
      const report = buildReport(checks, { startedAtMs, finishedAtMs: Date.now(), dataDir: config.DATA_DIR });
      const reportPath = config.REPORT_FILE ?? join(config.DATA_DIR, 'integrity-report.json');
      await writeReport(reportPath, report);
      segmentsChecked.set(checks.filter((c) => c.check === 'segment').length);
      for (const c of checks) checkProblems.inc({ check: c.check, status: c.status }, c.problems.length);
      log[report.ok ? 'info' : 'error'](
        { reportPath, ok: report.ok, summary: report.summary },
        'integrity.report',
      );
      if (!report.ok) {
        const named = checks.flatMap((c) =>
          c.problems.map((p) => `${c.check}${c.scope ? ` ${c.scope}` : ''}: ${p}`),
        );
        throw new Error(`integrity problems: ${named.join('; ')}`);
      }
      lastSuccess.setToCurrentTime();
    } finally {
      await closeRedis(redis);
    }
  },
});
