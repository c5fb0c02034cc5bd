/** fairness-report configuration, read once from the environment by main.ts. */
import { type ConfigOf, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';

export const SERVICE = 'fairness-report';

const shape = {
  /** pino level. Default info. */
  LOG_LEVEL: env.logLevel(),
  /** Interface of the ops endpoint while a run is in progress. Default 127.0.0.1. */
  OPS_HOST: env.host(),
  /** Port of /healthz and /metrics while a run is in progress; 0 disables. Default 9109. */
  OPS_PORT: env.port(9109),
  /** Data directory holding `segments/` (read-only). Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** Hours of stored index prints the report covers, ending now. Default 24. */
  HOURS: env.intBetween(1, 168, 24),
  /** Minutes of prints before the covered hours that only warm σ and η up. Default 10. */
  WARMUP_MIN: env.intBetween(0, 120, 10),
  /** A quote of every cell near the index every this many ms of prints. Default 5000. */
  DECISION_EVERY_MS: env.intBetween(100, 600_000, 5_000),
  /** Bands quoted each side of the index at every decision. Default 4. */
  BANDS_EACH_SIDE: env.intBetween(1, 50, 4),
  /** Fewer cell-decisions than this is too little data to judge: the run fails. Default 20000. */
  DECISIONS_MIN: env.intBetween(1, 100_000_000, 20_000),
  /** The JSON report of every successful run. Default <DATA_DIR>/fairness-report.json. */
  REPORT_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** node-exporter textfile directory (an empty value means the default). */
  TEXTFILE_DIR: z.string().default('/var/lib/node_exporter/textfile_collector'),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
