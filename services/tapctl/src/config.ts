/**
 * tapctl's settings: from the environment (the daemons' names, so `/etc/tap/common.env` works as is)
 * or the matching command-line options, which win. Every bad value is reported at once.
 */
import { type S3Settings, s3Env, s3EnvProblems } from '@tap/archive';
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

/** The archive bucket for `restore`: the archiver's variables (`/etc/tap/archiver.env`), same rules. */
export function loadS3Config(vars: Env): ConfigResult<S3Settings> {
  const parsed = parseEnv(s3Env, vars);
  const problems = [...(parsed.ok ? [] : parsed.problems), ...s3EnvProblems(vars)];
  return parsed.ok && problems.length === 0 ? parsed : { ok: false, problems };
}
