import { encodeEntry } from '@tap/channels';
import { TEST_USER } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { TOPICS } from '../protocol/topics.js';
import { RecentEvents } from '../replay/recent-events.js';
import { EventFeed } from './event-feed.js';
import type { StreamEntry } from './stream-reader.js';

function recorder() {
  const published: { topic: string; message: Record<string, unknown> }[] = [];
  const malformed: string[] = [];
  return {
    published,
    malformed,
    publish: (topic: string, message: string) => published.push({ topic, message: JSON.parse(message) }),
    onMalformed: (id: string) => malformed.push(id),
  };
}

describe('EventFeed', () => {
  it('publishes each event to its user topic with its stream id, holds it for resumes and advances its position', () => {
    const r = recorder();
    const recent = new RecentEvents({ windowMs: 60_000, eventsMax: 10, replayMax: 10 }, '0-0');
    const feed = new EventFeed({ startId: '0-0', recent, publish: r.publish, onMalformed: r.onMalformed });
    const event = {
      type: 'balance',
      userId: TEST_USER,
      balanceMicros: 1,
      refType: 'deposit',
      refId: 'x',
    } as const;
    const entries: StreamEntry[] = [
      ['5-0', encodeEntry('events', event)],
      ['6-0', ['d', 'nope']],
    ];
    feed.onEntries(entries);
    expect(r.published).toEqual([{ topic: TOPICS.user(TEST_USER), message: { ...event, id: '5-0' } }]);
    expect(r.malformed).toEqual(['6-0']);
    expect(feed.lastId()).toBe('6-0');
    // Held for resumes: what the topic published, and the position moved past the malformed entry.
    expect(recent.since(TEST_USER, '0-0', 6)).toEqual({
      ok: true,
      messages: [JSON.stringify({ ...event, id: '5-0' })],
    });
    expect(recent.since(TEST_USER, '7-0', 6)).toEqual({ ok: false, reason: 'events_unknown' });
  });
});
