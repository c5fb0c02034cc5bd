/**
 * ingest-api: the public HTTP API (behind nginx) — wallet login, bet admission and the trader's
 * read-only queries (SPEC §5, §6).
 *
 * The bundle is also the entry of the signature-recovery worker threads and of the reader worker
 * thread that runs every SQLite query: the switches below must run first, and in a worker nothing
 * else does (a login storm and a history flood are served off this event loop).
 */
import { createChannels } from '@tap/channels';
import { bootService, closeRedis, createRedis, runDaemon } from '@tap/runtime';
import { createSignaturePool, runSignatureWorkerIfWorker } from '@tap/signatures';
import { createApiDeps } from './api-deps.js';
import { loadConfig, memoryRulesOf, SERVICE } from './config.js';
import { startHttpServer } from './http/server.js';
import { checkTrading, startMarketState, tradingOf } from './market/market-state.js';
import { startRedisMemory } from './market/redis-memory.js';
import { runReaderWorkerIfWorker } from './reader/reader-worker.js';

if (!runSignatureWorkerIfWorker() && !runReaderWorkerIfWorker()) startApi();

function startApi(): void {
  const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));
  const channels = createChannels(config.TAP_KEY_PREFIX);

  void runDaemon({
    service: SERVICE,
    log,
    async start(stopper) {
      const redis = createRedis(config, log, SERVICE, {
        commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
      });
      stopper.addFinal('redis', () => closeRedis(redis));
      const signatures = createSignaturePool({
        workerUrl: new URL(import.meta.url),
        size: config.LOGIN_WORKERS,
        queueMax: config.LOGIN_QUEUE_MAX,
        onWorkerError: (err) => log.error({ err }, 'signature.worker_error'),
      });
      stopper.addFinal('signature-pool', () => signatures.close());
      const market = startMarketState(redis, channels, log, config.MARKET_REFRESH_MS);
      stopper.add('market-state', () => market.stop());
      const memory = startRedisMemory({
        redis,
        log,
        registry,
        refreshMs: config.REDIS_MEMORY_REFRESH_MS,
        rules: memoryRulesOf(config),
      });
      stopper.add('redis-memory', () => memory.stop());
      const workerUrl = new URL(import.meta.url);
      const parts = { config, log, redis, channels, registry, signatures, market, memory, workerUrl };
      const api = createApiDeps(parts);
      stopper.addFinal('reader', () => api.reader.close());

      const http = await startHttpServer({
        host: config.HTTP_HOST,
        port: config.HTTP_PORT,
        registry,
        api,
        health: () => ({
          ok: redis.status === 'ready',
          service: SERVICE,
          redis: redis.status,
          demoMode: config.DEMO_MODE,
          logins: signatures.stats(),
          reader: api.reader.stats(),
          // Whether a bet would pass the market checks now (not part of ok: a halted market is a
          // state of the feed, not of this process). Tests wait on it instead of racing the refresh.
          // The same market and rules admission checks (api.bets).
          trading: tradingOf(checkTrading(api.bets.market.snapshot(), Date.now(), api.bets)),
        }),
      });
      stopper.add('http-listener', () => http.close());
      if (config.DEMO_MODE)
        log.warn(
          {
            demoMode: true,
            warning: 'bets on simulated prices are accepted; POST /v1/demo/faucet gives play money',
            faucetMicros: config.DEMO_FAUCET_MICROS,
          },
          'api.demo_mode',
        );
      log.info({ port: http.port, loginWorkers: config.LOGIN_WORKERS }, 'http.listening');
    },
  });
}
