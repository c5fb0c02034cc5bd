/**
 * Reads new prints from `tap:prices` through the `health-monitor` consumer group, without
 * blocking (the breaker loop polls it every tick, on its own timer, so staleness is detected even
 * when nothing arrives). At start the group is moved to the end of the stream and the entries a
 * previous run left unacknowledged are acknowledged unread: the breaker starts open anyway, and the
 * newest print comes from `price:last`.
 */
import { type Channels, decodeEntry, ensureGroup, readGroup } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import { printEntrySchema } from '@tap/domain';
import type { Redis } from '@tap/runtime';

const CONSUMER = 'health-monitor';

export interface PrintBatch {
  prints: PrintEntry[];
  ids: string[];
  malformed: number;
}

export type PrintReader = Awaited<ReturnType<typeof createPrintReader>>;

export async function createPrintReader(redis: Redis, channels: Channels, countMax: number) {
  const { streams, groups, keys } = channels;
  const stream = streams.prices;
  const group = groups.healthMonitor;
  await ensureGroup(redis, stream, group, '$', { moveExisting: true });
  await ackLeftovers(redis, stream, group, countMax);

  return {
    async latest(): Promise<PrintEntry | null> {
      const raw = await redis.get(keys.priceLast);
      if (!raw) return null;
      const parsed = printEntrySchema.safeParse(safeJson(raw));
      return parsed.success ? parsed.data : null;
    },
    async readNew(): Promise<PrintBatch> {
      const entries = await readGroup(redis, {
        group,
        consumer: CONSUMER,
        from: [{ stream, after: '>' }],
        count: countMax,
      });
      const batch: PrintBatch = { prints: [], ids: [], malformed: 0 };
      for (const { id, fields } of entries) {
        batch.ids.push(id);
        const decoded = fields === null ? null : decodeEntry('prices', fields);
        if (decoded?.ok) batch.prints.push(decoded.value);
        else batch.malformed += 1;
      }
      return batch;
    },
  };
}

async function ackLeftovers(redis: Redis, stream: string, group: string, countMax: number): Promise<void> {
  for (;;) {
    const pending = await readGroup(redis, {
      group,
      consumer: CONSUMER,
      from: [{ stream, after: '0' }],
      count: countMax,
    });
    const ids = pending.map(({ id }) => id);
    if (ids.length === 0) return;
    await redis.xack(stream, group, ...ids);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // A corrupt price:last counts as no print: the breaker stays open until a real one arrives.
    return null;
  }
}
