/**
 * integrity-cron (daily timer job): verifies every local segment (quick_check, ledger hash chain,
 * balance == SUM(ledger) per user) and that Redis answers. Exit status 0 when everything holds,
 * 1 with each broken rule logged otherwise; `tap_integrity_last_success_timestamp_seconds` goes to
 * the node-exporter textfile. Cross-segment and Redis-vs-SQLite checks land with the integrity issue.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  abortable,
  closeRedis,
  createLogger,
  createMetricsRegistry,
  createRedis,
  exitOnBadConfig,
  Gauge,
  runJob,
} from '@tap/runtime';
import { checkSegment } from './checks/segment-check.js';
import { loadConfig, SERVICE } from './config.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE, { processMetrics: false });
const lastSuccess = new Gauge({
  name: 'tap_integrity_last_success_timestamp_seconds',
  help: 'Unix time (s) of the last integrity run that found nothing wrong',
  registers: [registry],
});
const segmentsChecked = new Gauge({
  name: 'tap_integrity_segments_checked',
  help: 'Segments checked by the last run',
  registers: [registry],
});

void runJob({
  service: SERVICE,
  log,
  registry,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  textfileDir: config.TEXTFILE_DIR,
  async run(signal) {
    const redis = createRedis(config.REDIS_URL, log, SERVICE);
    try {
      await abortable(redis.ping(), signal);
      const dir = join(config.DATA_DIR, 'segments');
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.db')).sort();
      const problems: string[] = [];
      for (const file of files) {
        signal.throwIfAborted();
        const report = checkSegment(join(dir, file));
        log.info(
          { segment: file, ledgerRows: report.ledgerRows, problems: report.problems },
          'segment.checked',
        );
        problems.push(...report.problems.map((p) => `${file}: ${p}`));
      }
      segmentsChecked.set(files.length);
      if (problems.length > 0) throw new Error(`integrity problems: ${problems.join('; ')}`);
      lastSuccess.setToCurrentTime();
    } finally {
      await closeRedis(redis);
    }
  },
});
