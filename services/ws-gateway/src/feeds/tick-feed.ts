/**
 * Index prints → `tick` messages on the `ticks` topic: one serialization per print, however many
 * sockets (uWS topic publish). The latest tick is kept as the snapshot every new socket gets at
 * auth, so its chart is never empty; it is seeded from `price:last` at start and afterwards is
 * always the last tick published, so a snapshot is never newer than the live ticks that follow it.
 */
import { decodeEntry } from '@tap/channels';
import { printEntrySchema } from '@tap/domain';
import { tickMessage } from '../protocol/server-message.js';
import { TOPICS } from '../protocol/topics.js';
import type { StreamEntry } from './stream-reader.js';

export type Publish = (topic: string, message: string) => void;
export type OnMalformed = (id: string, reason: string) => void;

export class TickFeed {
  #snapshot: string | undefined;

  constructor(
    private readonly publish: Publish,
    private readonly onMalformed: OnMalformed,
  ) {}

  /** `priceLast` is the JSON PrintEntry at `keys.priceLast` (or null before the first print). */
  seed(priceLast: string | null): void {
    if (priceLast === null) return;
    let json: unknown;
    try {
      json = JSON.parse(priceLast);
    } catch {
      this.onMalformed('price:last', 'not JSON');
      return;
    }
    const print = printEntrySchema.safeParse(json);
    if (print.success) this.#snapshot = tickMessage(print.data);
    else this.onMalformed('price:last', print.error.message);
  }

  onEntries(entries: readonly StreamEntry[]): void {
    for (const [id, fields] of entries) {
      const decoded = decodeEntry('prices', fields);
      if (!decoded.ok) {
        this.onMalformed(id, decoded.reason);
        continue;
      }
      this.#snapshot = tickMessage(decoded.value);
      this.publish(TOPICS.ticks, this.#snapshot);
    }
  }

  snapshot(): string | undefined {
    return this.#snapshot;
  }
}
