/**
 * health-monitor: the stale-price circuit breaker (SPEC §9). Every BREAKER_TICK_MS it reads new
 * prints from `tap:prices` (consumer group `health-monitor`), runs the pure breaker state machine
 * (open on a print ≥ 10 s old or with too few venues, on price-ingest's report of a print it could
 * not store (`prices:write-failed` pub/sub), or while an operator's `tapctl halt` is in
 * force; closed after 30 s of continuous health; open at start), and writes `breaker:state` with a heartbeat; changes also go to `tap:breaker`,
 * `breaker:changes` (pub/sub) and `breaker:intervals`. /healthz is the daemon's health, with the
 * breaker state in the body. SIGTERM: stop the timer (finishing the tick in flight), close Redis.
 */
import { createChannels } from '@tap/channels';
import { bootService, runDaemon, startDaemonBase } from '@tap/runtime';
import { type BreakerLoop, startBreakerLoop } from './breaker/breaker-loop.js';
import { createBreakerStore } from './breaker/breaker-store.js';
import { createPrintReader } from './breaker/print-reader.js';
import { listenForWriteFailures } from './breaker/write-failures.js';
import { loadConfig, SERVICE } from './config.js';
import { monitorHealth } from './monitor-health.js';
import { createMonitorMetrics } from './monitor-metrics.js';

const PRINTS_PER_READ_MAX = 1_000;

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));
const metrics = createMonitorMetrics(registry);
const channels = createChannels(config.TAP_KEY_PREFIX);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    let loop: BreakerLoop | undefined;
    const { redis } = await startDaemonBase({
      service: SERVICE,
      config,
      log,
      registry,
      stopper,
      health: () => monitorHealth(loop?.machine() ?? null, loop?.lastHeartbeatAt() ?? null, Date.now()),
    });
    const writeFailures = await listenForWriteFailures(redis, channels, log);
    stopper.addFinal('write-failures', () => writeFailures.close());
    loop = await startBreakerLoop({
      reader: await createPrintReader(redis, channels, PRINTS_PER_READ_MAX),
      writeFailures,
      store: await createBreakerStore(redis, channels),
      rules: {
        staleMs: config.BREAKER_STALE_MS,
        minVenues: config.BREAKER_MIN_VENUES,
        recoveryMs: config.BREAKER_RECOVERY_MS,
      },
      tickMs: config.BREAKER_TICK_MS,
      metrics,
      log,
    });
    stopper.add('breaker-loop', () => loop?.stop());
  },
});
