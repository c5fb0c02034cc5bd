/**
 * Environment-variable parsing for every daemon's `loadConfig(env)`.
 *
 * A service describes its variables with zod; `parseEnv` checks all of them and returns either the
 * typed config or the full list of problems (every bad variable, not just the first), so an operator
 * fixes a unit file in one round trip. `exitOnBadConfig` is the only place that prints and exits.
 */
import { z } from 'zod';

export type ConfigResult<T> = { ok: true; config: T } | { ok: false; problems: string[] };
export type Env = Record<string, string | undefined>;
/** The typed config a shape of variables parses to. */
export type ConfigOf<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;

export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env): ConfigResult<z.infer<z.ZodObject<S>>> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    // An empty assignment (`FOO=` in an EnvironmentFile) means "use the default", as systemd users expect.
    picked[key] = value === '' ? undefined : value;
  }
  const parsed = z.object(shape).safeParse(picked);
  const exclusive = EXCLUSIVE_VARIABLES.filter(
    ([a, b]) => picked[a] !== undefined && picked[b] !== undefined,
  ).map(([a, b]) => `${b}: set ${a} or ${b}, not both (got both)`);
  if (parsed.success && exclusive.length === 0) return { ok: true, config: parsed.data };
  const issues = parsed.success ? [] : parsed.error.issues;
  const problems = issues.map((issue) => {
    const variable = issue.path.join('.') || '(env)';
    const value = picked[variable];
    // A secret's value is never echoed into logs (journald keeps them): only whether it is set.
    const shown =
      value === undefined
        ? 'unset'
        : SECRET_NAME.test(variable)
          ? 'a hidden value'
          : JSON.stringify(withoutUrlCredentials(value));
    return `${variable}: ${issue.message} (got ${shown})`;
  });
  return { ok: false, problems: [...problems, ...exclusive] };
}

/** Pairs of variables that say the same thing two ways: setting both is a mistake, not a choice. */
const EXCLUSIVE_VARIABLES: readonly (readonly [string, string])[] = [
  ['REDIS_PASSWORD', 'REDIS_PASSWORD_FILE'],
];

/** Prints every problem to stderr and exits with EX_CONFIG (78), which systemd does not restart-loop on. */
export function exitOnBadConfig<T>(service: string, result: ConfigResult<T>): T {
  if (result.ok) return result.config;
  process.stderr.write(`${service}: invalid configuration\n`);
  for (const problem of result.problems) process.stderr.write(`  ${problem}\n`);
  process.exit(EXIT_CONFIG);
}

export const EXIT_CONFIG = 78;

/** Variables whose values are secrets (keys, passwords, tokens). */
const SECRET_NAME = /(?:_KEY|SECRET|PASSWORD|TOKEN)$/;

/** A URL's `user:password@` hidden (a bad REDIS_URL may carry credentials), anything else as is. */
export function withoutUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

/** Redis's unix socket (redis.ts `redisAddress`): `unix://` and an absolute path, nothing after it. */
const UNIX_SOCKET_URL = /^unix:\/\/\/[^?#]+$/;

/** Field builders so every daemon spells the common variables the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  host: (fallback = '127.0.0.1') => z.string().min(1).default(fallback),
  intAtLeast: (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback),
  intBetween: (min: number, max: number, fallback: number) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  redisUrl: () =>
    z
      .string()
      .url()
      .refine(
        (url) => url.startsWith('redis://') || url.startsWith('rediss://') || UNIX_SOCKET_URL.test(url),
        'must be a redis:// or rediss:// URL, or unix:///<absolute path of the socket>',
      )
      .default('redis://127.0.0.1:6379'),
  keyPrefix: () =>
    z
      .string()
      .regex(/^[a-z0-9_-]+:$/, 'must be lower-case letters, digits, _ or - ending in ":"')
      .default('tap:'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  path: (fallback: string) => z.string().startsWith('/', 'must be an absolute path').default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .transform((v) => v === 'true' || v === '1')
      .default(fallback ? 'true' : 'false'),
};

/**
 * The daemon's Redis ACL user (infra/redis-users.acl.in, installed by scripts/install-redis.sh) and
 * its password: in production a file, the systemd credential its unit loads from the root-only
 * /etc/tap/redis/<user>.password (REDIS_PASSWORD_FILE=%d/redis-password), so the password is never
 * in the environment; REDIS_PASSWORD for a shell or a test. Unset: Redis's default user, as the
 * demo and tests without ACL run.
 */
export function redisAuthEnv() {
  return {
    /** Redis ACL user name (e.g. ingest-api). Default: none (Redis's default user). */
    REDIS_USERNAME: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be lower-case letters, digits or -')
      .optional(),
    /** Password of REDIS_USERNAME (never logged). Default: none. */
    REDIS_PASSWORD: z.string().min(1).max(512).optional(),
    /** File holding that password, read once at start (never logged); not with REDIS_PASSWORD. Default: none. */
    REDIS_PASSWORD_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
  };
}

/** The variables every daemon shares: logging, Redis, the key prefix and the ops endpoint. */
export const commonEnv = {
  /** pino level. Default info. */
  LOG_LEVEL: env.logLevel(),
  /** Redis connection URL. Default redis://127.0.0.1:6379. */
  REDIS_URL: env.redisUrl(),
  ...redisAuthEnv(),
  /** Prefix of every Redis key, stream and channel (tests isolate themselves with it). Default "tap:". */
  TAP_KEY_PREFIX: env.keyPrefix(),
  /** Interface the ops endpoint (/healthz, /metrics) binds to. Default 127.0.0.1. */
  OPS_HOST: env.host(),
};
