/**
 * tapctl's settings: from the environment (the daemons' names, so `/etc/tap/common.env` works as is)
 * or the matching command-line options, which win. Every bad value is reported at once.
 *
 * The operator key is optional here so read-only commands (balance, ledger, bet, dlq list) work
 * without it; every command that writes asks for it (operator.ts) and refuses to run without it.
 */
import { type S3Settings, s3Env, s3EnvProblems } from '@tap/archive';
import { EDGE_RULE_BOUNDS as B, DEFAULT_EDGE_RULES } from '@tap/calibration';
import { FILL_DELAY_PRINTS_MAX, operatorKeySchema } from '@tap/domain';
import { type ConfigOf, type ConfigResult, type Env, env, parseEnv, redisAuthEnv } from '@tap/runtime';
import { z } from 'zod';

/** What `tapctl edge --apply` does to a flagged wallet (edge.ts). */
export const EDGE_ACTIONS = ['none', 'freeze', 'limit', 'delay'] as const;

const shape = {
  /** Redis connection URL. Default redis://127.0.0.1:6379. Option --redis-url. */
  REDIS_URL: env.redisUrl(),
  /** The operator's Redis ACL user (`tapctl`, infra/redis-users.acl.in) and its password; unset: the default user. */
  ...redisAuthEnv(),
  /** Prefix of every Redis key and stream. Default "tap:". Option --prefix. */
  TAP_KEY_PREFIX: env.keyPrefix(),
  /** The batcher's data directory holding `segments/<period>.db`. Default /var/lib/tap. Option --data-dir. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** The key that authenticates operator entries (hex, 32-64 bytes), the batcher's OPERATOR_MAC_KEY. From /etc/tap/operator.env. */
  OPERATOR_MAC_KEY: operatorKeySchema.optional(),
  /** Who is acting, recorded with every action. Default: the OS user name. */
  TAP_OPERATOR: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1-64 letters, digits, _ . @ or -')
    .optional(),
  /** A credit or debit above this many USD needs --confirm. Default 1000. */
  ADJUST_CONFIRM_ABOVE_USD: z.coerce.number().int().min(0).max(1_000_000_000).default(1_000),
  /** `edge`: settled bets before a wallet is judged; common.env, the same as fairness-report's. Default 300. */
  EDGE_BETS_MIN: env.intBetween(B.betsMin.min, B.betsMin.max, DEFAULT_EDGE_RULES.betsMin),
  /** `edge`: flagged above this many standard errors (common.env). Default 3. */
  EDGE_Z_MIN: z.coerce.number().min(B.zMin.min).max(B.zMin.max).default(DEFAULT_EDGE_RULES.zMin),
  /** `edge`: hours of settled bets judged, ending now (common.env). Default 168. */
  EDGE_HOURS: env.intBetween(B.hours.min, B.hours.max, DEFAULT_EDGE_RULES.hours),
  /** `edge --apply`: what to do to a flagged wallet — none (the alert only), freeze or limit. Default none. */
  EDGE_ACTION: z.enum(EDGE_ACTIONS).default('none'),
  /** `edge --apply` with EDGE_ACTION=limit: the wallet's open potential payout cap, whole USD. Default 100. */
  EDGE_LIMIT_OPEN_PAYOUT_USD: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /**
   * `edge --apply` with EDGE_ACTION=delay: the flagged wallet's bets are priced at this print after
   * their receipt (next-tick entry's longer delay, issue 22). Default 5 (~500 ms: measured, a trader
   * 500 ms ahead still earns +9 to +13 % against a one-print delay; docs/pricing.md).
   */
  EDGE_DELAY_PRINTS: env.intBetween(2, FILL_DELAY_PRINTS_MAX, 5),
  /** `edge --apply`: more flagged wallets than this is a pricing fault for a human, not N traders: act on none. Default 10. */
  EDGE_ACTIONS_MAX: env.intBetween(1, 1_000, 10),
};

export type Config = ConfigOf<typeof shape>;

export interface ConfigOptions {
  redisUrl?: string;
  prefix?: string;
  dataDir?: string;
}

export function loadConfig(vars: Env, options: ConfigOptions): ConfigResult<Config> {
  return parseEnv(shape, {
    ...vars,
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
