/**
 * The live half of user events: every `tap:events` entry goes to the topic of its user (only that
 * user's sockets are subscribed) and to any resume in progress for that user (catch-ups.ts).
 * `lastId()` is the reader's position: every entry up to it has been published.
 */
import { eventMessage } from '../protocol/server-message.js';
import { TOPICS } from '../protocol/topics.js';
import type { CatchUps } from '../replay/catch-ups.js';
import type { StreamEntry } from '../replay/user-events.js';
import type { OnMalformed, Publish } from './tick-feed.js';

export class EventFeed {
  #lastId: string;

  constructor(
    private readonly options: {
      startId: string;
      catchUps: CatchUps;
      publish: Publish;
      onMalformed: OnMalformed;
    },
  ) {
    this.#lastId = options.startId;
  }

  onEntries(entries: readonly StreamEntry[]): void {
    const { catchUps, publish, onMalformed } = this.options;
    for (const [id, fields] of entries) {
      this.#lastId = id;
      const built = eventMessage(id, fields);
      if (!built.ok) {
        onMalformed(id, built.reason);
        continue;
      }
      // One decode and one message per entry, however many sockets the topic publish reaches.
      const { event, message } = built;
      publish(TOPICS.user(event.userId), message);
      catchUps.deliver(event.userId, id, message);
    }
  }

  lastId(): string {
    return this.#lastId;
  }
}
