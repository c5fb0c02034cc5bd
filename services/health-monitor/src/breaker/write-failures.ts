/**
 * price-ingest's notices of prints it could not store (`pubsub.priceWriteFailures`, issue 16: a
 * Redis write failure in price-ingest is a breaker event, not a silent gap). A subscriber
 * connection of its own collects them; the breaker loop takes them on its next tick, so the state
 * machine is only ever stepped from the tick.
 *
 * Pub/sub is lossy by design: a notice sent while this connection is down is lost. price-ingest
 * sends one per failed print (every δ while failures last), and a feed that stops altogether is
 * caught by the staleness rule anyway; a single lost notice leaves at most a one-print hole.
 */
import type { Channels } from '@tap/channels';
import { closeRedis, type Logger, type Redis, subscribeWhenReady } from '@tap/runtime';

const QUEUED_MAX = 1_000;

export interface WriteFailures {
  /** The print times reported since the last call, oldest first. */
  take(): number[];
  close(): Promise<void>;
}

export async function listenForWriteFailures(
  redis: Redis,
  channels: Channels,
  log: Logger,
): Promise<WriteFailures> {
  const subscriber = redis.duplicate({ connectionName: 'health-monitor-write-failures' });
  let queued: number[] = [];
  subscriber.on('error', (err: unknown) => log.warn({ err }, 'write_failures.subscriber_error'));
  subscriber.on('message', (_channel: string, message: string) => {
    const t = noticeTime(message);
    if (t === null) return log.warn({ message: message.slice(0, 200) }, 'write_failures.malformed_notice');
    if (queued.length < QUEUED_MAX) queued.push(t);
  });
  await subscribeWhenReady(subscriber, channels.pubsub.priceWriteFailures);
  return {
    take() {
      const taken = queued;
      queued = [];
      return taken;
    },
    close: () => closeRedis(subscriber),
  };
}

/** The print time of a notice `{t, error}`; a notice without a usable one counts from now. */
function noticeTime(message: string): number | null {
  try {
    const t = (JSON.parse(message) as { t?: unknown }).t;
    return typeof t === 'number' && Number.isSafeInteger(t) && t > 0 ? t : Date.now();
  } catch {
    return null;
  }
}
