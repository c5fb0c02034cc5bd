import { describe, expect, it } from 'vitest';
import { intervalMember, parseIntervalMember } from './breaker-intervals.js';

describe('breaker intervals', () => {
  it('reads back what it writes', () => {
    const interval = { from: 1_000, to: 2_000, reason: 'stale' };
    expect(parseIntervalMember(intervalMember(interval))).toEqual(interval);
    expect(parseIntervalMember(intervalMember({ from: 5, to: null, reason: 'starting' }))).toEqual({
      from: 5,
      to: null,
      reason: 'starting',
    });
  });

  it('refuses members that are not intervals', () => {
    for (const bad of [
      '',
      'x',
      'null',
      '1',
      '{}',
      '{"from":-1,"to":null,"reason":"r"}',
      '{"from":1,"to":2}',
    ]) {
      expect(parseIntervalMember(bad)).toBeNull();
    }
    expect(parseIntervalMember('{"from":1.5,"to":null,"reason":"r"}')).toBeNull();
  });
});
