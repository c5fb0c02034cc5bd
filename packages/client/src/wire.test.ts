import { serverMessageSchema } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { type BetEventMessage, fillToAcceptedMs } from './index.js';

const accepted = {
  type: 'bet',
  id: '1764000000150-0',
  userId: `0x${'a'.repeat(40)}`,
  betId: '01JBET0000000000000000000A',
  status: 'accepted',
  balanceMicros: 1,
  bet: {
    t0: 1_764_000_005_000,
    p0: 9_500_000,
    windowMs: 5_000,
    bandCents: 1_000,
    stakeMicros: 1,
    multiplierBp: 20_000,
  },
} as const;

describe('the accepted event of a next-tick bet', () => {
  it('is on the wire contract with its fill print, and gives fill print → accepted', () => {
    const wire = JSON.stringify({ ...accepted, fillPrint: { id: 42, t: 1_764_000_000_100 } });
    const parsed = serverMessageSchema.parse(JSON.parse(wire)) as BetEventMessage;
    expect(parsed.fillPrint).toEqual({ id: 42, t: 1_764_000_000_100 });
    expect(fillToAcceptedMs(parsed, 1_764_000_000_123)).toBe(23);
  });

  it('has no fill print when priced at receipt, and a malformed one is off the contract', () => {
    const parsed = serverMessageSchema.parse(accepted) as BetEventMessage;
    expect(fillToAcceptedMs(parsed, 1_764_000_000_123)).toBeNull();
    for (const fillPrint of [{ id: 42 }, { id: 42, t: -1 }, { id: 42, t: 1, extra: 1 }])
      expect(serverMessageSchema.safeParse({ ...accepted, fillPrint }).success).toBe(false);
  });
});
