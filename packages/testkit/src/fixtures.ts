/** Typed fixture builders with overrides (STYLE: builders, not copied literals). */
import type { AdjustmentEntry, PrintEntry } from '@tap/domain';

let sequence = 0;

export const TEST_USER = '0x00000000000000000000000000000000000000aa';

export function aPrint(overrides: Partial<PrintEntry> = {}): PrintEntry {
  sequence += 1;
  return {
    id: sequence,
    t: 1_764_000_000_000 + sequence * 100,
    priceCents: 9_500_000,
    venues: 3,
    sigma: 0.0005,
    ...overrides,
  };
}

export function anAdjustment(overrides: Partial<AdjustmentEntry> = {}): AdjustmentEntry {
  sequence += 1;
  return {
    adjustmentId: `adj-${sequence}`,
    userId: TEST_USER,
    kind: 'deposit',
    amountMicros: 10_000_000,
    reason: 'test deposit',
    requestedAt: 1_764_000_000_000,
    ...overrides,
  };
}
