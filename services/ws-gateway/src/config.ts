/** ws-gateway configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'ws-gateway';

const shape = {
  ...commonEnv,
  /** Interface the WebSocket server listens on; nginx proxies /v1/ws to it. Default 127.0.0.1. */
  WS_HOST: env.host(),
  /** Port of /v1/ws, /healthz and /metrics. Default 8081. */
  WS_PORT: env.port(8081),
  /** Time a new socket has to authenticate before it is closed with 4401, in ms. Default 5000. */
  WS_AUTH_TIMEOUT_MS: env.intBetween(100, 60_000, 5_000),
  /** Bytes uWS may hold for one socket before the socket is dropped (SPEC §11). Default 1 MiB. */
  WS_SEND_BUFFER_BYTES_MAX: env.intBetween(1_024, 64 * 1_048_576, 1_048_576),
  /** uWS idle timeout in seconds (automatic pings keep healthy sockets alive); 8…960. Default 60. */
  WS_IDLE_TIMEOUT_S: env.intBetween(8, 960, 60),
  /** XREAD BLOCK of the stream reader, in ms; bounds how long a stop waits. Default 1000. */
  WS_READ_BLOCK_MS: env.intBetween(10, 4_000, 1_000),
  /** XREAD COUNT per stream and read. Default 1000. */
  WS_READ_COUNT_MAX: env.intBetween(1, 100_000, 1_000),
  /** XRANGE COUNT of one resume page over tap:events. Default 1000. */
  WS_REPLAY_PAGE_SIZE: env.intBetween(1, 100_000, 1_000),
  /** Live events held for one socket while its resume replay runs; more → resync. Default 1000. */
  WS_REPLAY_BUFFER_MAX: env.intBetween(1, 100_000, 1_000),
  /** A breaker heartbeat older than this reads as open/no_heartbeat (SPEC §6 fails closed), ms. Default 5000. */
  WS_BREAKER_STALE_MS: env.intBetween(500, 600_000, 5_000),
  /** How often the breaker hash is polled for its heartbeat, in ms. Default 1000. */
  WS_BREAKER_POLL_MS: env.intBetween(50, 60_000, 1_000),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
