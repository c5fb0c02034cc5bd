import type { BetStatus, EventEntry } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import { betChangeOf } from './event-reader.js';

const USER = '0x00000000000000000000000000000000000000aa';
const BET_ID = '01KAWX0000000000000000000A';
const cell = {
  t0: 10_000,
  p0: 9_500_000,
  windowMs: 5_000,
  bandCents: 1_000,
  stakeMicros: 1,
  multiplierBp: 20_000,
};
const event = (status: BetStatus, extra: object = {}): EventEntry => ({
  type: 'bet',
  userId: USER,
  betId: BET_ID,
  status,
  balanceMicros: 0,
  ...extra,
});
const none = () => null;

describe('betChangeOf', () => {
  it('opens a bet from an accepted event carrying its cell', () => {
    expect(betChangeOf(event('accepted', { bet: cell }), none)).toEqual({
      kind: 'open',
      bet: { betId: BET_ID, t0: 10_000, p0: 9_500_000, windowMs: 5_000, bandCents: 1_000 },
    });
  });

  it('looks up the cell in SQLite when the accepted event lacks it', () => {
    const found = { betId: BET_ID, t0: 1, p0: 2, windowMs: 3, bandCents: 4 };
    expect(betChangeOf(event('accepted'), () => found)).toEqual({ kind: 'open', bet: found });
    expect(betChangeOf(event('accepted'), none)).toEqual({ kind: 'unknown_cell', betId: BET_ID });
  });

  it('closes a bet on won, lost, void and rejected, and ignores the rest', () => {
    for (const status of ['won', 'lost', 'void', 'rejected'] as const) {
      expect(betChangeOf(event(status), none)).toEqual({ kind: 'closed', betId: BET_ID });
    }
    expect(betChangeOf(event('pending'), none)).toEqual({ kind: 'ignored' });
    const balance: EventEntry = {
      type: 'balance',
      userId: USER,
      balanceMicros: 1,
      refType: 'deposit',
      refId: 'x',
    };
    expect(betChangeOf(balance, none)).toEqual({ kind: 'ignored' });
  });
});
