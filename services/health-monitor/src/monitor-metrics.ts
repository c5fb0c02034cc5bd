/** health-monitor's Prometheus metrics, in one place so the README table matches what is served. */
import { Counter, Gauge, type Registry } from '@tap/runtime';

export type MonitorMetrics = ReturnType<typeof createMonitorMetrics>;

export function createMonitorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    breakerOpen: new Gauge({
      name: 'tap_health_monitor_breaker_open',
      help: 'Breaker state: 1 open (trading halted), 0 closed',
      registers,
    }),
    printAge: new Gauge({
      name: 'tap_health_monitor_print_age_seconds',
      help: 'Age of the newest index print seen',
      registers,
    }),
    opens: new Counter({
      name: 'tap_health_monitor_breaker_opens_total',
      help: 'Open intervals recorded (breaker transitions to open)',
      labelNames: ['reason'],
      registers,
    }),
    printsRead: new Counter({
      name: 'tap_health_monitor_prints_read_total',
      help: 'Prints read from the prices stream, by result (ok, malformed)',
      labelNames: ['result'],
      registers,
    }),
    tickErrors: new Counter({
      name: 'tap_health_monitor_tick_errors_total',
      help: 'Ticks whose Redis read or write failed (the heartbeat was not written)',
      registers,
    }),
  };
}
