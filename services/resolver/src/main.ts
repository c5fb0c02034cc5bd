/**
 * resolver: detects touches on open bets from index prints and emits settlements (SPEC §4).
 * Touch detection lands with the settlement issue; today it runs the ops endpoint and its Redis connection.
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
