/** price-ingest configuration, read once from the environment by main.ts. */
import { type ConfigOf, type ConfigResult, commonEnv, type Env, env, parseEnv } from '@tap/runtime';
import { z } from 'zod';
import { INDEX_DEFAULTS } from './index-defaults.js';
import { DEFAULT_SIM_VENUES } from './simulator/simulation.js';
import { BINANCE_DEFAULT_URL } from './venues/binance/binance-adapter.js';
import { COINBASE_DEFAULT_URL } from './venues/coinbase/coinbase-adapter.js';
import { KRAKEN_DEFAULT_URL } from './venues/kraken/kraken-adapter.js';
import { VENUE_NAMES, type VenueName } from './venues/venue-frame.js';

export const SERVICE = 'price-ingest';

const wsUrl = (fallback: string) =>
  z
    .string()
    .url()
    .refine((url) => /^wss?:\/\//.test(url), 'must be a ws:// or wss:// URL')
    .default(fallback);

// No default (SPEC §9): a deployment that forgets VENUES must not quietly price real bets on the
// seeded simulator, whose path anyone can reproduce. The simulator is chosen by name.
const venueList = z
  .string({
    required_error:
      'must be set: the venues to quote (e.g. coinbase,binance,kraken) or "simulator" for a demo',
  })
  .transform((value) =>
    value
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v.length > 0),
  )
  .refine(
    (list) =>
      (list.length === 1 && list[0] === 'simulator') ||
      (list.length > 0 &&
        new Set(list).size === list.length &&
        list.every((v) => (VENUE_NAMES as readonly string[]).includes(v))),
    `must be "simulator" or a comma-separated list of ${VENUE_NAMES.join(', ')} without repeats`,
  );

const shape = {
  ...commonEnv,
  /** Port of /healthz and /metrics on OPS_HOST. Default 9101. */
  OPS_PORT: env.port(9101),
  /** Required: venues, e.g. "coinbase,binance,kraken", or "simulator" (demo/tests only, marks every print simulated). */
  VENUES: venueList,
  /** Coinbase Advanced Trade market-data WebSocket. */
  COINBASE_WS_URL: wsUrl(COINBASE_DEFAULT_URL),
  /** Coinbase product. Default BTC-USD. */
  COINBASE_PRODUCT_ID: z.string().min(1).default('BTC-USD'),
  /** Binance raw-stream endpoint (the adapter subscribes with a SUBSCRIBE frame). */
  BINANCE_WS_URL: wsUrl(BINANCE_DEFAULT_URL),
  /** Binance symbol. Default btcusdt (USDT treated as USD). */
  BINANCE_SYMBOL: z
    .string()
    .regex(/^[a-zA-Z0-9]+$/, 'must be alphanumeric')
    .default('btcusdt'),
  /** Kraken WebSocket v2 endpoint. */
  KRAKEN_WS_URL: wsUrl(KRAKEN_DEFAULT_URL),
  /** Kraken v2 symbol. Default BTC/USD. */
  KRAKEN_SYMBOL: z.string().min(1).default('BTC/USD'),
  /** δ, time between index prints, ms. Default 100. */
  PRINT_INTERVAL_MS: env.intBetween(10, 10_000, INDEX_DEFAULTS.printIntervalMs),
  /** A quote older than this is not used, ms. Default 2000. */
  VENUE_STALE_MS: env.intBetween(100, 60_000, INDEX_DEFAULTS.staleMs),
  /** A fresh mid further than this from the median of fresh mids is dropped, basis points. Default 100 (1 %). */
  INDEX_OUTLIER_BP: env.intBetween(1, 10_000, INDEX_DEFAULTS.outlierBp),
  /** Healthy (/healthz 200) with at least this many fresh venues. Default 2. */
  MIN_VENUES: env.intBetween(1, 3, 2),
  /** Reconnect backoff: full jitter in [0, min(max, base·2^attempt)), ms. Defaults 500 and 30000. */
  VENUE_BACKOFF_BASE_MS: env.intBetween(1, 60_000, 500),
  VENUE_BACKOFF_MAX_MS: env.intBetween(1, 600_000, 30_000),
  /** No frame and no ping from a connected venue for this long → reconnect, ms. Default 10000. */
  VENUE_SILENCE_MS: env.intBetween(100, 600_000, 10_000),
  /** WebSocket opening handshake timeout, ms. Default 10000. */
  VENUE_HANDSHAKE_TIMEOUT_MS: env.intBetween(100, 60_000, 10_000),
  /**
   * on: every print also carries the filtered index (`filteredCents`, `filteredNoise`) and every
   * quoter prices from it (issue 22, docs/pricing.md "Informed traders"); off: priced from the last
   * print (pricing-v2.2). Default on: with ingest-api's next-tick entry and adaptive fill delay
   * (their defaults) it is the measured defense (docs/pricing.md "Adaptive fill delay"; alone it did
   * not reduce informed traders' edge beyond noise).
   */
  INDEX_FILTER: z.enum(['on', 'off']).default('on'),
  /** Simulator PRNG seed (uint32). Default 1. */
  SIM_SEED: env.intBetween(0, 0xffff_ffff, 1),
  /** Simulator start price, cents. Default 9500000 ($95,000). */
  SIM_START_PRICE_CENTS: env.intBetween(100, 100_000_000_000, 9_500_000),
  /** Simulator annualised volatility (0.6 = 60 %/year). Default 0.6. */
  SIM_VOL_ANNUAL: z.coerce.number().positive().max(10).default(0.6),
  /** Mean time between outages of one simulated venue, ms; 0 disables outages. Default 120000. */
  SIM_OUTAGE_MEAN_INTERVAL_MS: env.intBetween(0, 86_400_000, 120_000),
};

export type Config = ConfigOf<typeof shape>;

export function isSimulator(config: Pick<Config, 'VENUES'>): boolean {
  return config.VENUES[0] === 'simulator';
}

export function venueNames(config: Pick<Config, 'VENUES'>): string[] {
  return isSimulator(config) ? DEFAULT_SIM_VENUES.map((v) => v.name) : config.VENUES;
}

export function realVenues(config: Pick<Config, 'VENUES'>): VenueName[] {
  return isSimulator(config) ? [] : (config.VENUES as VenueName[]);
}

export function loadConfig(vars: Env): ConfigResult<Config> {
  const parsed = parseEnv(shape, vars);
  if (!parsed.ok) return parsed;
  const config = parsed.config;
  const problems: string[] = [];
  if (config.MIN_VENUES > venueNames(config).length) {
    problems.push(
      `MIN_VENUES: must not exceed the ${venueNames(config).length} configured venue(s) (got ${config.MIN_VENUES})`,
    );
  }
  if (config.VENUE_BACKOFF_MAX_MS < config.VENUE_BACKOFF_BASE_MS) {
    problems.push('VENUE_BACKOFF_MAX_MS: must be at least VENUE_BACKOFF_BASE_MS');
  }
  return problems.length > 0 ? { ok: false, problems } : parsed;
}
