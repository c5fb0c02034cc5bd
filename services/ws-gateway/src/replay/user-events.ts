/**
 * One page of `tap:events` (every user's events) → the messages for one user, in stream order.
 * Most entries belong to others, so the raw fields are scanned for the user id before an entry is
 * parsed and validated; the parsed `userId` then decides.
 */
import { eventMessage } from '../protocol/server-message.js';

/** An entry as XREAD and XRANGE return it: the id and the flat [name, value, …] fields. */
export type StreamEntry = [id: string, fields: string[]];

export interface UserPage {
  /** Entries of this user, as `{ id, message }` in stream order. */
  events: { id: string; message: string }[];
  /** Id of the page's last entry, whoever it belongs to: the cursor of the next page. */
  lastId: string | undefined;
}

export function userEventsInPage(
  entries: readonly StreamEntry[],
  userId: string,
  onMalformed: (id: string, reason: string) => void = () => {},
): UserPage {
  const events: UserPage['events'] = [];
  for (const [id, fields] of entries) {
    if (!fields.some((field) => field.includes(userId))) continue;
    const built = eventMessage(id, fields);
    if (!built.ok) {
      onMalformed(id, built.reason);
      continue;
    }
    if (built.event.userId === userId) events.push({ id, message: built.message });
  }
  return { events, lastId: entries.at(-1)?.[0] };
}
