/**
 * The run's machine-readable report (issue 18), written atomically (temp file + rename) to
 * REPORT_FILE at the end of every run, passed or failed, so the newest file always describes the
 * newest run. Shape (version 1):
 *
 * ```json
 * { "version": 1, "service": "integrity-cron", "ok": false,
 *   "startedAt": "2026-12-07T03:30:00.012Z", "finishedAt": "…", "dataDir": "/var/lib/tap",
 *   "summary": "FAILED: 1 of 9 checks failed, 0 not run, 1 problem",
 *   "checks": [
 *     { "check": "segment", "scope": "2026-W49", "status": "ok", "problems": [], "facts": { "ledgerRows": 812 } },
 *     { "check": "redis_cache", "status": "failed", "problems": ["tap:wallet:0xab…#balance: Redis is +5 off …"], "facts": { … } },
 *     { "check": "archive_anchors", "status": "not_run", "problems": ["S3 is not configured"], "facts": {} } ] }
 * ```
 *
 * `status`: `ok` (ran, found nothing), `failed` (ran, every problem named), `not_run` (could not
 * run; its problems say why). `ok` is true only when every check is `ok`: a check that could not
 * run never lets the report pass.
 */
import { rename, writeFile } from 'node:fs/promises';

export const CHECK_STATUSES = ['ok', 'failed', 'not_run'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  check: string;
  scope?: string;
  status: CheckStatus;
  problems: string[];
  facts: Record<string, number | string>;
}

export interface IntegrityReport {
  version: 1;
  service: 'integrity-cron';
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  dataDir: string;
  summary: string;
  checks: CheckResult[];
}

/** A check's outcome from its problems (`failed` when any), or `not_run` from the error that stopped it. */
export async function runCheck(
  check: string,
  body: () =>
    | Promise<{ problems: string[]; facts?: Record<string, number | string> }>
    | { problems: string[]; facts?: Record<string, number | string> },
  scope?: string,
): Promise<CheckResult> {
  const scoped = scope === undefined ? {} : { scope };
  try {
    const { problems, facts = {} } = await body();
    return { check, ...scoped, status: problems.length === 0 ? 'ok' : 'failed', problems, facts };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { check, ...scoped, status: 'not_run', problems: [message], facts: {} };
  }
}

export function buildReport(
  checks: CheckResult[],
  run: { startedAtMs: number; finishedAtMs: number; dataDir: string },
): IntegrityReport {
  const failed = checks.filter((c) => c.status === 'failed').length;
  const notRun = checks.filter((c) => c.status === 'not_run').length;
  const problems = checks.reduce((sum, c) => sum + c.problems.length, 0);
  const ok = checks.length > 0 && failed === 0 && notRun === 0;
  const summary = ok
    ? `OK: ${checks.length} checks passed`
    : `FAILED: ${failed} of ${checks.length} checks failed, ${notRun} not run, ${problems} problem(s)`;
  return {
    version: 1,
    service: 'integrity-cron',
    ok,
    startedAt: new Date(run.startedAtMs).toISOString(),
    finishedAt: new Date(run.finishedAtMs).toISOString(),
    dataDir: run.dataDir,
    summary,
    checks,
  };
}

export async function writeReport(path: string, report: IntegrityReport): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o640 });
  await rename(temp, path);
}
