/**
 * ws-gateway: the WebSocket fan-out to traders (SPEC §11) — price ticks and breaker changes to
 * everyone, each trader's own bet and balance events with resume by stream id. Reads `tap:prices`,
 * `tap:events`, `tap:breaker` and the breaker hash; writes nothing.
 */
import { createChannels } from '@tap/channels';
import { bootService, closeRedis, createRedis, runDaemon } from '@tap/runtime';
import { parseTrustedProxies } from './admission/client-address.js';
import { SocketAdmission } from './admission/socket-admission.js';
import { watchSessionEnds } from './auth/session-ends.js';
import { createSessionLookup } from './auth/session-lookup.js';
import { loadConfig, SERVICE } from './config.js';
import { type Feeds, startFeeds } from './feeds/feeds.js';
import { createGatewayMetrics } from './gateway-metrics.js';
import { createReplayer } from './replay/replay-events.js';
import type { ClientSocket } from './session/client-socket.js';
import { createWsServer } from './ws/server.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));
const metrics = createGatewayMetrics(registry);
const channels = createChannels(config.TAP_KEY_PREFIX);
const trusted = parseTrustedProxies(config.WS_TRUSTED_PROXIES);
const admission = new SocketAdmission<ClientSocket>({
  connectionsMax: config.WS_CONNECTIONS_MAX,
  perIpMax: config.WS_CONNECTIONS_PER_IP_MAX,
  perSessionMax: config.WS_SOCKETS_PER_SESSION_MAX,
  resumesPerS: config.WS_RESUMES_PER_S,
  resumeBurst: config.WS_RESUME_BURST,
  userResumesPerS: config.WS_USER_RESUMES_PER_S,
  userResumeBurst: config.WS_USER_RESUME_BURST,
  upgradesPerS: config.WS_UPGRADES_PER_IP_PER_S,
  upgradeBurst: config.WS_UPGRADE_BURST,
  lookupsMax: config.WS_AUTH_LOOKUPS_MAX,
});

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const redis = createRedis(config, log, SERVICE);
    const readerRedis = createRedis(config, log, `${SERVICE}:reader`);
    const subscriber = createRedis(config, log, `${SERVICE}:sessions`);
    stopper.addFinal('redis', () =>
      Promise.all([closeRedis(redis), closeRedis(readerRedis), closeRedis(subscriber)]),
    );

    let feeds: Feeds | undefined;
    const server = createWsServer({
      sendBufferBytesMax: config.WS_SEND_BUFFER_BYTES_MAX,
      idleTimeoutS: config.WS_IDLE_TIMEOUT_S,
      trustedProxies: trusted.ok ? trusted.set : new Set(),
      registry,
      metrics,
      health: () => {
        const readers = feeds?.health();
        const ok = redis.status === 'ready' && readerRedis.status === 'ready' && readers?.ok === true;
        return { ok, service: SERVICE, redis: redis.status, clients: server.connected(), readers };
      },
    });
    feeds = await startFeeds({ redis, readerRedis, channels, publish: server.publish, config, metrics, log });
    const sessionEnds = await watchSessionEnds({
      redis,
      subscriber,
      channels,
      admission,
      recheckMs: config.WS_SESSION_RECHECK_MS,
      metrics,
      log,
      now: Date.now,
    });
    const listening = await server.listen(config.WS_HOST, config.WS_PORT, {
      authTimeoutMs: config.WS_AUTH_TIMEOUT_MS,
      lookupSession: createSessionLookup(redis, channels),
      snapshots: feeds.snapshots,
      eventsPosition: () => feeds.events.lastId(),
      replay: createReplayer({ recent: feeds.recent, metrics, now: Date.now }),
      admission,
      messagesPerS: config.WS_MESSAGES_PER_S,
      metrics,
      log,
      now: Date.now,
    });
    // Stop order: no new connections, no new input, then say goodbye to every client (1001).
    stopper.add('ws-listener', () => listening.close());
    stopper.add('feeds', () => feeds?.stop());
    stopper.add('session-ends', () => sessionEnds.stop());
    stopper.add('ws-sockets', () => server.closeAll());
    log.info({ port: listening.port }, 'ws.listening');
  },
});
