/** ws-gateway configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'ws-gateway';

const shape = {
  ...commonEnv,
  /** Interface the WebSocket server listens on; nginx proxies /v1/ws to it. Default 127.0.0.1. */
  WS_HOST: env.host(),
  /** Port of /v1/ws, /healthz and /metrics. Default 8081. */
  WS_PORT: env.port(8081),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
