/**
 * integrity-cron (daily timer job): verifies every local segment (quick_check, ledger hash chain,
 * balance == SUM(ledger) per user, per-user chains), the link between each pair of consecutive
 * segments (opening = closing, the hash chain across them; SPEC §8), and that Redis answers. Exit
 * status 0 when everything holds, 1 with each broken rule logged otherwise — also when DATA_DIR is
 * missing or unreadable (the error names the path) or holds no segment: a run that checked nothing
 * is not a success. `tap_integrity_cron_last_success_timestamp_seconds` goes to the node-exporter
 * textfile. Redis-vs-SQLite checks land with the integrity issue.
 */
import { join } from 'node:path';
import { listSegments } from '@tap/domain';
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
import { checkAnchors } from './checks/anchor-check.js';
import { checkLinks, checkSegment } from './checks/segment-check.js';
import { loadConfig, SERVICE } from './config.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE, { processMetrics: false });
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

void runJob({
  service: SERVICE,
  log,
  registry,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  textfileDir: config.TEXTFILE_DIR,
  async run(signal) {
    const redis = createRedis(config, log, SERVICE);
    try {
      await abortable(redis.ping(), signal);
      // Throws data_dir_missing / data_dir_unreadable naming the path: the run fails.
      const files = listSegments(config.DATA_DIR);
      if (files.length === 0) throw new Error(`no segments under ${config.DATA_DIR}: nothing to verify`);
      const problems: string[] = [];
      const reports = [];
      for (const file of files) {
        signal.throwIfAborted();
        const report = checkSegment(file.path);
        reports.push(report);
        log.info(
          { segment: file.name, ledgerRows: report.ledgerRows, problems: report.problems },
          'segment.checked',
        );
        problems.push(...report.problems.map((p) => `${file.name}: ${p}`));
      }
      const links = checkLinks(files);
      log.info({ links: files.length - 1, problems: links }, 'segment_links.checked');
      problems.push(...links);
      const ledgerRowsTotal = reports.reduce((sum, report) => sum + report.ledgerRows, 0);
      const anchorsPath = config.ANCHORS_FILE ?? join(config.DATA_DIR, 'ledger-anchors.jsonl');
      const anchored = checkAnchors(config.DATA_DIR, anchorsPath, ledgerRowsTotal);
      log.info({ ...anchored, problems: anchored.problems.length }, 'anchors.checked');
      problems.push(...anchored.problems);
      segmentsChecked.set(files.length);
      if (problems.length > 0) throw new Error(`integrity problems: ${problems.join('; ')}`);
      lastSuccess.setToCurrentTime();
    } finally {
      await closeRedis(redis);
    }
  },
});
