/**
 * archiver (timer job): `archive` weekly ships closed segments to S3 (integrity check, zstd,
 * multipart upload, read-back verification, manifest, then local clean-up); `backup` hourly ships
 * an online backup of the hot segment (SPEC §8). Its health is its exit status plus the
 * `last_successful_<mode>_timestamp` gauge in the node-exporter textfile.
 *
 * Today a run checks the bucket and the data directory. The archive and backup pipelines land with
 * the storage-lifecycle issue; until then a run with closed segments waiting FAILS rather than
 * report a success the dead man's switch would trust.
 */
import { createLogger, createMetricsRegistry, exitOnBadConfig, Gauge, runJob } from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';
import { checkBucket, createS3 } from './s3/client.js';
import { closedSegments } from './segments.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env, process.argv.slice(2)));
const log = createLogger(SERVICE, config.LOG_LEVEL).child({ mode: config.MODE });
const registry = createMetricsRegistry(SERVICE, { processMetrics: false });
const lastSuccess = new Gauge({
  name: `last_successful_${config.MODE}_timestamp`,
  help: `Unix time (s) of the last ${config.MODE} run that completed`,
  registers: [registry],
});

void runJob({
  service: SERVICE,
  textfileName: `${SERVICE}-${config.MODE}`,
  log,
  registry,
  ops: { host: config.OPS_HOST, port: config.OPS_PORT },
  textfileDir: config.TEXTFILE_DIR,
  async run(signal) {
    const s3 = createS3(config);
    try {
      await checkBucket(s3, config.S3_BUCKET, signal);
      log.info({ bucket: config.S3_BUCKET }, 's3.bucket_ok');
      const waiting = config.MODE === 'archive' ? await closedSegments(config.DATA_DIR, Date.now()) : [];
      if (waiting.length > 0) {
        throw new Error(
          `${waiting.length} closed segment(s) wait for the archive pipeline: ${waiting.join(', ')}`,
        );
      }
      lastSuccess.setToCurrentTime();
    } finally {
      s3.destroy();
    }
  },
});
