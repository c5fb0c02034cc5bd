/**
 * archive-throughput: the archiver's two jobs on a large segment (issue 17) — the weekly `archive`
 * (proof with integrity_check, zstd, multipart upload, read-back) and the hourly `backup`
 * (VACUUM INTO snapshot, proof, zstd, upload, read-back) — each run by the built archiver against a
 * real s3rver on this machine. Reports MB/s in (segment bytes per second of the whole run) and out
 * (compressed bytes uploaded per second), the compression ratio and the job's peak RSS (VmHWM),
 * which must stay far below the segment size: nothing holds a whole segment in memory.
 *
 * The batcher's apply rate while a backup runs (the ≤ 10 % slowdown target) is `backup-apply`.
 *
 * The file reads as the experiment: `planOf` (the segment's size), `measure` (build the segment, run
 * both jobs against s3rver, read their metrics and peak RSS) and `report` (pure: the table, the RSS
 * check and the headline).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoWeekOf, META_KEYS, segmentPath, segmentsDir, writeMeta } from '@tap/domain';
import { readProcMemory, startDaemon, startS3, type TestS3, writeSegmentFile } from '@tap/testkit/standalone';
import Database from 'better-sqlite3';
import {
  emptyOutcome,
  fail,
  type ResultTable,
  type Scenario,
  type ScenarioContext,
  type ScenarioOptions,
  type ScenarioOutcome,
} from '../src/scenario.js';

const MB = 1_048_576;
/** Bets (each with its ledger row and index entries) per MB of segment, measured on this schema (1,700 built 857 MB for 1 GB). */
const BETS_PER_MB = 2_050;
const JOBS = ['archive', 'backup'] as const;
export type JobMode = (typeof JOBS)[number];

export interface Plan {
  /** The segment's intended size; the built one is close to it. */
  targetMb: number;
}

/** One archiver job as run: its exit code, wall time, peak RSS and the bytes its metrics report. */
export interface Job {
  mode: JobMode;
  code: number | null;
  seconds: number;
  peakRssBytes: number;
  plainBytes: number;
  compressedBytes: number;
}

export interface Measured {
  segmentBytes: number;
  jobs: Job[];
}

export const archiveThroughput: Scenario = {
  name: 'archive-throughput',
  title: 'Archive and backup throughput on a large segment',
  description:
    'A ~1 GB segment (64 MB with --quick) of real rows (users, bets, hash-chained ledger) is archived and then backed up ' +
    'by the built archiver against a local s3rver: MB/s in and out, compression ratio, peak RSS of the job.',
  async run(ctx) {
    return report(await measure(ctx, planOf(ctx.options)));
  },
};

export function planOf(options: ScenarioOptions): Plan {
  return { targetMb: options.quick ? 64 : 1_024 };
}

