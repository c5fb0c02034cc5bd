/**
 * What every long-running daemon starts with: its Redis connection and its ops endpoint
 * (/healthz, /metrics). Health is Redis readiness plus whatever the daemon adds; both are closed
 * as final stop steps, after the daemon's own input and drain steps.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Stopper } from './lifecycle.js';
import { type HealthReport, type OpsServer, startOpsServer } from './ops-server.js';
import { closeRedis, createRedis, type Redis, type RedisTarget } from './redis.js';

export interface DaemonBase {
  redis: Redis;
  ops: OpsServer;
}

export async function startDaemonBase(options: {
  service: string;
  config: RedisTarget & { OPS_HOST: string; OPS_PORT: number };
  log: Logger;
  registry: Registry;
  stopper: Stopper;
  /** Extra health details; the daemon is healthy when Redis is ready and this says ok. */
  health?: () => HealthReport;
}): Promise<DaemonBase> {
  const { service, config, log, registry, stopper } = options;
  const redis = createRedis(config, log, service);
  stopper.addFinal('redis', () => closeRedis(redis));
  const ops = await startOpsServer({
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    registry,
    health: () => {
      const extra = options.health?.() ?? { ok: true };
      return { ...extra, ok: redis.status === 'ready' && extra.ok, service, redis: redis.status };
    },
  });
  stopper.addFinal('ops-server', () => ops.close());
  log.info({ opsPort: ops.port }, 'ops.listening');
  return { redis, ops };
}
