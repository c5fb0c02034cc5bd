/** ws-gateway configuration, read once from the environment by main.ts. */
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';
import { parseTrustedProxies } from './admission/client-address.js';

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
  /** How long published user events stay resumable, in ms (in memory, per user). Default 120000. */
  WS_RESUME_WINDOW_MS: env.intBetween(1_000, 3_600_000, 120_000),
  /** User events held for resumes, all users together; the oldest go first. Default 200000 (~120 MB of heap). */
  WS_RESUME_EVENTS_MAX: env.intBetween(1, 5_000_000, 200_000),
  /** Events one resume may send; more missed → resync replay_overflow. Default 1000. */
  WS_REPLAY_EVENTS_MAX: env.intBetween(1, 100_000, 1_000),
  /** Resumes (auth with lastEventId) per session and second, sustained. Default 1. */
  WS_RESUMES_PER_S: env.intBetween(1, 1_000, 1),
  /** Resumes a session may make at once before WS_RESUMES_PER_S applies. Default 5. */
  WS_RESUME_BURST: env.intBetween(1, 10_000, 5),
  /** Resumes per user and second, all their sessions together (≤ 10 sessions a wallet). Default 2. */
  WS_USER_RESUMES_PER_S: env.intBetween(1, 1_000, 2),
  /** Resumes a user may make at once before WS_USER_RESUMES_PER_S applies. Default 10. */
  WS_USER_RESUME_BURST: env.intBetween(1, 10_000, 10),
  /**
   * WebSocket upgrades per client address and second, sustained; more → HTTP 429 rate_limited
   * before a socket exists. Default 10 (nginx allows 5 with burst 20 in front, so it answers first).
   */
  WS_UPGRADES_PER_IP_PER_S: env.intBetween(1, 1_000_000, 10),
  /** Upgrades a client address may make at once before WS_UPGRADES_PER_IP_PER_S applies. Default 40. */
  WS_UPGRADE_BURST: env.intBetween(1, 1_000_000, 40),
  /** Open sockets in all; more → close 1013 connections_max. Default 20000. */
  WS_CONNECTIONS_MAX: env.intBetween(1, 1_000_000, 20_000),
  /** Open sockets per client address (X-Real-IP from a trusted proxy); more → 4429. Default 100. */
  WS_CONNECTIONS_PER_IP_MAX: env.intBetween(1, 1_000_000, 100),
  /** Authenticated sockets per session token; more → 4429 sockets_per_session_max. Default 5. */
  WS_SOCKETS_PER_SESSION_MAX: env.intBetween(1, 1_000, 5),
  /** Session lookups (auths, resumes) in flight in all; more → close 1013 lookups_max before any Redis call. Default 1000. */
  WS_AUTH_LOOKUPS_MAX: env.intBetween(1, 1_000_000, 1_000),
  /** Client messages per socket and second, sustained (burst 2×); more → 4429 message_rate. Default 10. */
  WS_MESSAGES_PER_S: env.intBetween(1, 10_000, 10),
  /** Peers whose X-Real-IP header is believed (nginx), comma-separated. Default 127.0.0.1,::1. */
  WS_TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1,::1')
    .refine((list) => parseTrustedProxies(list).ok, 'must be comma-separated IP addresses'),
  /** How often every open socket's session is checked to still exist (expiry), in ms. Default 30000. */
  WS_SESSION_RECHECK_MS: env.intBetween(100, 600_000, 30_000),
  /** A breaker heartbeat older than this reads as open/no_heartbeat (SPEC §6 fails closed), ms. Default 5000. */
  WS_BREAKER_STALE_MS: env.intBetween(500, 600_000, 5_000),
  /** How often the breaker hash is polled for its heartbeat, in ms. Default 1000. */
  WS_BREAKER_POLL_MS: env.intBetween(50, 60_000, 1_000),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
