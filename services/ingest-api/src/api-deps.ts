/**
 * Builds the parts the /v1 routes use from the config: sessions, the login use case over the
 * signature pool, the bet admission over the market state and the Lua script, the rate limit, the
 * reader worker thread that owns the read-only segment connections, and the restore side of the
 * historical queries over archived segments.
 */
import { Worker } from 'node:worker_threads';
import type { Channels } from '@tap/channels';
import { createPrintQuoteMemo, createServiceFillDelay, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import type { Logger, Redis, Registry } from '@tap/runtime';
import type { SignaturePool } from '@tap/signatures';
import { SessionStore } from './auth/sessions.js';
import { createAdmission } from './bets/admission-script.js';
import { createBetIdFactory } from './bets/bet-id.js';
import { type Config, exposureLimitsOf, fillDelayOf } from './config.js';
import { createFaucet } from './demo/faucet.js';
import { createHttpMetrics } from './http/metrics.js';
import type { ApiDeps } from './http/routes.js';
import { checkBatcher } from './market/batcher-check.js';
import type { MarketState } from './market/market-state.js';
import type { RedisMemory } from './market/redis-memory.js';
import { createHistory } from './queries/history.js';
import { createLocalTokenBucket } from './rate-limit/local-token-bucket.js';
import { createTokenBucket } from './rate-limit/token-bucket.js';
import { createReaderPool, type ReaderPool } from './reader/reader-pool.js';
import { READER_WORKER_ROLE, type ReaderWorkerData } from './reader/reader-protocol.js';

export function createApiDeps(parts: {
  config: Config;
  log: Logger;
  redis: Redis;
  channels: Channels;
  registry: Registry;
  signatures: SignaturePool;
  market: MarketState;
  memory: RedisMemory;
  /** The service's main module: the reader worker runs it with its role in workerData. */
  workerUrl: URL;
}): ApiDeps {
  const { config, redis, channels } = parts;
  const sessions = new SessionStore(redis, channels, config.SESSION_TTL_S, config.SESSIONS_PER_WALLET_MAX);
  const rateLimitRule = { ratePerS: config.RATE_LIMIT_PER_S, burst: config.RATE_LIMIT_BURST };
  const perHour = (jobs: number) => ({ ratePerS: jobs / 3_600, burst: jobs });
  const fillDelay = fillDelayOf(config);
  let reader: ReaderPool | null = null;
  const metrics = createHttpMetrics(parts.registry, {
    batcherAdmits: () =>
      checkBatcher(parts.market.snapshot().batcher, Date.now(), {
        batcherHeartbeatAgeMsMax: config.BATCHER_HEARTBEAT_AGE_MS_MAX,
        batcherLagMsMax: config.BATCHER_LAG_MS_MAX,
      }).ok,
    readerQueued: () => reader?.stats().queued ?? 0,
  });
  reader = startReader(parts, metrics);
  return {
    log: parts.log,
    redis,
    channels,
    sessions,
    memory: parts.memory,
    bodyBytesMax: config.BODY_BYTES_MAX,
    metrics,
    now: Date.now,
    reader,
    listRangeMsMax: config.LIST_RANGE_DAYS_MAX * 86_400_000,
    historyRanges: createLocalTokenBucket({
      ratePerS: config.HISTORY_RANGES_PER_S,
      burst: config.HISTORY_RANGES_BURST,
    }),
    history: createHistory({
      redis,
      channels,
      now: Date.now,
      perWallet: createTokenBucket(redis, perHour(config.RESTORE_JOBS_PER_HOUR_PER_WALLET)),
      global: createTokenBucket(redis, perHour(config.RESTORE_JOBS_PER_HOUR)),
      queuedMax: config.RESTORE_QUEUE_MAX,
    }),
    faucet: config.DEMO_MODE
      ? createFaucet(
          redis,
          channels,
          {
            amountMicros: config.DEMO_FAUCET_MICROS,
            walletMicrosMax: config.DEMO_FAUCET_WALLET_MICROS_MAX,
            operatorKeyHex: config.OPERATOR_MAC_KEY ?? '',
          },
          Date.now,
        )
      : undefined,
    login: {
      verifier: parts.signatures,
      sessions,
      redis,
      channels,
      policy: {
        domain: config.LOGIN_DOMAIN,
        uri: config.LOGIN_URI,
        chainIds: config.LOGIN_CHAIN_IDS,
        skewMs: config.LOGIN_SKEW_MS,
      },
      nonceTtlS: config.NONCE_TTL_S,
      memory: parts.memory,
      now: Date.now,
      budget: createLocalTokenBucket({ ratePerS: config.LOGIN_RATE_PER_S, burst: config.LOGIN_BURST }),
    },
    bets: {
      market: parts.market,
      memory: parts.memory,
      rateLimit: createTokenBucket(redis, rateLimitRule),
      admit: createAdmission(redis, channels, exposureLimitsOf(config), rateLimitRule, {
        betsMax: config.ADMIT_BATCH_BETS_MAX,
        callsInFlightMax: config.ADMIT_CALLS_IN_FLIGHT_MAX,
      }),
      redis,
      channels,
      pricing: DEFAULT_PRICING_CONFIG,
      quotes: createPrintQuoteMemo(),
      stakeMicrosMin: config.STAKE_MICROS_MIN,
      stakeMicrosMax: config.STAKE_MICROS_MAX,
      heartbeatAgeMsMax: config.BREAKER_HEARTBEAT_AGE_MS_MAX,
      batcherHeartbeatAgeMsMax: config.BATCHER_HEARTBEAT_AGE_MS_MAX,
      batcherLagMsMax: config.BATCHER_LAG_MS_MAX,
      printAgeMsMax: config.PRINT_AGE_MS_MAX,
      entry: {
        mode: config.BET_ENTRY,
        reservePct: config.BET_ENTRY_RESERVE_PCT,
        delay: fillDelay,
        fillPrints: createServiceFillDelay(
          fillDelay,
          DEFAULT_PRICING_CONFIG.printIntervalMs,
          config.BET_ENTRY_DELAY_EASE_PCT,
        ),
      },
      demoMode: config.DEMO_MODE,
      newBetId: createBetIdFactory(),
    },
  };
}

/** The reader worker thread; every replacement is logged and counted by reason. */
function startReader(
  parts: { config: Config; log: Logger; workerUrl: URL },
  metrics: ReturnType<typeof createHttpMetrics>,
): ReaderPool {
  const { config, log } = parts;
  const workerData: ReaderWorkerData = {
    role: READER_WORKER_ROLE,
    dataDir: config.DATA_DIR,
    segmentsPerQueryMax: config.HISTORY_SEGMENTS_PER_QUERY_MAX,
  };
  return createReaderPool({
    spawn: () => new Worker(parts.workerUrl, { workerData }),
    queueMax: config.READER_QUEUE_MAX,
    queryTimeoutMs: config.READER_QUERY_TIMEOUT_MS,
    onRestart: (reason, err) => {
      metrics.readerRestarts.inc({ reason });
      log.error({ err, reason }, 'reader.worker_replaced');
    },
    onWorkerError: (err) => log.error({ err }, 'reader.worker_error'),
  });
}
