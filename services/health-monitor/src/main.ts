/**
 * health-monitor: the stale-price circuit breaker (SPEC §9) — opens on stale prints or too few venues, closes after 30 s of health.
 * The breaker state machine lands with the price issue; today it runs the ops endpoint and its Redis connection.
 */
import {
  createLogger,
  createMetricsRegistry,
  exitOnBadConfig,
  runDaemon,
  startDaemonBase,
} from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    await startDaemonBase({ service: SERVICE, config, log, registry, stopper });
  },
});
