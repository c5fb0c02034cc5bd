/** archiver configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';

export const SERVICE = 'archiver';

/** What one run does: `archive` (weekly timer) or `backup` (hourly timer); argv[2], default archive. */
export const MODES = ['archive', 'backup'] as const;
export type Mode = (typeof MODES)[number];

const shape = {
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  OPS_HOST: commonEnv.OPS_HOST,
  /** Port of /healthz and /metrics while a run is in progress; 0 disables. Default 9105. */
  OPS_PORT: env.port(9105),
  /** Data directory holding `segments/`. Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** S3 endpoint URL; unset means AWS's regional endpoint. */
  S3_ENDPOINT: z.string().url().optional(),
  /** Bucket for segments/ and backups/ (a valid DNS name). Default tap-archive. */
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('tap-archive'),
  /** S3 region. Default us-east-1. */
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Static credentials; unset means the SDK's default chain (instance role, env, files). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
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
  if (Boolean(vars.S3_ACCESS_KEY_ID) !== Boolean(vars.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (!parsed.ok || problems.length > 0) return { ok: false as const, problems };
  return { ok: true as const, config: { ...parsed.config, MODE: mode as Mode } };
}
