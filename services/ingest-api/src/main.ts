/**
 * ingest-api: the public HTTP API (behind nginx) — wallet login and bet admission (SPEC §5, §6).
 * Today it serves its ops routes and holds its Redis connection; the login and bet-path issues
 * add the /v1 routes.
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
import { startHttpServer } from './http/server.js';

const config = exitOnBadConfig(SERVICE, loadConfig(process.env));
const log = createLogger(SERVICE, config.LOG_LEVEL);
const registry = createMetricsRegistry(SERVICE);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const redis = createRedis(config.REDIS_URL, log, SERVICE);
    stopper.addFinal('redis', () => closeRedis(redis));
    const http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      registry,
      health: () => ({ ok: redis.status === 'ready', service: SERVICE, redis: redis.status }),
    });
    stopper.add('http-listener', () => http.close());
    log.info({ port: http.port }, 'http.listening');
  },
});
