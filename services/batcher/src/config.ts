/** batcher configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'batcher';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9104. */
  OPS_PORT: env.port(9104),
  /** Data directory: the lock file and `segments/<ISO week>.db`. Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
