import { describe, expect, it } from 'vitest';
import { compareIds } from './stream-reader.js';
import { nextId } from './trim.js';

describe('stream ids', () => {
  it('finds the id after a given one', () => {
    expect(nextId('1764000000000-0')).toBe('1764000000000-1');
    expect(nextId('0-0')).toBe('0-1');
    expect(nextId('5-18446744073709551614')).toBe('5-18446744073709551615');
  });

  it('orders ids numerically, not as strings', () => {
    expect(['10-0', '9-5', '9-10'].sort(compareIds)).toEqual(['9-5', '9-10', '10-0']);
  });
});
