/** resolver configuration, read once from the environment by main.ts. */
import { type BreakerRules, DEFAULT_BREAKER_RULES } from '@tap/breaker';
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import type { IndexRules } from '@tap/settlement';
import { z } from 'zod';

export const SERVICE = 'resolver';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9103. */
  OPS_PORT: env.port(9103),
  /** Data directory holding `segments/<period>.db` (read-only here). Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** Longest gap between consecutive prints around and inside a window before its bets are void (ms). Default 1000. */
  GAP_MS_MAX: env.intBetween(1, 60_000, 1_000),
  /** A bet still open this long after its window ended is voided by the dead-man sweep (ms). Default 60000. */
  DEADLINE_MS: env.intBetween(1_000, 3_600_000, 60_000),
  /** XREADGROUP / XREAD BLOCK while idle (ms); bounds how long SIGTERM waits for a read. Default 100. */
  BLOCK_MS: env.intBetween(1, 1_000, 100),
  /** Entries taken per read of `tap:prices` and `tap:events` (COUNT). Default 500. */
  READ_COUNT: env.intBetween(1, 10_000, 500),
  /** At start, `tap:events` is replayed from this long before the SQLite snapshot (ms). Default 60000. */
  EVENTS_REPLAY_MS: env.intBetween(0, 3_600_000, 60_000),
  /** Processed prints kept in memory to rebuild the window of a late bet (ms of index time). Default 180000. */
  PRINT_HISTORY_MS: env.intBetween(10_000, 3_600_000, 180_000),
  /** The breaker opens when the newest print is this old (ms); must equal health-monitor's. Default 10000. */
  BREAKER_STALE_MS: env.intBetween(100, 600_000, DEFAULT_BREAKER_RULES.staleMs),
  /** The breaker opens at a print with fewer venues than this; must equal health-monitor's. Default 2. */
  BREAKER_MIN_VENUES: env.intBetween(1, 10, DEFAULT_BREAKER_RULES.minVenues),
  /** Continuous health before the breaker closes (ms); must equal health-monitor's. Default 30000. */
  BREAKER_RECOVERY_MS: env.intBetween(100, 3_600_000, DEFAULT_BREAKER_RULES.recoveryMs),
  /** Consumer name in group `resolver`; run one resolver, keep the name stable across restarts. Default resolver-1. */
  CONSUMER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -')
    .default('resolver-1'),
};

export type Config = ConfigOf<typeof shape>;

/** The settlement rules of the open-bet index. Settled ids outlive the events replay and the deadline. */
export function indexRules(config: Config): IndexRules {
  return {
    gapMsMax: config.GAP_MS_MAX,
    deadlineMs: config.DEADLINE_MS,
    settledMemoryMs: Math.max(300_000, config.EVENTS_REPLAY_MS + config.DEADLINE_MS),
  };
}

/** health-monitor's breaker thresholds, which the resolver's breaker judged from the prints runs with. */
export function breakerRules(config: Config): BreakerRules {
  return {
    staleMs: config.BREAKER_STALE_MS,
    minVenues: config.BREAKER_MIN_VENUES,
    recoveryMs: config.BREAKER_RECOVERY_MS,
  };
}

export function loadConfig(vars: Env) {
  return parseEnv(shape, vars);
}
