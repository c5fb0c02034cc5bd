/**
 * What backup-apply measures with: a hot segment padded to a realistic size with past index prints,
 * and the built archiver's `backup` job run back to back (at a given priority) against an s3rver,
 * with how much of a time window the jobs covered.
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listSegments } from '@tap/domain';
import { serviceEntry, startProcess, type TestS3 } from '@tap/testkit/standalone';
import Database from 'better-sqlite3';

const MB = 1_048_576;

/** Adds past index prints to the (stopped) batcher's hot segment until it holds `mb` MB. */
export function padSegment(dataDir: string, mb: number): number {
  const hot = listSegments(dataDir).at(-1);
  if (!hot) throw new Error(`no segment in ${dataDir}`);
  const db = new Database(hot.path);
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO index_prints (id, t, price_cents, venues, sigma) VALUES (?, ?, ?, 3, 0.0001)',
  );
  const startT = Date.now() - 7 * 86_400_000;
  let id = 1;
  while (statSync(hot.path).size + walBytes(hot.path) < mb * MB) {
    db.transaction(() => {
      for (let i = 0; i < 100_000; i += 1, id += 1) insert.run(id, startT + id * 100, 9_500_000 + (id % 997));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  db.close();
  return Math.round(statSync(hot.path).size / MB);
}

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/** Runs the archiver's backup job back to back until stopped; returns how much of `window` it covered. */
export function backupLoop(
  dataDir: string,
  work: string,
  s3: TestS3,
  t0: number,
  priority: readonly string[],
) {
  const redisDir = join(work, 'redis');
  mkdirSync(redisDir);
  writeFileSync(join(redisDir, 'dump.rdb'), 'REDIS0011');
  const intervals: [number, number][] = [];
  let stopping = false;
  let runs = 0;
  let failures = 0;
  const loop = (async () => {
    while (!stopping) {
      const startedAt = performance.now();
      const env = {
        PATH: process.env.PATH ?? '',
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        OPS_PORT: '0',
        DATA_DIR: dataDir,
        REDIS_DATA_DIR: redisDir,
        TEXTFILE_DIR: mkdtempSync(join(work, 'tf-')),
      };
      const [command, ...args] = [...priority, process.execPath, serviceEntry('archiver'), 'backup'];
      const job = startProcess(command!, args, { env });
      const { code } = await job.exited;
      intervals.push([startedAt - t0, performance.now() - t0]);
      runs += 1;
      if (code !== 0) failures += 1;
    }
  })();
  return {
    async stop(window: [number, number]) {
      stopping = true;
      await loop;
      const covered = intervals.reduce(
        (sum, [a, b]) => sum + Math.max(0, Math.min(b, window[1]) - Math.max(a, window[0])),
        0,
      );
      return { runs, failures, coveredPct: Math.round((covered / Math.max(1, window[1] - window[0])) * 100) };
    },
  };
}
