/** integrity-cron configuration, read once from the environment by main.ts. */
import { s3Env, s3EnvProblems } from '@tap/archive';
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';

export const SERVICE = 'integrity-cron';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics while a run is in progress; 0 disables. Default 9106. */
  OPS_PORT: env.port(9106),
  /** Data directory holding `segments/`. Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** The batcher's append-only ledger anchors (JSON lines). Default <DATA_DIR>/ledger-anchors.jsonl. */
  ANCHORS_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** The JSON report of every run (report/report.ts). Default <DATA_DIR>/integrity-report.json. */
  REPORT_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** Redis-vs-SQLite: ms between two reads of a key that differed (see checks/cache-check.ts). Default 1000. */
  CACHE_SETTLE_MS: env.intBetween(10, 60_000, 1_000),
  /** Redis-vs-SQLite: reads at most before a moving difference is reported as unsettled. Default 6. */
  CACHE_ROUNDS_MAX: env.intBetween(2, 100, 6),
  /** Redis-vs-SQLite: consecutive reads with the same difference that make it a drift. Default 3. */
  CACHE_STABLE_ROUNDS: env.intBetween(2, 100, 3),
  /**
   * Check the ledger heads in the S3 archive manifest (the archiver's S3_* variables below) against
   * the local segments. Default true: only a stack without an archive bucket turns it off.
   */
  ARCHIVE_ANCHORS_CHECK: env.bool(true),
  ...s3Env,
  /** node-exporter textfile directory for the job's metrics (an empty value means the default). */
  TEXTFILE_DIR: z.string().default('/var/lib/node_exporter/textfile_collector'),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  const parsed = parseEnv(shape, vars);
  const problems = [...(parsed.ok ? [] : parsed.problems), ...s3EnvProblems(vars)];
  return parsed.ok && problems.length === 0 ? parsed : { ok: false as const, problems };
}
