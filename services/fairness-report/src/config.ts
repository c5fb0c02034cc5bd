/** fairness-report configuration, read once from the environment by main.ts. */
import { EDGE_RULE_BOUNDS as B, DEFAULT_EDGE_RULES } from '@tap/calibration';
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
  /** Settled bets a wallet needs before its edge is judged (common.env: tapctl edge reads it too). Default 300. */
  EDGE_BETS_MIN: env.intBetween(B.betsMin.min, B.betsMin.max, DEFAULT_EDGE_RULES.betsMin),
  /** A wallet more than this many standard errors above its prices is flagged (common.env). Default 3. */
  EDGE_Z_MIN: z.coerce.number().min(B.zMin.min).max(B.zMin.max).default(DEFAULT_EDGE_RULES.zMin),
  /** Hours of settled bets the per-wallet edge covers, ending now (common.env). Default 168. */
  EDGE_HOURS: env.intBetween(B.hours.min, B.hours.max, DEFAULT_EDGE_RULES.hours),
  /** Flagged wallets exported with a `wallet` label (largest z first); the rest are only counted. Default 10. */
  EDGE_WALLETS_SHOWN: env.intBetween(0, 100, 10),
  /** node-exporter textfile directory (an empty value means the default). */
  TEXTFILE_DIR: z.string().default('/var/lib/node_exporter/textfile_collector'),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
