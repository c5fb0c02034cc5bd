import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RecentEvents } from './recent-events.js';

const A = 'a';
const B = 'b';
const limits = { windowMs: 60_000, eventsMax: 100, replayMax: 10 };

function filled(options = limits, start = '1000-0') {
  const recent = new RecentEvents(options, start);
  return {
    recent,
    add: (id: string, userId: string) => recent.append(id, userId, `${userId}@${id}`),
  };
}

describe('RecentEvents (the resume window)', () => {
  it('answers exactly the user’s own events after the id, oldest first', () => {
    const { recent, add } = filled();
    add('1001-0', A);
    add('1002-0', B);
    add('1003-0', A);
    add('1003-1', A);
    expect(recent.since(A, '1001-0', 1_004)).toEqual({ ok: true, messages: ['a@1003-0', 'a@1003-1'] });
    expect(recent.since(B, '1000-0', 1_004)).toEqual({ ok: true, messages: ['b@1002-0'] });
    expect(recent.since(A, '1003-1', 1_004)).toEqual({ ok: true, messages: [] });
    expect(recent.since('nobody', '1003-1', 1_004)).toEqual({ ok: true, messages: [] });
  });

  it('refuses an id older than its start: events before it were never held', () => {
    const { recent } = filled();
    expect(recent.since(A, '999-0', 1_001)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(recent.since(A, '1000-0', 1_001)).toEqual({ ok: true, messages: [] });
  });

  it('refuses an id newer than anything published as unknown', () => {
    const { recent, add } = filled();
    add('1001-0', A);
    recent.advance('1002-0');
    expect(recent.since(A, '1002-0', 1_003)).toEqual({ ok: true, messages: [] });
    expect(recent.since(A, '1002-1', 1_003)).toEqual({ ok: false, reason: 'events_unknown' });
  });

  it('forgets the oldest events beyond its size, and then resyncs ids before them', () => {
    const { recent, add } = filled({ ...limits, eventsMax: 3 });
    for (const id of ['1001-0', '1002-0', '1003-0', '1004-0', '1005-0']) add(id, id === '1003-0' ? B : A);
    expect(recent.size).toBe(3);
    expect(recent.since(A, '1001-0', 1_006)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(recent.since(A, '1002-0', 1_006)).toEqual({ ok: true, messages: ['a@1004-0', 'a@1005-0'] });
  });

  it('forgets events older than its window, on append and when asked', () => {
    const { recent, add } = filled({ ...limits, windowMs: 1_000 });
    add('1001-0', A);
    add('1500-0', A);
    add('2200-0', B); // 1001-0 is now older than 2200 − 1000
    expect(recent.size).toBe(2);
    expect(recent.since(A, '1000-0', 2_300)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(recent.since(A, '1001-0', 2_300)).toEqual({ ok: true, messages: ['a@1500-0'] });
    expect(recent.since(A, '1001-0', 2_600)).toEqual({ ok: false, reason: 'events_trimmed' });
    expect(recent.users).toBe(1);
  });

  it('answers replay_overflow rather than send more than its replay bound', () => {
    const { recent, add } = filled({ ...limits, replayMax: 3 });
    for (let i = 1; i <= 4; i++) add(`${1000 + i}-0`, A);
    expect(recent.since(A, '1000-0', 1_005)).toEqual({ ok: false, reason: 'replay_overflow' });
    expect(recent.since(A, '1001-0', 1_005)).toMatchObject({
      ok: true,
      messages: ['a@1002-0', 'a@1003-0', 'a@1004-0'],
    });
  });

  it('stays bounded and correct over many more events than it holds', () => {
    const { recent, add } = filled({ ...limits, eventsMax: 50 });
    for (let i = 1; i <= 5_000; i++) add(`${1000 + i}-0`, i % 2 ? A : B);
    expect(recent.size).toBe(50);
    expect(recent.since(B, '5990-0', 6_001)).toEqual({
      ok: true,
      messages: ['b@5992-0', 'b@5994-0', 'b@5996-0', 'b@5998-0', 'b@6000-0'],
    });
  });

  it('lets go of the events it forgot: memory follows what it holds, not what passed through', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const recent = new RecentEvents({ windowMs: 3_600_000, eventsMax: 1_000, replayMax: 10 }, '1000-0');
    gc();
    const before = process.memoryUsage().heapUsed;
    // 10 users × 1,000 events of 10 kB pass through: 100 MB, of which the window holds 1,000 (10 MB).
    // Forgotten events kept alive in the users' queues until they compact would hold ~100 MB.
    for (let i = 1; i <= 10_000; i++)
      recent.append(`${1000 + i}-0`, `u${i % 10}`, randomBytes(5_000).toString('hex'));
    gc();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(recent.size).toBe(1_000);
    expect(grownMb).toBeLessThan(40);
  });
});