/** Builds a closed segment (archive's input) and a hot copy (backup's), runs each job once. */
async function measure(ctx: ScenarioContext, plan: Plan): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), 'tap-bench-archive-'));
  const s3 = await startS3({ bucket: 'tap-archive' });
  try {
    const archiveDir = join(work, 'archive');
    mkdirSync(segmentsDir(archiveDir), { recursive: true });
    const source = segmentPath(archiveDir, '2020-W01');
    const builtAt = Date.now();
    const users = Math.max(1, Math.round((plan.targetMb * BETS_PER_MB) / 100));
    writeSegmentFile(source, { users, betsPerUser: 100, state: 'closed' });
    const segmentBytes = statSync(source).size;
    ctx.log(
      `segment of ${(segmentBytes / MB).toFixed(0)} MB built in ${((Date.now() - builtAt) / 1000).toFixed(0)} s`,
    );

    const backupDir = join(work, 'backup');
    mkdirSync(segmentsDir(backupDir), { recursive: true });
    const hot = segmentPath(backupDir, isoWeekOf(Date.now()));
    copyFileSync(source, hot);
    const db = new Database(hot);
    writeMeta(db, { [META_KEYS.state]: 'open' });
    db.close();
    mkdirSync(join(work, 'redis'));
    writeFileSync(join(work, 'redis', 'dump.rdb'), 'REDIS0011');

    const jobs: Job[] = [];
    for (const [mode, dataDir] of [
      ['archive', archiveDir],
      ['backup', backupDir],
    ] as const) {
      jobs.push(await runJob(mode, jobEnv(work, s3, dataDir)));
    }
    return { segmentBytes, jobs };
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The table, the RSS check and the headline from the jobs (pure). */
export function report(m: Measured): ScenarioOutcome {
  const outcome = emptyOutcome();
  const rows: ResultTable['rows'] = [];
  for (const run of m.jobs) {
    const { mode } = run;
    if (run.code !== 0) {
      fail(outcome, `${mode} exited ${run.code}`);
      continue;
    }
    const plain = run.plainBytes;
    const compressed = run.compressedBytes;
    rows.push([
      mode,
      round(plain / MB),
      round(compressed / MB),
      round(plain / compressed, 2),
      round(run.seconds, 1),
      round(plain / MB / run.seconds),
      round(compressed / MB / run.seconds),
      round(run.peakRssBytes / MB),
    ]);
    outcome.headline[`${mode}MBps`] = round(plain / MB / run.seconds);
    outcome.headline[`${mode}PeakRssMB`] = round(run.peakRssBytes / MB);
    outcome.headline[`${mode}Ratio`] = round(plain / compressed, 2);
    // Nothing may hold a whole segment in memory: the bound grows with the segment only past 600 MB.
    if (run.peakRssBytes > Math.max(300 * MB, m.segmentBytes / 2)) {
      fail(
        outcome,
        `${mode}: peak RSS ${round(run.peakRssBytes / MB)} MB for a ${round(m.segmentBytes / MB)} MB segment`,
      );
    }
  }
  outcome.tables.push({
    title: 'Archive and backup of one segment (built archiver, local s3rver)',
    columns: ['job', 'segment MB', 'zstd MB', 'ratio', 'wall s', 'MB/s in', 'MB/s out', 'peak RSS MB'],
    rows,
    notes: [
      'MB/s over the whole run: proof (integrity_check for archive, VACUUM INTO + quick_check for backup), zstd (level 9 for archive; level 3 for backup, paced at BACKUP_RATE_MB_S), upload and full read-back.',
      'The S3 server runs on the same two cores; against AWS S3 the upload and read-back are bounded by the network instead.',
    ],
  });
  outcome.notes.push(
    'The batcher apply rate while a backup runs (target: at most 10 % slower) is the backup-apply scenario.',
  );
  return outcome;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/** The archiver's environment for one job on `dataDir` (its own textfile directory). */
function jobEnv(work: string, s3: TestS3, dataDir: string): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    OPS_PORT: '0',
    REDIS_DATA_DIR: join(work, 'redis'),
    DATA_DIR: dataDir,
    TEXTFILE_DIR: mkdtempSync(join(work, 'tf-')),
  };
}

/** Runs one archiver job, sampling its peak RSS (VmHWM) until it exits; its byte counts from its textfile metrics. */
async function runJob(mode: JobMode, env: Record<string, string>): Promise<Job> {
  const startedAt = Date.now();
  const job = startDaemon('archiver', env, [mode]);
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    // null once the job has exited between two samples: its last reading stands.
    peakRssBytes = Math.max(peakRssBytes, readProcMemory(job.pid)?.peakRssBytes ?? 0);
  }, 50);
  const { code } = await job.exited;
  clearInterval(sampler);
  const seconds = (Date.now() - startedAt) / 1000;
  const textfile = code === 0 ? readFileSync(join(env.TEXTFILE_DIR!, `archiver-${mode}.prom`), 'utf8') : '';
  const metric = (name: string) =>
    Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(textfile)?.[1] ?? Number.NaN);
  return {
    mode,
    code,
    seconds,
    peakRssBytes,
    plainBytes: metric(`tap_archiver_${mode}_plain_bytes`),
    compressedBytes: metric(`tap_archiver_${mode}_compressed_bytes`),
  };
}
