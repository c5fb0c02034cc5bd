/**
 * Starts everything the gateway reads from Redis: one reader loop over `tap:prices`, `tap:events`
 * and `tap:breaker` (each from its newest entry at start), plus a poll of the breaker hash for its
 * heartbeat. Holds the snapshots a new socket gets after `ready` and the resume window.
 */
import { type Channels, decodeEntry, ZERO_STREAM_ID } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type { Config } from '../config.js';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { TOPICS } from '../protocol/topics.js';
import type { RecentEvents } from '../replay/recent-events.js';
import { seedRecentEvents } from '../replay/seed-recent-events.js';
import { BreakerFeed } from './breaker-feed.js';
import { EventFeed } from './event-feed.js';
import { type StreamEntry, type StreamReader, startStreamReader } from './stream-reader.js';
import { type OnMalformed, type Publish, TickFeed } from './tick-feed.js';

export interface Feeds {
  events: EventFeed;
  /** The resume window: user events published since the start, bounded (recent-events.ts). */
  recent: RecentEvents;
  /** Sent to every socket right after `ready`: the breaker state, then the latest tick if any. */
  snapshots(): string[];
  health(): { ok: boolean; positions: Record<string, string>; breaker: string; resumable: number };
  stop(): Promise<void>;
}

type FeedConfig = Pick<
  Config,
  | 'WS_READ_BLOCK_MS'
  | 'WS_READ_COUNT_MAX'
  | 'WS_RESUME_WINDOW_MS'
  | 'WS_RESUME_EVENTS_MAX'
  | 'WS_REPLAY_EVENTS_MAX'
  | 'WS_BREAKER_STALE_MS'
  | 'WS_BREAKER_POLL_MS'
>;

export async function startFeeds(options: {
  redis: Redis;
  /** A connection of its own: XREAD BLOCK holds it. */
  readerRedis: Redis;
  channels: Channels;
  publish: Publish;
  config: FeedConfig;
  metrics: GatewayMetrics;
  log: Logger;
}): Promise<Feeds> {
  const { redis, channels, publish, config, metrics, log } = options;
  const { streams, keys } = channels;
  const onMalformed =
    (stream: string): OnMalformed =>
    (id, reason) => {
      metrics.entriesMalformed.inc({ stream });
      log.warn({ stream, id, reason }, 'entry.malformed');
    };
  const ticks = new TickFeed(publish, onMalformed('prices'));
  const breaker = new BreakerFeed({
    staleAfterMs: config.WS_BREAKER_STALE_MS,
    now: Date.now,
    publish: (message) => publish(TOPICS.breaker, message),
  });

  const [pricesId, eventsId, breakerId, priceLast, breakerHash] = await Promise.all([
    newestId(redis, streams.prices),
    newestId(redis, streams.events),
    newestId(redis, streams.breaker),
    redis.get(keys.priceLast).catch((err: unknown) => {
      log.warn({ err }, 'price_last.unreadable');
      return null;
    }),
    redis.hgetall(keys.breakerState),
  ]);
  ticks.seed(priceLast);
  breaker.applyHash(breakerHash);
  // The resume window starts with what tap:events still holds from its span (seed-recent-events.ts).
  const { recent, seeded } = await seedRecentEvents({
    redis,
    stream: streams.events,
    upToId: eventsId,
    nowMs: Date.now(),
    limits: {
      windowMs: config.WS_RESUME_WINDOW_MS,
      eventsMax: config.WS_RESUME_EVENTS_MAX,
      replayMax: config.WS_REPLAY_EVENTS_MAX,
    },
    pageSize: config.WS_READ_COUNT_MAX,
  });
  log.info({ seeded }, 'resume_window.seeded');
  const events = new EventFeed({ startId: eventsId, recent, publish, onMalformed: onMalformed('events') });

  let polling = false;
  const pollBreaker = () => {
    if (polling) return;
    polling = true;
    redis
      .hgetall(keys.breakerState)
      .then((hash) => breaker.applyHash(hash))
      .catch((err: unknown) => {
        log.debug({ err }, 'breaker.poll_failed');
        breaker.refresh();
      })
      .finally(() => {
        polling = false;
      });
  };
  const poll = setInterval(pollBreaker, config.WS_BREAKER_POLL_MS);
  const onBreakerMalformed = onMalformed('breaker');
  const onBreakerEntries = (entries: readonly StreamEntry[]) => {
    for (const [id, fields] of entries) {
      const decoded = decodeEntry('breaker', fields);
      if (decoded.ok) breaker.applyEntry(decoded.value);
      else onBreakerMalformed(id, decoded.reason);
    }
    pollBreaker(); // picks up the heartbeat that came with the change
  };

  const reader: StreamReader = startStreamReader({
    redis: options.readerRedis,
    handlers: [
      { name: 'prices', stream: streams.prices, startId: pricesId, onEntries: (e) => ticks.onEntries(e) },
      { name: 'events', stream: streams.events, startId: eventsId, onEntries: (e) => events.onEntries(e) },
      { name: 'breaker', stream: streams.breaker, startId: breakerId, onEntries: onBreakerEntries },
    ],
    blockMs: config.WS_READ_BLOCK_MS,
    countMax: config.WS_READ_COUNT_MAX,
    metrics,
    log,
  });

  return {
    events,
    recent,
    snapshots: () => {
      const tick = ticks.snapshot();
      return tick === undefined ? [breaker.snapshot()] : [breaker.snapshot(), tick];
    },
    health: () => ({
      ok: reader.healthy(),
      positions: reader.positions(),
      breaker: breaker.view().state,
      resumable: recent.size,
    }),
    async stop() {
      clearInterval(poll);
      await reader.stop();
    },
  };
}

/** The id of a stream's newest entry, or 0-0 when it is empty or missing. */
async function newestId(redis: Redis, stream: string): Promise<string> {
  const [newest] = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
  return newest?.[0] ?? ZERO_STREAM_ID;
}
