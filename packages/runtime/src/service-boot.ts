/**
 * The first line of every service's main.ts: its configuration (every bad variable printed, exit 78,
 * by `exitOnBadConfig`), its pino logger and its Prometheus registry, each named for the service —
 * so a new daemon or job starts as the others do and the three cannot be named apart.
 *
 * `processMetrics`: Node's process metrics on the registry (default on). Timer jobs turn them off
 * (their textfile holds only the run's gauges); a service whose modes differ decides from its config.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ConfigResult, exitOnBadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createMetricsRegistry } from './metrics.js';

export interface ServiceBoot<T> {
  config: T;
  log: Logger;
  registry: Registry;
}

export function bootService<T extends { LOG_LEVEL: string }>(
  service: string,
  result: ConfigResult<T>,
  options: { processMetrics?: boolean | ((config: T) => boolean) } = {},
): ServiceBoot<T> {
  const config = exitOnBadConfig(service, result);
  const log = createLogger(service, config.LOG_LEVEL);
  const { processMetrics } = options;
  const registry = createMetricsRegistry(service, {
    processMetrics: typeof processMetrics === 'function' ? processMetrics(config) : processMetrics,
  });
  return { config, log, registry };
}
