/**
 * One XREAD loop over several streams on its own Redis connection (a blocking read holds the
 * connection). Each stream's position starts at a concrete id and advances after its handler ran,
 * synchronously, so "position" always means "everything up to here was handled". The BLOCK is
 * bounded; `stop()` also disconnects, so a pending read ends at once instead of after the BLOCK.
 * A failed read is counted, logged and retried after a pause from the same positions.
 */

import { streamIdTimeMs } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type { GatewayMetrics } from '../gateway-metrics.js';

/** An entry as XREAD and XRANGE return it: the id and the flat [name, value, …] fields. */
export type StreamEntry = [id: string, fields: string[]];

export interface StreamHandler {
  /** Short name for metrics and logs ("prices", "events", "breaker"). */
  name: string;
  stream: string;
  startId: string;
  onEntries(entries: readonly StreamEntry[]): void;
}

export interface StreamReader {
  positions(): Record<string, string>;
  /** True unless the last read failed. */
  healthy(): boolean;
  stop(): Promise<void>;
}

const RETRY_PAUSE_MS = 500;

export function startStreamReader(options: {
  redis: Redis;
  handlers: readonly StreamHandler[];
  blockMs: number;
  countMax: number;
  metrics: GatewayMetrics;
  log: Logger;
}): StreamReader {
  const { redis, handlers, metrics, log } = options;
  const ids = handlers.map((handler) => handler.startId);
  const indexOf = new Map(handlers.map((handler, index) => [handler.stream, index]));
  let stopping = false;
  let healthy = true;
  let wake: (() => void) | undefined;

  const handle = (reply: [string, StreamEntry[]][]) => {
    const now = Date.now();
    for (const [stream, entries] of reply) {
      const index = indexOf.get(stream);
      const handler = index === undefined ? undefined : handlers[index];
      const last = entries.at(-1);
      if (!handler || index === undefined || !last) continue;
      handler.onEntries(entries);
      ids[index] = last[0];
      metrics.readerLag.set({ stream: handler.name }, Math.max(0, now - streamIdTimeMs(last[0])) / 1000);
    }
  };

  const loop = async () => {
    const streams = handlers.map((handler) => handler.stream);
    while (!stopping) {
      let reply: [string, StreamEntry[]][] | null;
      try {
        reply = await redis.xread(
          'COUNT',
          options.countMax,
          'BLOCK',
          options.blockMs,
          'STREAMS',
          ...streams,
          ...ids,
        );
        healthy = true;
      } catch (err) {
        if (stopping) break;
        healthy = false;
        metrics.readerErrors.inc();
        log.warn({ err }, 'reader.read_failed');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RETRY_PAUSE_MS);
        });
        continue;
      }
      // Outside the try: a handler that throws is a bug and must crash, not re-handle the batch.
      if (reply) handle(reply);
    }
  };
  const running = loop();

  return {
    positions: () => Object.fromEntries(handlers.map((handler, index) => [handler.name, ids[index] ?? ''])),
    healthy: () => healthy,
    async stop() {
      stopping = true;
      wake?.();
      redis.disconnect();
      await running;
    },
  };
}
