/** resolver configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'resolver';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9103. */
  OPS_PORT: env.port(9103),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
