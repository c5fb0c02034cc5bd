import { describe, expect, it } from 'vitest';
import { type AdjustmentEntry, adjustmentEntrySchema } from '../entries.js';
import { operatorKeySchema, signOperatorEntry, verifyOperatorEntry } from './operator-mac.js';

const KEY = 'ab'.repeat(32);
const OTHER_KEY = 'cd'.repeat(32);

const fields = {
  adjustmentId: 'adj-1',
  userId: `0x${'a'.repeat(40)}`,
  kind: 'deposit' as const,
  amountMicros: 5_000_000,
  reason: 'wire 42',
  operator: 'alice',
  requestedAt: 1_764_000_000_000,
};

describe('operator entry MAC', () => {
  it('signs an entry the schema accepts and verifies it', () => {
    const signed = signOperatorEntry<AdjustmentEntry>('adjustments', fields, KEY);
    expect(adjustmentEntrySchema.parse(signed)).toEqual(signed);
    expect(verifyOperatorEntry('adjustments', signed, KEY)).toBe(true);
  });

  it('refuses an entry signed with another key', () => {
    const signed = signOperatorEntry<AdjustmentEntry>('adjustments', fields, OTHER_KEY);
    expect(verifyOperatorEntry('adjustments', signed, KEY)).toBe(false);
  });

  it('refuses an entry changed after signing (amount, user, operator)', () => {
    const signed = signOperatorEntry<AdjustmentEntry>('adjustments', fields, KEY);
    for (const change of [
      { amountMicros: 50_000_000 },
      { userId: `0x${'b'.repeat(40)}` },
      { operator: 'mallory' },
    ]) {
      expect(verifyOperatorEntry('adjustments', { ...signed, ...change }, KEY)).toBe(false);
    }
  });

  it('refuses a MAC made for another stream', () => {
    const signed = signOperatorEntry<AdjustmentEntry>('operator', fields, KEY);
    expect(verifyOperatorEntry('adjustments', signed, KEY)).toBe(false);
  });

  it('does not depend on the order of the fields', () => {
    const signed = signOperatorEntry<AdjustmentEntry>('adjustments', fields, KEY);
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as AdjustmentEntry;
    expect(verifyOperatorEntry('adjustments', reordered, KEY)).toBe(true);
  });

  it('accepts only 32 to 64 bytes of hex as a key', () => {
    expect(operatorKeySchema.safeParse(KEY).success).toBe(true);
    expect(operatorKeySchema.safeParse('ab'.repeat(31)).success).toBe(false);
    expect(operatorKeySchema.safeParse('AB'.repeat(32)).success).toBe(false);
  });
});
