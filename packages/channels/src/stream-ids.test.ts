import { describe, expect, it } from 'vitest';
import { compareStreamIds, isStreamId, maxStreamId, nextStreamId, streamIdTimeMs } from './stream-ids.js';

describe('isStreamId', () => {
  it('accepts ids as Redis hands them out', () => {
    for (const id of ['0-0', '0-1', '1764000000000-0', '1764000000000-42', '18446744073709551615-0']) {
      expect(isStreamId(id)).toBe(true);
    }
  });

  it('rejects anything else', () => {
    const bad = ['', '-', '1', '1-', '-1', '01-0', '1-01', '1-0-0', ' 1-0', '1.5-0', '+', '$', '>', 'abc-1'];
    for (const id of [...bad, '18446744073709551616-0', '1-18446744073709551616', `1${'0'.repeat(20)}-0`]) {
      expect(isStreamId(id)).toBe(false);
    }
  });
});

describe('compareStreamIds', () => {
  it('orders by time, then sequence, numerically rather than as text', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-10', '10-10')).toBe(0);
    expect(maxStreamId('10-2', '10-10')).toBe('10-10');
    expect(['10-0', '9-5', '9-10'].sort(compareStreamIds)).toEqual(['9-5', '9-10', '10-0']);
  });

  it('is exact beyond 2^53', () => {
    expect(compareStreamIds('5-9007199254740993', '5-9007199254740992')).toBeGreaterThan(0);
  });

  it('finds the id after a given one', () => {
    expect(nextStreamId('1764000000000-0')).toBe('1764000000000-1');
    expect(nextStreamId('0-0')).toBe('0-1');
    expect(nextStreamId('5-18446744073709551614')).toBe('5-18446744073709551615');
  });

  it('reads the append time of an id', () => {
    expect(streamIdTimeMs('1764000000123-7')).toBe(1_764_000_000_123);
  });
});
