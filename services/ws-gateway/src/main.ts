/**
 * ws-gateway: the WebSocket fan-out to traders — ticks, breaker changes, their own bet and balance events (SPEC §11).
 * Today it serves its ops routes and holds its Redis connection; the bet-path and price issues add
 * /v1/ws.
 */
import {
  closeRedis,
  createLogger,
  createMetricsRegistry,
  createRedis,
  exitOnBadConfig,
  runDaemon,
} from '@tap/runtime';
import { loadConfig, SERVICE } from './config.js';
import { startWsServer } from './ws/server.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const redis = createRedis(config.REDIS_URL, log, SERVICE);
    stopper.addFinal('redis', () => closeRedis(redis));
    const ws = await startWsServer({
      host: config.WS_HOST,
      port: config.WS_PORT,
      registry,
      health: () => ({ ok: redis.status === 'ready', service: SERVICE, redis: redis.status }),
    });
    stopper.add('ws-listener', () => ws.close());
    log.info({ port: ws.port }, 'ws.listening');
  },
});
