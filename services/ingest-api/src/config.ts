/** ingest-api configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'ingest-api';

const shape = {
  ...commonEnv,
  /** Interface the API listens on; nginx proxies to it. Default 127.0.0.1. */
  HTTP_HOST: env.host(),
  /** Port of the API, /healthz and /metrics. Default 8080. */
  HTTP_PORT: env.port(8080),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
