import { encodeEntry } from '@tap/channels';
import { aBet, anAdjustment, aPrint, TEST_USER } from '@tap/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_APPENDED_MS,
  ledgerProblems,
  ledgerRows,
  NOW_MS,
  openTestSegment,
  type TestSegment,
} from '../storage/test-segment.js';
import { type ConsumedKind, createBatchApplier, type StreamEntry } from './apply-batch.js';

let sequence = 0;
function entry(kind: ConsumedKind, fields: string[] | null): StreamEntry {
  sequence += 1;
  return { kind, stream: `t:${kind}`, id: `${FIXTURE_APPENDED_MS}-${sequence}`, fields };
}

describe('createBatchApplier', () => {
  let s: TestSegment;
  let applier: ReturnType<typeof createBatchApplier>;
  beforeEach(() => {
    s = openTestSegment();
    applier = createBatchApplier(s.db, s);
  });
  afterEach(() => s.close());

  it('dead-letters a poison entry with its reason and applies the rest of the batch', () => {
    const bet = aBet({ stakeMicros: 1_000_000 });
    const result = applier.apply(
      [
        entry('adjustments', [...encodeEntry('adjustments', anAdjustment({ amountMicros: 5_000_000 }))]),
        entry('bets', ['d', '{not json']),
        entry('adjustments', ['d', JSON.stringify({ ...anAdjustment(), amountMicros: 1.5 })]),
        entry('bets', [...encodeEntry('bets', bet)]),
        entry('prices', null),
      ],
      NOW_MS,
    );
    expect(result.results.map((r) => r.outcome)).toEqual([
      'applied',
      'dead_letter',
      'dead_letter',
      'applied',
      'dead_letter',
    ]);
    expect(s.ledger.balanceOf(TEST_USER)).toBe(4_000_000);
    const dead = result.outbox.filter((r) => r.stream === 'deadLetter').map((r) => JSON.parse(r.payload));
    expect(dead).toEqual([
      {
        stream: 't:bets',
        entryId: expect.any(String),
        reason: 'entry_malformed: not JSON',
        raw: '{not json',
        failedAt: NOW_MS,
      },
      expect.objectContaining({ stream: 't:adjustments', reason: expect.stringContaining('amountMicros') }),
      expect.objectContaining({ stream: 't:prices', reason: 'entry_deleted', raw: '[]' }),
    ]);
    const events = result.outbox.filter((r) => r.stream === 'events').map((r) => JSON.parse(r.payload));
    expect(events.map((e) => e.type)).toEqual(['balance', 'bet']);
    expect(s.outbox.unpublished()).toEqual(result.outbox);
  });

  it('re-checks held next-tick bets only in a batch with a print, or HELD_RECHECK_MS after the last check', () => {
    let lookups = 0;
    const counted = createBatchApplier(s.db, {
      ...s,
      bets: {
        ...s.bets,
        printAfter: (afterMs, n) => {
          lookups += 1;
          return s.bets.printAfter(afterMs, n);
        },
      },
    });
    const bet = aBet({ multiplierBp: 500_000, nextPrint: { minMultiplierBp: 10_500 } });
    const first = counted.apply(
      [
        entry('adjustments', [...encodeEntry('adjustments', anAdjustment({ amountMicros: 10_000_000 }))]),
        entry('bets', [...encodeEntry('bets', bet)]),
      ],
      NOW_MS,
    );
    expect(first.results.map((r) => r.outcome)).toEqual(['applied', 'held']);
    const checked = lookups;
    expect(checked).toBeGreaterThan(0);

    // No print and within 100 ms of the last check: carried as held without a lookup.
    const quiet = counted.apply(first.held, NOW_MS + 50);
    expect(quiet.results.map((r) => r.outcome)).toEqual(['held']);
    expect(quiet.held).toEqual(first.held);
    expect(quiet.heldStakeMicros).toEqual(new Map([[TEST_USER, bet.stakeMicros]]));
    expect(lookups).toBe(checked);

    // 100 ms after the last check it is looked at again (a stalled feed's refusal needs the clock).
    const later = counted.apply(quiet.held, NOW_MS + 100);
    expect(later.results.map((r) => r.outcome)).toEqual(['held']);
    expect(lookups).toBeGreaterThan(checked);

    // A batch with its print fills it.
    const print = aPrint({ t: bet.placedAt + 40, priceCents: 9_500_400, sigma: 0.0005, noise: 0.00006 });
    const filled = counted.apply(
      [...later.held, entry('prices', [...encodeEntry('prices', print)])],
      NOW_MS + 110,
    );
    expect(filled.results.map((r) => r.outcome)).toEqual(['applied', 'applied']);
    expect(filled.held).toEqual([]);
    expect(ledgerProblems(s.db)).toEqual([]);
  });

  it('dead-letters a bet outside the admission bounds and moves no money for it', () => {
    const forged = aBet({ stakeMicros: 1_000_000_000, multiplierBp: 500_000 });
    const result = applier.apply(
      [
        entry('adjustments', [...encodeEntry('adjustments', anAdjustment({ amountMicros: 5_000_000 }))]),
        entry('bets', [...encodeEntry('bets', forged)]),
      ],
      NOW_MS,
    );
    expect(result.results.map((r) => r.outcome)).toEqual(['applied', 'dead_letter']);
    expect(s.ledger.balanceOf(TEST_USER)).toBe(5_000_000);
    expect(s.db.prepare('SELECT count(*) FROM bets').pluck().get()).toBe(0);
    expect(ledgerProblems(s.db)).toEqual([]);
    const dead = result.outbox.filter((r) => r.stream === 'deadLetter').map((r) => JSON.parse(r.payload));
    expect(dead).toEqual([expect.objectContaining({ reason: 'bet_out_of_bounds: stake_out_of_range' })]);
    // No reservation is handed back (a forged entry never made one): the cache is recomputed instead.
    expect(result.effects).toEqual([
      { type: 'balance_delta', userId: TEST_USER, deltaMicros: 5_000_000 },
      { type: 'pending_cleared', betId: forged.betId },
      { type: 'balance_resync', userId: TEST_USER },
    ]);
    const events = result.outbox.filter((r) => r.stream === 'events').map((r) => JSON.parse(r.payload));
    expect(events.at(-1)).toMatchObject({
      betId: forged.betId,
      status: 'rejected',
      reason: 'bet_out_of_bounds',
    });
  });

  it('dead-letters an overdrawing withdrawal as insufficient_funds', () => {
    const result = applier.apply(
      [
        entry('adjustments', [
          ...encodeEntry('adjustments', anAdjustment({ kind: 'withdrawal', amountMicros: 1 })),
        ]),
      ],
      NOW_MS,
    );
    expect(JSON.parse(result.outbox[0]!.payload)).toMatchObject({ reason: 'insufficient_funds' });
  });

  it('rolls back a failing entry alone, ledger chain head included, and unwinds its reservation', () => {
    s.db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON bets WHEN NEW.stake = 700007 BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    const poisoned = aBet({ stakeMicros: 700_007 });
    const result = applier.apply(
      [
        entry('adjustments', [...encodeEntry('adjustments', anAdjustment({ amountMicros: 5_000_000 }))]),
        entry('bets', [...encodeEntry('bets', poisoned)]),
        entry('bets', [...encodeEntry('bets', aBet())]),
        entry('prices', [...encodeEntry('prices', aPrint())]),
      ],
      NOW_MS,
    );
    expect(result.results.map((r) => r.outcome)).toEqual(['applied', 'dead_letter', 'applied', 'applied']);
    expect(ledgerRows(s.db).map((r) => r.refType)).toEqual(['deposit', 'bet_stake']);
    expect(ledgerProblems(s.db)).toEqual([]);
    expect(result.effects).toEqual([
      { type: 'balance_delta', userId: TEST_USER, deltaMicros: 5_000_000 },
      { type: 'pending_cleared', betId: poisoned.betId },
      { type: 'balance_delta', userId: TEST_USER, deltaMicros: 700_007 },
      {
        type: 'exposure_release',
        userId: TEST_USER,
        t0: poisoned.t0,
        p0: poisoned.p0,
        payoutMicros: 1_400_014,
      },
      { type: 'pending_cleared', betId: expect.any(String) },
    ]);
    const dead = result.outbox.find((r) => r.stream === 'deadLetter')!;
    expect(JSON.parse(dead.payload).reason).toBe('apply_failed: boom');
  });

  it('deletes published outbox rows in the next batch and keeps unpublished ones', () => {
    const first = applier.apply(
      [entry('adjustments', [...encodeEntry('adjustments', anAdjustment())])],
      NOW_MS,
    );
    applier.apply([entry('prices', [...encodeEntry('prices', aPrint())])], NOW_MS);
    expect(s.outbox.unpublished()).toEqual(first.outbox);
    s.outbox.markPublished(first.outbox);
    const third = applier.apply(
      [entry('adjustments', [...encodeEntry('adjustments', anAdjustment())])],
      NOW_MS,
    );
    expect(s.outbox.unpublished()).toEqual(third.outbox);
  });
});
