import { betIdSchema } from '@tap/domain';
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { betIdTimeMs, createBetIdFactory } from './bet-id.js';

describe('bet ids', () => {
  it('mints valid ULIDs that carry the mint time', () => {
    const newId = createBetIdFactory(() => 1_764_072_000_123);
    const id = newId();
    expect(betIdSchema.safeParse(id).success).toBe(true);
    expect(decodeTime(id)).toBe(1_764_072_000_123);
    expect(betIdTimeMs(id)).toBe(1_764_072_000_123);
  });

  it('sorts ids of one millisecond in minting order, and across milliseconds by time', () => {
    let nowMs = 1_764_072_000_000;
    const newId = createBetIdFactory(() => nowMs);
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      if (i % 1_000 === 999) nowMs += 1;
      ids.push(newId());
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never sorts an id before an earlier one when the clock steps back', () => {
    let nowMs = 1_764_072_000_500;
    const newId = createBetIdFactory(() => nowMs);
    const first = newId();
    nowMs -= 200;
    const second = newId();
    expect(second > first).toBe(true);
    expect(decodeTime(second)).toBe(1_764_072_000_500);
  });

  it('draws fresh random bits each millisecond (ids are not guessable from the previous one)', () => {
    let nowMs = 1_764_072_000_000;
    const newId = createBetIdFactory(() => nowMs);
    const randomParts = new Set<string>();
    for (let i = 0; i < 1_000; i += 1) {
      nowMs += 1;
      randomParts.add(newId().slice(10));
    }
    expect(randomParts.size).toBe(1_000);
  });
});
