import { aPrint } from '@tap/testkit/standalone';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBetStore } from './bet-store.js';
import { openTestSegment, type TestSegment } from './test-segment.js';

describe('bet store: printAfter', () => {
  let s: TestSegment;
  beforeEach(() => {
    s = openTestSegment();
  });
  afterEach(() => s.close());

  /** The n-th print after `afterMs` as the table says, without the store's shortcut. */
  const fromTable = (afterMs: number, n: number) =>
    s.db
      .prepare<[number, number], { id: number }>(
        'SELECT id FROM index_prints WHERE t > ? ORDER BY t, id LIMIT 1 OFFSET ?',
      )
      .get(afterMs, n - 1)?.id;
  const ids = (afterMs: number, n: number) => s.bets.printAfter(afterMs, n)?.id;

  it('answers as the table does around the newest print, as prints come and roll back', () => {
    for (const t of [1_000, 1_100, 1_200]) s.bets.insertPrint(aPrint({ id: t, t }));
    const probe = () => {
      for (let afterMs = 900; afterMs <= 1_500; afterMs += 50)
        for (const n of [1, 2]) expect(ids(afterMs, n), `${afterMs}, ${n}`).toBe(fromTable(afterMs, n));
    };
    probe();
    expect(ids(1_150, 1)).toBe(1_200);
    expect(ids(1_200, 1)).toBeUndefined();
    s.bets.insertPrint(aPrint({ id: 1_300, t: 1_300 }));
    expect(ids(1_200, 1)).toBe(1_300);
    // A duplicate changes nothing; a print whose batch rolls back is not found.
    s.bets.insertPrint(aPrint({ id: 1_300, t: 1_300 }));
    try {
      s.tx(() => {
        s.bets.insertPrint(aPrint({ id: 1_400, t: 1_400 }));
        throw new Error('rolled back');
      });
    } catch {}
    probe();
    expect(ids(1_300, 1)).toBeUndefined();
  });

  it('finds the prints stored before it was made (a restart)', () => {
    for (const t of [1_000, 1_100]) s.bets.insertPrint(aPrint({ id: t, t }));
    const restarted = createBetStore(s.db);
    expect(restarted.printAfter(1_050, 1)?.id).toBe(1_100);
    expect(restarted.printAfter(1_100, 1)).toBeUndefined();
  });
});
