import { describe, expect, it } from 'vitest';
import { openBetsAtStart } from './startup-bets.js';

const cell = (betId: string) => ({ betId, t0: 10_000, p0: 100, windowMs: 5_000, bandCents: 10 });

describe('openBetsAtStart', () => {
  it('merges the snapshot with the replayed events and drops bets already settled', () => {
    const result = openBetsAtStart(
      [cell('A'), cell('B'), cell('C')],
      [
        { kind: 'open', bet: cell('A') },
        { kind: 'open', bet: cell('D') },
        { kind: 'closed', betId: 'B' },
        { kind: 'open', bet: cell('E') },
        { kind: 'closed', betId: 'E' },
        { kind: 'open', bet: cell('F') },
      ],
      new Set(['C', 'F']),
    );
    expect(result.open.map((b) => b.betId).sort()).toEqual(['A', 'D']);
    expect(result.closed.sort()).toEqual(['B', 'C', 'E', 'F']);
  });
});
