import { encodeEntry } from '@tap/channels';
import type { EventEntry } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { type StreamEntry, userEventsInPage } from './user-events.js';

const A = '0x00000000000000000000000000000000000000aa';
const B = '0x00000000000000000000000000000000000000bb';

const balance = (userId: string, balanceMicros: number): EventEntry => ({
  type: 'balance',
  userId,
  balanceMicros,
  refType: 'deposit',
  refId: `dep-${balanceMicros}`,
});
const entry = (id: string, event: EventEntry): StreamEntry => [id, encodeEntry('events', event)];

describe('userEventsInPage', () => {
  it("keeps the user's events in stream order, with their stream ids", () => {
    const page = [entry('1-0', balance(A, 1)), entry('2-0', balance(B, 2)), entry('3-0', balance(A, 3))];
    const { events, lastId } = userEventsInPage(page, A);
    expect(events.map((e) => e.id)).toEqual(['1-0', '3-0']);
    expect(JSON.parse(events[1]?.message ?? '')).toEqual({ ...balance(A, 3), id: '3-0' });
    expect(lastId).toBe('3-0');
  });

  it("moves the cursor past a page holding none of the user's events", () => {
    expect(userEventsInPage([entry('1-0', balance(B, 1)), entry('2-0', balance(B, 2))], A)).toEqual({
      events: [],
      lastId: '2-0',
    });
    expect(userEventsInPage([], A)).toEqual({ events: [], lastId: undefined });
  });

  it('skips and reports a malformed entry that mentions the user', () => {
    const bad: StreamEntry = ['2-0', ['d', JSON.stringify({ type: 'balance', userId: A })]];
    const malformed: string[] = [];
    const { events } = userEventsInPage([entry('1-0', balance(A, 1)), bad], A, (id) => malformed.push(id));
    expect(events.map((e) => e.id)).toEqual(['1-0']);
    expect(malformed).toEqual(['2-0']);
  });

  it('does not hand out an event whose text merely contains the user id', () => {
    const event = { ...balance(B, 1), refId: A };
    expect(userEventsInPage([entry('1-0', event)], A).events).toEqual([]);
  });
});
