/**
 * price-ingest: publishes the BTC/USD index print every 100 ms from venue quotes or the simulator (SPEC §9).
 * Venue adapters, the simulator and the index land with the price issue; today it runs the ops endpoint and its Redis connection.
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
