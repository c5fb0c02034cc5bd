/** integrity-cron configuration, read once from the environment by main.ts. */
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
  /** node-exporter textfile directory for the job's metrics (an empty value means the default). */
  TEXTFILE_DIR: z.string().default('/var/lib/node_exporter/textfile_collector'),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
