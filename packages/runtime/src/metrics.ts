/** One prom-client registry per daemon, with the process metrics and a `service` label on everything. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * Timer jobs pass `processMetrics: false`: their registry ends up in a node-exporter textfile,
 * where the heap size of a process that has exited would only be noise.
 */
export function createMetricsRegistry(service: string, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
