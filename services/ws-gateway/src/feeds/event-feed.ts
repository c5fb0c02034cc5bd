/**
 * The live half of user events: every `tap:events` entry goes to the topic of its user (only that
 * user's sockets are subscribed) and into the resume window (recent-events.ts), in the same
 * synchronous step, so what a resume finds held is exactly what the topic has published.
 * `lastId()` is the reader's position: every entry up to it has been published.
 */
import { eventMessage } from '../protocol/server-message.js';
import { TOPICS } from '../protocol/topics.js';
import type { RecentEvents } from '../replay/recent-events.js';
import type { StreamEntry } from './stream-reader.js';
import type { OnMalformed, Publish } from './tick-feed.js';

export class EventFeed {
  #lastId: string;

  constructor(
    private readonly options: {
      startId: string;
      recent: RecentEvents;
      publish: Publish;
      onMalformed: OnMalformed;
    },
  ) {
    this.#lastId = options.startId;
  }

  onEntries(entries: readonly StreamEntry[]): void {
    const { recent, publish, onMalformed } = this.options;
    for (const [id, fields] of entries) {
      this.#lastId = id;
      const built = eventMessage(id, fields);
      if (!built.ok) {
        recent.advance(id);
        onMalformed(id, built.reason);
        continue;
      }
      // One decode and one message per entry, however many sockets the topic publish reaches.
      const { event, message } = built;
      publish(TOPICS.user(event.userId), message);
      recent.append(id, event.userId, message);
    }
  }

  lastId(): string {
    return this.#lastId;
  }
}
