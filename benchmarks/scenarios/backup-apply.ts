/**
 * backup-apply: does the hourly backup slow the batcher (issue 17: by at most 10 %)? The batcher
 * applies a pre-filled tap:bets (as in batcher-apply) on a hot segment padded to a realistic size
 * with index prints (a week of prints at 10/s is ~6 million rows: most of a late-week segment),
 * once alone and while the built archiver's `backup` job runs back to back against a local s3rver
 * (VACUUM INTO snapshot, quick_check proof, zstd, upload, read-back) — at its unit's priority and at
 * the batcher's own — the three alternating over 3 rounds in the same run, each on a fresh stack, so a slow period of this shared host lands
 * on both. Reports each run's apply rate, how much of the apply window a backup covered, and the
 * ratio of the medians; it fails only when a run's audit fails (the ratio is a measurement).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSegments } from '@tap/domain';
import { serviceEntry, startProcess, startS3 } from '@tap/testkit/standalone';
import Database from 'better-sqlite3';
import type { AuditReport } from '../src/audit/audit.js';
import { auditRun, waitForBatcherDrain } from '../src/audit/collect.js';
import { prefillBets, timeApply } from '../src/load/prefilled-bets.js';
import { fundWallets } from '../src/load/wallets.js';
import { cpuSpeedCheck } from '../src/report/machine.js';
import { auditTable } from '../src/report/tables.js';
import { emptyOutcome, fail, type Scenario } from '../src/scenario.js';
import { syntheticSessions } from '../src/server-search.js';
import { startStack } from '../src/stack/stack.js';
import { medianBy } from '../src/stats/median.js';

const USERS = 1_000;
const ROUNDS = 3;
const MB = 1_048_576;

/**
 * `backup` runs the job as tap-backup.service does (Nice=10, IOSchedulingClass=best-effort,
 * IOSchedulingPriority=7: `nice -n 10 ionice -c 2 -n 7`); `backup-unniced` at the batcher's own
 * priority, to show what the unit's priority buys.
 */
type Mode = 'alone' | 'backup' | 'backup-unniced';
const MODES: readonly Mode[] = ['alone', 'backup', 'backup-unniced'];
const UNIT_PRIORITY = ['nice', '-n', '10', 'ionice', '-c', '2', '-n', '7'];

interface Run {
  round: number;
  mode: Mode;
  speedBefore: number;
  segmentMb: number;
  betsPerS: number;
  applyMs: number;
  /** Share of the apply window during which a backup job was running. */
  coveredPct: number;
  backups: number;
  backupFailures: number;
  audit: AuditReport;
}

