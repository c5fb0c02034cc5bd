/** archiver configuration, read once from the environment by main.ts. */
import { s3Env, s3EnvProblems } from '@tap/archive';
import { type ConfigOf, commonEnv, type Env, env, parseEnv, redisAuthEnv } from '@tap/runtime';
import { z } from 'zod';

export const SERVICE = 'archiver';

/**
 * What the process does (argv[2], default archive): `archive` (weekly timer) or `backup` (hourly
 * timer), each one run; `restores`, the long-running restore worker of historical queries.
 */
export const MODES = ['archive', 'backup', 'restores'] as const;
export type Mode = (typeof MODES)[number];

const shape = {
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  OPS_HOST: commonEnv.OPS_HOST,
  /** Port of /healthz and /metrics while a run is in progress; 0 disables. Default 9105. */
  OPS_PORT: env.port(9105),
  /** Data directory holding `segments/` (and the archiver's `staging/` and manifest copy). Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** The batcher's append-only ledger anchors, copied into the manifest. Default <DATA_DIR>/ledger-anchors.jsonl. */
  ANCHORS_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  // The archive bucket: the same variables and rules as tapctl restore (@tap/archive s3Env).
  S3_ENDPOINT: s3Env.S3_ENDPOINT,
  S3_BUCKET: s3Env.S3_BUCKET,
  S3_REGION: s3Env.S3_REGION,
  S3_ACCESS_KEY_ID: s3Env.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: s3Env.S3_SECRET_ACCESS_KEY,
  S3_RETRY_ATTEMPTS: s3Env.S3_RETRY_ATTEMPTS,
  S3_RETRY_BASE_MS: s3Env.S3_RETRY_BASE_MS,
  S3_REQUEST_TIMEOUT_MS: s3Env.S3_REQUEST_TIMEOUT_MS,
  /** Newest backups kept per segment (hourly). Default 48. */
  BACKUP_KEEP_HOURLY: env.intBetween(1, 10_000, 48),
  /** Days back for which the newest backup of each UTC day is kept too. Default 14. */
  BACKUP_KEEP_DAILY: env.intBetween(0, 3_650, 14),
  /**
   * The hourly backup compresses and hashes at most this many MB (10^6 bytes) of segment per second,
   * so it slows the batcher less (`bench run backup-apply`: a backup must cost bet application
   * < 10 %). 32 MB/s backs up a 1 GB segment in ~35 s. 0 = unpaced. Default 32.
   */
  BACKUP_RATE_MB_S: env.intBetween(0, 10_000, 32),
  /** Redis' `dir` (dump.rdb, appendonlydir/): its newest RDB and AOF are backed up with each segment backup. Default /var/lib/redis. */
  REDIS_DATA_DIR: env.path('/var/lib/redis'),
  // restores mode only: the request stream and job records live in Redis.
  REDIS_URL: commonEnv.REDIS_URL,
  // Its Redis ACL user `archiver` (infra/redis-users.acl.in): the restore requests and jobs only.
  ...redisAuthEnv(),
  TAP_KEY_PREFIX: commonEnv.TAP_KEY_PREFIX,
  /** Bytes the cache of restored segments (`DATA_DIR/restored/`) may hold; least recently used evicted. Default 16 GiB. */
  RESTORE_CACHE_BYTES_MAX: env.intBetween(1_048_576, Number.MAX_SAFE_INTEGER, 16 * 1_073_741_824),
  /** node-exporter textfile directory for the job's metrics; empty disables. */
  TEXTFILE_DIR: z.string().default('/var/lib/node_exporter/textfile_collector'),
};

export type Config = ConfigOf<typeof shape> & { MODE: Mode };

export function loadConfig(vars: Env, argv: readonly string[]) {
  const mode = argv[0] ?? 'archive';
  const parsed = parseEnv(shape, vars);
  const problems = parsed.ok ? [] : [...parsed.problems];
  if (!MODES.includes(mode as Mode))
    problems.push(`argv[2]: must be one of ${MODES.join(', ')} (got "${mode}")`);
  problems.push(...s3EnvProblems(vars));
  if (!parsed.ok || problems.length > 0) return { ok: false as const, problems };
  return { ok: true as const, config: { ...parsed.config, MODE: mode as Mode } };
}
