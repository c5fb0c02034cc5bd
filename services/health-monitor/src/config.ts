/** health-monitor configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'health-monitor';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9102. */
  OPS_PORT: env.port(9102),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