export const backupApply: Scenario = {
  name: 'backup-apply',
  title: 'Batcher apply rate while the hourly backup runs',
  description:
    'The real batcher applies a pre-filled tap:bets on a hot segment padded with index prints, alone and while the built ' +
    "archiver's backup job runs back to back against a local s3rver, at its systemd unit's priority (nice 10, ionice 7) " +
    `and at the batcher's own; ${ROUNDS} rounds alternating the three, each on a fresh stack.`,
  async run(ctx) {
    const outcome = emptyOutcome();
    const bets = ctx.options.quick ? 40_000 : 120_000;
    const padMb = ctx.options.quick ? 48 : 300;
    const s3 = await startS3({ bucket: 'tap-archive' });
    const runs: Run[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const mode of MODES) {
          ctx.log(`round ${round}/${ROUNDS}, ${mode}: ${bets} bets on a ${padMb} MB segment`);
          runs.push({ round, mode, ...(await applyOnce(ctx.outDir, { bets, padMb, mode, s3 })) });
        }
      }
    } finally {
      await s3.stop();
    }
    const alone = medianBy(
      runs.filter((r) => r.mode === 'alone'),
      (r) => r.betsPerS,
    );
    const withBackup = medianBy(
      runs.filter((r) => r.mode === 'backup'),
      (r) => r.betsPerS,
    );
    const unniced = medianBy(
      runs.filter((r) => r.mode === 'backup-unniced'),
      (r) => r.betsPerS,
    );
    const ratio = Number((withBackup.betsPerS / alone.betsPerS).toFixed(3));
    const unnicedRatio = Number((unniced.betsPerS / alone.betsPerS).toFixed(3));
    outcome.tables.push(
      {
        title: 'Batcher apply rate alone and during a backup (same run, alternating)',
        columns: [
          'run',
          'backup',
          'segment MB',
          'bets applied/s',
          'apply ms',
          'backup covered %',
          'vs alone, same round',
          'backups (failed)',
          'speed check before (SHA-256/s)',
        ],
        rows: runs.map((r) => [
          `#${r.round}${r === alone || r === withBackup || r === unniced ? ' (median)' : ''}`,
          r.mode === 'alone'
            ? '—'
            : r.mode === 'backup'
              ? 'as its unit (nice 10, ionice 7)'
              : 'same priority',
          r.segmentMb,
          r.betsPerS,
          r.applyMs,
          r.mode === 'alone' ? '—' : r.coveredPct,
          r.mode === 'alone' ? '—' : pairedRatio(runs, r),
          r.mode === 'alone' ? '—' : `${r.backups} (${r.backupFailures})`,
          r.speedBefore,
        ]),
        notes: [
          `Median with a backup run as its unit runs it / median alone = ${ratio} (target ≥ 0.90: a backup slows bet ` +
            `application by at most 10 %); at the batcher's own priority: ${unnicedRatio}.`,
          'Both daemons and s3rver share the two cores; the backup job is zstd level 3 (archives use 9) and its snapshot is ' +
            'VACUUM INTO in one read transaction, so the batcher is never blocked by a lock, only by CPU and disk.',
          'The ratio is of medians of the same run; the host is shared and loaded, so compare it, not the absolute rates, ' +
            'between results.',
        ],
      },
      ...runs.map((r) => auditTable(`Audit (#${r.round}, ${r.mode})`, r.audit)),
    );
    for (const r of runs) if (!r.audit.ok) fail(outcome, `audit failed (#${r.round}, ${r.mode})`);
    if (runs.some((r) => r.mode !== 'alone' && r.backups === 0))
      fail(outcome, 'a backup run started no backup');
    outcome.headline = {
      apply_alone_bets_per_s: alone.betsPerS,
      apply_backup_bets_per_s: withBackup.betsPerS,
      apply_backup_ratio: ratio,
      apply_backup_unniced_ratio: unnicedRatio,
      apply_backup_ratio_met: ratio >= 0.9 ? 'yes' : 'no',
    };
    return outcome;
  },
};

/** A backup run's apply rate over the same round's run alone (the two ran minutes apart). */
function pairedRatio(runs: readonly Run[], run: Run): number | '—' {
  const alone = runs.find((r) => r.round === run.round && r.mode === 'alone');
  return alone ? Number((run.betsPerS / alone.betsPerS).toFixed(3)) : '—';
}

async function applyOnce(
  outDir: string,
  options: { bets: number; padMb: number; mode: Mode; s3: Awaited<ReturnType<typeof startS3>> },
): Promise<Omit<Run, 'round' | 'mode'>> {
  const stack = await startStack({ outDir, daemons: ['batcher'], market: 'none' });
  const work = mkdtempSync(join(tmpdir(), 'tap-bench-backup-'));
  try {
    const users = syntheticSessions(USERS).map((s) => s.userId);
    await fundWallets(stack.redis, stack.channels, users, 1_000_000_000);
    await stack.stopDaemon('batcher');
    const segmentMb = padSegment(stack.dataDir, options.padMb);
    const betIds = await prefillBets(stack, users, options.bets);
    const speedBefore = cpuSpeedCheck();
    const startedAt = performance.now();
    if (!(await stack.startDaemon('batcher'))) throw new Error('the batcher did not restart');
    const backups =
      options.mode === 'alone'
        ? undefined
        : backupLoop(
            stack.dataDir,
            work,
            options.s3,
            startedAt,
            options.mode === 'backup' ? UNIT_PRIORITY : [],
          );
    const timing = await timeApply(stack, options.bets, startedAt, 300_000);
    const loop = await backups?.stop(timing.window);
    await waitForBatcherDrain(stack.redis, stack.channels, 30_000);
    const report = await auditRun(stack, { ackedBetIds: betIds, userIds: users });
    return {
      speedBefore,
      segmentMb,
      betsPerS: timing.betsPerS,
      applyMs: timing.applyMs,
      coveredPct: loop?.coveredPct ?? 0,
      backups: loop?.runs ?? 0,
      backupFailures: loop?.failures ?? 0,
      audit: report,
    };
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Adds past index prints to the (stopped) batcher's hot segment until it holds `mb` MB. */
function padSegment(dataDir: string, mb: number): number {
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
function backupLoop(
  dataDir: string,
  work: string,
  s3: Awaited<ReturnType<typeof startS3>>,
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
