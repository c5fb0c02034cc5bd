import { describe, expect, it } from 'vitest';
import { checkResumes, earliestCheckFrom, type ResumeTrace, type StreamEvent } from './resume-check.js';

const trace = (overrides: Partial<ResumeTrace> = {}): ResumeTrace => ({
  userId: '0xa',
  checkFromId: '1000-0',
  lastSeenId: '1005-0',
  seen: new Set(['1002-0', '1005-0']),
  lastResyncAtMs: 0,
  ...overrides,
});
const event = (id: string, userId = '0xa', betId?: string): StreamEvent => ({ id, userId, betId });

describe('checkResumes', () => {
  it('counts an event inside the span that the client never saw as missed', () => {
    const check = checkResumes([trace()], [event('1002-0'), event('1003-0', '0xa', 'b1'), event('1005-0')]);
    expect(check.checked).toBe(3);
    expect(check.missed).toEqual([event('1003-0', '0xa', 'b1')]);
  });

  it('judges nothing before the last id seen before the loss, or after the newest id seen', () => {
    const check = checkResumes([trace()], [event('999-0'), event('1000-0'), event('1006-0')]);
    expect(check).toEqual({ checked: 0, missed: [], coveredByResync: 0 });
  });

  it('counts an unseen event older than a later resync as covered, not missed', () => {
    const check = checkResumes([trace({ lastResyncAtMs: 1004 })], [event('1003-0'), event('1004-5')]);
    expect(check.missed).toEqual([]);
    expect(check.coveredByResync).toBe(2);
  });

  it("ignores other users' events and users that saw nothing", () => {
    const check = checkResumes(
      [trace(), trace({ userId: '0xb', lastSeenId: undefined })],
      [event('1003-0', '0xc'), event('1003-0', '0xb')],
    );
    expect(check.checked).toBe(0);
  });
});

describe('earliestCheckFrom', () => {
  it('returns the lowest lower bound, or undefined without traces', () => {
    expect(earliestCheckFrom([trace({ checkFromId: '20-1' }), trace({ checkFromId: '9-0' })])).toBe('9-0');
    expect(earliestCheckFrom([])).toBeUndefined();
  });
});
