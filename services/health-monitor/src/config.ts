/** health-monitor configuration, read once from the environment by main.ts. */
import { DEFAULT_BREAKER_RULES } from '@tap/breaker';
import { type ConfigOf, type ConfigResult, commonEnv, type Env, env, parseEnv } from '@tap/runtime';

export const SERVICE = 'health-monitor';

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9102. */
  OPS_PORT: env.port(9102),
  /** The breaker opens when the newest print is this old, ms. Default 10000 (SPEC §9). */
  BREAKER_STALE_MS: env.intBetween(100, 600_000, DEFAULT_BREAKER_RULES.staleMs),
  /** The breaker opens when the newest print has fewer venues than this. Default 2. */
  BREAKER_MIN_VENUES: env.intBetween(1, 10, DEFAULT_BREAKER_RULES.minVenues),
  /** Continuous health needed before the breaker closes again, ms. Default 30000 (SPEC §9). */
  BREAKER_RECOVERY_MS: env.intBetween(100, 3_600_000, DEFAULT_BREAKER_RULES.recoveryMs),
  /** Evaluation and heartbeat interval, ms. Default 100. */
  BREAKER_TICK_MS: env.intBetween(10, 1_000, 100),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env): ConfigResult<Config> {
  const parsed = parseEnv(shape, vars);
  if (!parsed.ok) return parsed;
  if (parsed.config.BREAKER_TICK_MS * 10 > parsed.config.BREAKER_STALE_MS) {
    return { ok: false, problems: ['BREAKER_TICK_MS: must be at most a tenth of BREAKER_STALE_MS'] };
  }
  return parsed;
}
