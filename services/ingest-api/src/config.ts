/** ingest-api configuration, read once from the environment by main.ts. */

import { availableParallelism } from 'node:os';
import { FILL_DELAY_PRINTS_MAX, operatorKeySchema } from '@tap/domain';
import { ADAPTIVE_FILL_DELAY_DEFAULTS } from '@tap/pricing';
import { type ConfigOf, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';
import type { FillDelay } from './bets/place-bet.js';

export const SERVICE = 'ingest-api';

const chainIdList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of chain ids')
  .transform((list) => list.split(',').map(Number))
  .default('1');

const shape = {
  ...commonEnv,
  /** Interface the API listens on; nginx proxies to it. Default 127.0.0.1. */
  HTTP_HOST: env.host(),
  /** Port of the API, /healthz and /metrics. Default 8080. */
  HTTP_PORT: env.port(8080),
  /** Largest accepted request body, bytes (SPEC §5). Default 4096. */
  BODY_BYTES_MAX: env.intBetween(256, 65_536, 4_096),
  /** SIWE: the domain (RFC 3986 authority) sign-in messages must name. Default localhost. */
  LOGIN_DOMAIN: z.string().min(1).default('localhost'),
  /** SIWE: the URI origin (optionally with a path prefix) messages must name. Default http://localhost. */
  LOGIN_URI: z.string().url().default('http://localhost'),
  /** SIWE: accepted chain ids, comma-separated. Default 1. */
  LOGIN_CHAIN_IDS: chainIdList,
  /** SIWE: accepted |now − Issued At|, ms (SPEC §5). Default 30000. */
  LOGIN_SKEW_MS: env.intBetween(1_000, 300_000, 30_000),
  /** Signature-recovery worker threads. Default: the number of cores. */
  LOGIN_WORKERS: env.intBetween(1, 64, availableParallelism()),
  /** Logins allowed to wait for a worker before 503 login_busy. Default 256. */
  LOGIN_QUEUE_MAX: env.intBetween(0, 100_000, 256),
  /** Global login budget of this process, logins per second (SPEC §5; per IP is nginx's). Default 200. */
  LOGIN_RATE_PER_S: env.intBetween(1, 100_000, 200),
  /** Global login burst. Default 400. */
  LOGIN_BURST: env.intBetween(1, 100_000, 400),
  /** Nonce key lifetime, s (SPEC §5: 90 > 2 × the 30 s window). Default 90. */
  NONCE_TTL_S: env.intBetween(61, 3_600, 90),
  /** Session lifetime, s (SPEC §5: 24 h). Default 86400. */
  SESSION_TTL_S: env.intBetween(60, 604_800, 86_400),
  /** Live sessions a wallet may hold; a new login revokes the oldest beyond it (SPEC §5). Default 10. */
  SESSIONS_PER_WALLET_MAX: env.intBetween(1, 1_000, 10),
  /** Per-wallet bet rate, tokens per second (SPEC §5). Default 5. */
  RATE_LIMIT_PER_S: env.intBetween(1, 100_000, 5),
  /** Per-wallet bet burst (SPEC §5). Default 10. */
  RATE_LIMIT_BURST: env.intBetween(1, 100_000, 10),
  /** Data directory holding `segments/`, read through read-only connections. Default /var/lib/tap. */
  DATA_DIR: env.path('/var/lib/tap'),
  /** Historical queries: archived segments one query may reach (more → 400 invalid_query). Default 2. */
  HISTORY_SEGMENTS_PER_QUERY_MAX: env.intBetween(1, 52, 2),
  /** Historical queries: restore jobs one wallet may start per hour (token bucket, burst the same). Default 4. */
  RESTORE_JOBS_PER_HOUR_PER_WALLET: env.intBetween(1, 10_000, 4),
  /** Historical queries: restore jobs all callers together may start per hour (burst the same). Default 20. */
  RESTORE_JOBS_PER_HOUR: env.intBetween(1, 100_000, 20),
  /** Historical queries: restore jobs waiting or running at most (more → 503). Default 4. */
  RESTORE_QUEUE_MAX: env.intBetween(1, 1_000, 4),
  /**
   * Segment queries (bets, ledger, index prints) waiting for the reader worker thread; more →
   * 503 service_busy at once instead of an unbounded queue. Default 32.
   */
  READER_QUEUE_MAX: env.intBetween(0, 10_000, 32),
  /**
   * Bets in one admission script call at most (issue 19): the bets of one event-loop turn (and
   * those waiting while every call is in flight) go together in one call, sharing its command, its
   * round trip and its script start. 1 = one bet a call, sent at once. Default 16.
   */
  ADMIT_BATCH_BETS_MAX: env.intBetween(1, 256, 16),
  /** Admission calls in flight at once; further bets wait for one to return and go in a batch. Default 4. */
  ADMIT_CALLS_IN_FLIGHT_MAX: env.intBetween(1, 1_000, 4),
  /**
   * Longest a segment query may wait for the reader worker, and then longest it may run there, ms:
   * past the wait it is answered 503 service_busy; past the run the worker is deemed wedged,
   * replaced, and the query answered 503. Default 5000.
   */
  READER_QUERY_TIMEOUT_MS: env.intBetween(100, 120_000, 5_000),
  /**
   * Widest `from`..`to` (to defaults to now) of `GET /v1/bets` and `GET /v1/ledger`, days (more →
   * 400 invalid_query). Default 35: the local segments (current + 4 closed weeks) with a margin.
   */
  LIST_RANGE_DAYS_MAX: env.intBetween(1, 366, 35),
  /**
   * Global budget of index history queries that are not a grid page (any from..to, cursor or limit),
   * per second: only grid pages can be cached (queries/index-history.ts); past it 503 service_busy.
   * Default 10.
   */
  HISTORY_RANGES_PER_S: env.intBetween(1, 100_000, 10),
  /** Their burst. Default 40. */
  HISTORY_RANGES_BURST: env.intBetween(1, 100_000, 40),
  /** Smallest stake, micro-dollars (SPEC §3: $0.10). Default 100000. */
  STAKE_MICROS_MIN: env.intAtLeast(1, 100_000),
  /** Largest stake, micro-dollars (SPEC §3: $100). Default 100000000. */
  STAKE_MICROS_MAX: env.intAtLeast(1, 100_000_000),
  /** House bankroll B, micro-dollars (SPEC §3: 1,000,000 USD); the exposure limits are shares of it. */
  BANKROLL_MICROS: env.intAtLeast(1, 1_000_000_000_000),
  /** Per-trader open potential payout limit, micro-dollars (SPEC §3: 2,000 USD). Default 2000000000. */
  USER_PAYOUT_MICROS_MAX: env.intAtLeast(1, 2_000_000_000),
  /** Per-trader open bets limit (SPEC §3). Default 20. */
  USER_OPEN_BETS_MAX: env.intBetween(1, 100_000, 20),
  /** Oldest acceptable breaker heartbeat before trading halts, ms (SPEC §6.1). Default 5000. */
  BREAKER_HEARTBEAT_AGE_MS_MAX: env.intBetween(100, 60_000, 5_000),
  /** Oldest acceptable index print for pricing, ms (SPEC §3). Default 500. */
  PRINT_AGE_MS_MAX: env.intBetween(50, 60_000, 500),
  /**
   * Which print prices a bet (issue 22, docs/pricing.md "Informed traders"): `receipt` = the latest
   * print at receive time, the multiplier is in the 202; `next_print` = the first print after the
   * receive time, priced by the batcher, the 202 says pending and the multiplier comes with
   * `accepted` (next-tick entry: stops a trader who sees our next print before we print it).
   * Default next_print, the measured defense with BET_ENTRY_DELAY=adaptive and price-ingest's
   * INDEX_FILTER=on (docs/pricing.md "Adaptive fill delay"); receipt is the explicit opt-out.
   */
  BET_ENTRY: z.enum(['receipt', 'next_print']).default('next_print'),
  /**
   * next_print: the exposure a pending bet reserves, as a percentage of the multiplier quoted at
   * receipt (capped at the offered maximum, never below the trader's minimum); a fill above it is
   * rejected `quote_moved`. 5000 reserves every bet at 50× (the offered maximum). Default 200.
   */
  BET_ENTRY_RESERVE_PCT: env.intBetween(100, 100_000, 200),
  /**
   * next_print: fill every bet at this print after its receive time (1 = the next print; k = the
   * k-th, a fill delay of about k × 100 ms: docs/pricing.md "Fill delay"). A wallet an operator or
   * the edge monitor delayed longer (tapctl delay) gets the longer of the two. Needs
   * BET_ENTRY=next_print when above 1, and BET_ENTRY_DELAY=fixed when set (under the default
   * adaptive delay it would be unused). Default 1.
   */
  BET_ENTRY_DELAY_PRINTS: env.intBetween(1, FILL_DELAY_PRINTS_MAX, 1),
  /**
   * next_print: `fixed` fills every bet at BET_ENTRY_DELAY_PRINTS; `adaptive` fills each at the
   * first print that comes BET_ENTRY_DELAY_LEAD_MS + BET_ENTRY_DELAY_ERROR_FACTOR · err_S²/σ² after
   * its receipt (σ and the index's error from the print in effect at receipt), within
   * [BET_ENTRY_DELAY_PRINTS_MIN, BET_ENTRY_DELAY_PRINTS_MAX]: short when the index is tight against
   * the market's moves, long in a calm market (docs/pricing.md "Adaptive fill delay"). A wallet's
   * longer delay still wins. Default adaptive (unused under BET_ENTRY=receipt; set explicitly, it
   * needs next_print).
   */
  BET_ENTRY_DELAY: z.enum(['fixed', 'adaptive']).default('adaptive'),
  /** adaptive: the trader lead defended against, ms. Default 150. */
  BET_ENTRY_DELAY_LEAD_MS: env.intBetween(0, 2_000, ADAPTIVE_FILL_DELAY_DEFAULTS.leadMs),
  /** adaptive: c, the fill waits c · err_S²/σ² beyond the lead (measured: docs/pricing.md). Default 3. */
  BET_ENTRY_DELAY_ERROR_FACTOR: z.coerce
    .number()
    .min(0)
    .max(100)
    .default(ADAPTIVE_FILL_DELAY_DEFAULTS.errorFactor),
  /**
   * adaptive: how fast the wait may shrink, % of the time since the previous bet (it grows at
   * once): a shrinking wait piles the bets of two prints onto one, and a print's fills are one
   * burst for the batcher (SPEC §12 fill print → accepted). 10 bounds a burst at ×1.11 the usual;
   * 100 follows the rule at once. Waits are never shorter than the rule's, nor more than 300 ms
   * longer (`@tap/pricing` createServiceFillDelay, FILL_DELAY_EASE_SPAN_MS). Default 10.
   */
  BET_ENTRY_DELAY_EASE_PCT: env.intBetween(1, 100, 10),
  /** adaptive: fewest prints after receipt (1 = the next print). Default 1. */
  BET_ENTRY_DELAY_PRINTS_MIN: env.intBetween(
    1,
    FILL_DELAY_PRINTS_MAX,
    ADAPTIVE_FILL_DELAY_DEFAULTS.printsMin,
  ),
  /**
   * adaptive: most prints after receipt (the wait at the σ floor is ≈ 1.2 s; 2 s is the lead to
   * the nearest window). Default 20.
   */
  BET_ENTRY_DELAY_PRINTS_MAX: env.intBetween(
    1,
    FILL_DELAY_PRINTS_MAX,
    ADAPTIVE_FILL_DELAY_DEFAULTS.printsMax,
  ),
  /**
   * Demo mode: accept bets priced on simulated prints (price-ingest with VENUES=simulator, SPEC §9)
   * and serve POST /v1/demo/faucet (play money). Off in production; the demo stack and tests turn
   * it on explicitly. Default false.
   */
  DEMO_MODE: env.bool(false),
  /** Redis memory (used/maxmemory, %) from which new logins and the faucet answer 503 service_busy (SPEC §6). Default 80. */
  REDIS_MEMORY_LOGINS_MAX_PCT: env.intBetween(1, 100, 80),
  /** Redis memory (%) from which new bets answer 503 service_busy (SPEC §6). Default 90. */
  REDIS_MEMORY_BETS_MAX_PCT: env.intBetween(1, 100, 90),
  /** How often Redis's used_memory and maxmemory are re-read for that gate, ms. Default 250. */
  REDIS_MEMORY_REFRESH_MS: env.intBetween(10, 60_000, 250),
  /**
   * Longest any Redis command may take before the request answers 503 `store_unavailable`, ms
   * (SPEC §6.1: a stalled Redis never hangs a client). Default 1000.
   */
  REDIS_COMMAND_TIMEOUT_MS: env.intBetween(50, 60_000, 1_000),
  /**
   * Oldest acceptable batcher heartbeat before admission refuses bets `503 batcher_behind`, ms
   * (SPEC §6.1: "accepted but not applied" stays bounded). Default 5000.
   */
  BATCHER_HEARTBEAT_AGE_MS_MAX: env.intBetween(100, 600_000, 5_000),
  /**
   * Oldest acceptable bet not yet applied by the batcher (its lag, as the age of the oldest
   * admitted-but-unapplied entry it reports), ms, before `503 batcher_behind`. Default 20000.
   */
  BATCHER_LAG_MS_MAX: env.intBetween(100, 600_000, 20_000),
  /** How often the breaker and the latest print are re-read from Redis, ms. Default 20. */
  MARKET_REFRESH_MS: env.intBetween(1, 1_000, 20),
  /**
   * Demo faucet only: the operator key the faucet signs its deposits with (the batcher refuses
   * unsigned ones). Required when DEMO_MODE is on and read by nothing else; leave it unset in
   * production, where only tapctl and the batcher hold it (docs/security.md).
   */
  OPERATOR_MAC_KEY: operatorKeySchema.optional(),
  /** Demo faucet: micro-dollars one faucet call credits. Default 100000000 ($100). */
  DEMO_FAUCET_MICROS: env.intAtLeast(1, 100_000_000),
  /** Demo faucet: most micro-dollars one wallet may take per 24 h. Default 1000000000 ($1,000). */
  DEMO_FAUCET_WALLET_MICROS_MAX: env.intAtLeast(1, 1_000_000_000),
};

export type Config = ConfigOf<typeof shape>;

export function loadConfig(vars: Env) {
  const parsed = parseEnv(shape, vars);
  if (parsed.ok && parsed.config.STAKE_MICROS_MIN > parsed.config.STAKE_MICROS_MAX) {
    return { ok: false as const, problems: ['STAKE_MICROS_MIN: must not exceed STAKE_MICROS_MAX'] };
  }
  if (parsed.ok && parsed.config.REDIS_MEMORY_LOGINS_MAX_PCT > parsed.config.REDIS_MEMORY_BETS_MAX_PCT) {
    return {
      ok: false as const,
      problems: [
        'REDIS_MEMORY_LOGINS_MAX_PCT: must not exceed REDIS_MEMORY_BETS_MAX_PCT (logins stop first)',
      ],
    };
  }
  if (parsed.ok && parsed.config.BET_ENTRY_DELAY_PRINTS > 1 && parsed.config.BET_ENTRY !== 'next_print') {
    return {
      ok: false as const,
      problems: ['BET_ENTRY_DELAY_PRINTS: above 1 needs BET_ENTRY=next_print (a receipt bet has no fill)'],
    };
  }
  if (parsed.ok) {
    const delayProblems = fillDelayProblems(parsed.config, vars);
    if (delayProblems.length > 0) return { ok: false as const, problems: delayProblems };
  }
  if (parsed.ok && parsed.config.DEMO_MODE && parsed.config.OPERATOR_MAC_KEY === undefined) {
    return {
      ok: false as const,
      problems: ['OPERATOR_MAC_KEY: required with DEMO_MODE (the faucet signs its deposits)'],
    };
  }
  return parsed;
}

/** Set in the environment, not defaulted (parseEnv reads an empty assignment as unset). */
const isSet = (value: string | undefined) => value !== undefined && value !== '';

function fillDelayProblems(config: Config, vars: Env): string[] {
  if (config.BET_ENTRY_DELAY !== 'adaptive') return [];
  const problems: string[] = [];
  // The default adaptive delay is simply unused under receipt entry; asked for by name, it is a mistake.
  if (config.BET_ENTRY !== 'next_print' && isSet(vars.BET_ENTRY_DELAY)) {
    problems.push('BET_ENTRY_DELAY: adaptive needs BET_ENTRY=next_print (a receipt bet has no fill)');
  }
  if (config.BET_ENTRY_DELAY_PRINTS_MIN > config.BET_ENTRY_DELAY_PRINTS_MAX) {
    problems.push('BET_ENTRY_DELAY_PRINTS_MIN: must not exceed BET_ENTRY_DELAY_PRINTS_MAX');
  }
  // A fixed print count (the defense before the adaptive default) would be silently ignored.
  if (config.BET_ENTRY === 'next_print' && isSet(vars.BET_ENTRY_DELAY_PRINTS)) {
    problems.push(
      'BET_ENTRY_DELAY_PRINTS: a fixed delay, unused under BET_ENTRY_DELAY=adaptive (the default): set BET_ENTRY_DELAY=fixed with it',
    );
  }
  return problems;
}

/** next_print's fill delay: one print count for every bet, or the adaptive rule's per bet. */
export function fillDelayOf(config: Config): FillDelay {
  if (config.BET_ENTRY_DELAY === 'fixed') return { kind: 'fixed', prints: config.BET_ENTRY_DELAY_PRINTS };
  return {
    kind: 'adaptive',
    rule: {
      leadMs: config.BET_ENTRY_DELAY_LEAD_MS,
      errorFactor: config.BET_ENTRY_DELAY_ERROR_FACTOR,
      printsMin: config.BET_ENTRY_DELAY_PRINTS_MIN,
      printsMax: config.BET_ENTRY_DELAY_PRINTS_MAX,
    },
  };
}

/** The memory gate's thresholds; a reading older than 8 refreshes (at least 2 s) fails closed. */
export function memoryRulesOf(config: Config) {
  return {
    loginsMaxPct: config.REDIS_MEMORY_LOGINS_MAX_PCT,
    betsMaxPct: config.REDIS_MEMORY_BETS_MAX_PCT,
    readingAgeMsMax: Math.max(2_000, 8 * config.REDIS_MEMORY_REFRESH_MS),
  };
}

/** SPEC §3 exposure limits as shares of the bankroll: cell 0.25 %, column 1.5 %, total 10 %. */
export function exposureLimitsOf(config: Config) {
  return {
    cellMicros: Math.floor(config.BANKROLL_MICROS * 0.0025),
    columnMicros: Math.floor(config.BANKROLL_MICROS * 0.015),
    totalMicros: Math.floor(config.BANKROLL_MICROS * 0.1),
    userPayoutMicros: config.USER_PAYOUT_MICROS_MAX,
    userOpenBets: config.USER_OPEN_BETS_MAX,
  };
}
