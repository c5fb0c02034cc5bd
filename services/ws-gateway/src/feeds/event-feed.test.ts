import { encodeEntry } from '@tap/channels';
import { TEST_USER } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { TOPICS } from '../protocol/topics.js';
import { CatchUps } from '../replay/catch-ups.js';
import type { StreamEntry } from '../replay/user-events.js';
import { EventFeed } from './event-feed.js';

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
  it('publishes each event to its user topic with its stream id and advances its position', () => {
    const r = recorder();
    const catchUps = new CatchUps(10);
    const hold = catchUps.hold(TEST_USER, '0-0');
    const feed = new EventFeed({ startId: '0-0', catchUps, publish: r.publish, onMalformed: r.onMalformed });
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
    expect(catchUps.release(hold).events.map((e) => e.id)).toEqual(['5-0']);
  });
});
