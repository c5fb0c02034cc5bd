/**
 * Runs the built integrity-cron once against a data directory and a Redis prefix, as its systemd
 * timer does, and returns its exit code and JSON report: the one way the integrity-cron tests and
 * the benchmark audit ask "does the data verify" (segments, links, anchors, bets against the
 * ledger, Redis' cache against SQLite) instead of a second copy of those checks.
 * No archive bucket here: ARCHIVE_ANCHORS_CHECK is off unless `env` turns it on.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';

/** The part of integrity-cron's report (its report/report.ts) a caller reads. */
export interface IntegrityCronReport {
  ok: boolean;
  summary: string;
  checks: { check: string; scope?: string; status: 'ok' | 'failed' | 'not_run'; problems: string[] }[];
}

export interface IntegrityCronRun<R extends IntegrityCronReport = IntegrityCronReport> {
  code: number | null;
  report: R;
  output: string;
}

export async function runIntegrityCron<R extends IntegrityCronReport = IntegrityCronReport>(
  target: { redisUrl: string; prefix: string; dataDir: string },
  env: Record<string, string> = {},
): Promise<IntegrityCronRun<R>> {
  const outDir = mkdtempSync(join(tmpdir(), 'tap-integrity-out-'));
  try {
    const reportFile = join(outDir, 'report.json');
    const job = startDaemon('integrity-cron', {
      REDIS_URL: target.redisUrl,
      TAP_KEY_PREFIX: target.prefix,
      DATA_DIR: target.dataDir,
      OPS_PORT: '0',
      TEXTFILE_DIR: outDir,
      REPORT_FILE: reportFile,
      CACHE_SETTLE_MS: '200',
      ARCHIVE_ANCHORS_CHECK: '0',
      ...env,
    });
    const { code } = await job.exited;
    const output = [...job.lines, ...job.stderr].join('\n');
    if (!existsSync(reportFile))
      throw new Error(`integrity-cron exited ${code} without a report:\n${output}`);
    return { code, report: JSON.parse(readFileSync(reportFile, 'utf8')) as R, output };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Every problem of a report, named by its check (and scope), as integrity-cron logs them. */
export function integrityProblems(report: IntegrityCronReport): string[] {
  return report.checks.flatMap((c) =>
    c.problems.map(
      (p) => `${c.check}${c.scope ? ` ${c.scope}` : ''}${c.status === 'not_run' ? ' (not run)' : ''}: ${p}`,
    ),
  );
}
