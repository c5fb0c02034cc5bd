/**
 * tapctl's settings: from the environment (the daemons' names, so `/etc/tap/common.env` works as is)
 * or the matching command-line options, which win. Every bad value is reported at once.
 */
import { type ConfigOf, type ConfigResult, type Env, env, parseEnv } from '@tap/runtime';

const shape = {
  /** Redis connection URL. Default redis://127.0.0.1:6379. Option --redis-url. */
  REDIS_URL: env.redisUrl(),
  /** Prefix of every Redis key and stream. Default "tap:". Option --prefix. */
  TAP_KEY_PREFIX: env.keyPrefix(),
  /** The batcher's data directory holding `segments/<period>.db`. Default /var/lib/tap. Option --data-dir. */
  DATA_DIR: env.path('/var/lib/tap'),
};

export type Config = ConfigOf<typeof shape>;

export interface ConfigOptions {
  redisUrl?: string;
  prefix?: string;
  dataDir?: string;
}

export function loadConfig(vars: Env, options: ConfigOptions): ConfigResult<Config> {
  return parseEnv(shape, {
    REDIS_URL: options.redisUrl ?? vars['REDIS_URL'],
    TAP_KEY_PREFIX: options.prefix ?? vars['TAP_KEY_PREFIX'],
    DATA_DIR: options.dataDir ?? vars['DATA_DIR'],
  });
}
