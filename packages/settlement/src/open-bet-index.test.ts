import { describe, expect, it } from 'vitest';
import { BELOW, bet, feed, H, newIndex, P0, print, prints, settle, T0, W } from './test-builders.js';

describe('late bets and duplicates', () => {
  it('decides a bet added after its window was processed exactly as if it had been there', () => {
    const list = [
      print(T0 - 50, BELOW),
      print(T0 + 100, BELOW),
      print(T0 + 200, P0 + 5),
      print(T0 + 300, P0 + 7),
    ];
    const onTime = settle(bet(), list).verdict;
    const index = newIndex();
    feed(index, list);
    const late = index.add(bet(), T0 + 400);
    expect(late?.decision).toEqual(onTime?.decision);
    expect(late?.printT).toBeNull();
  });

  it('adds a late bet to a started window and settles it by the next touching print', () => {
    const index = newIndex();
    feed(index, [print(T0 - 50, BELOW), print(T0 + 100, BELOW)]);
    const b = bet();
    expect(index.add(b, T0 + 150)).toBeNull();
    const verdicts = feed(index, [print(T0 + 200, P0)]);
    expect(verdicts.get(b.betId)?.decision).toMatchObject({ outcome: 'won', evidence: { t: T0 + 200 } });
  });

  it('rebuilds a closed window for a late bet: a loss stays a loss', () => {
    const index = newIndex();
    feed(index, [
      print(T0 - 50, BELOW),
      ...prints(T0 + 50, Array(50).fill(BELOW)),
      print(T0 + W + 50, BELOW),
    ]);
    expect(index.add(bet(), T0 + W + 60)?.decision.outcome).toBe('lost');
  });

  it('never decides a bet twice: duplicates, bets already settled and bets settled elsewhere', () => {
    const index = newIndex();
    const b = bet();
    index.add(b, T0);
    index.add(b, T0);
    const first = feed(index, [print(T0 - 50, BELOW), print(T0 + 100, P0)]);
    expect(first.size).toBe(1);
    expect(index.add(b, T0 + 200)).toBeNull();
    const elsewhere = bet();
    index.add(elsewhere, T0 + 200);
    index.forget(elsewhere.betId, T0 + 200);
    expect(index.add(elsewhere, T0 + 250)).toBeNull();
    expect(feed(index, [print(T0 + 300, P0 + 500)]).size).toBe(0);
  });

  it('skips a redelivered print and a print whose time goes backwards', () => {
    const index = newIndex();
    const p = print(T0 - 50, BELOW);
    expect(index.onPrint(p, T0).accepted).toBe('accepted');
    expect(index.onPrint(p, T0).accepted).toBe('duplicate');
    expect(index.onPrint({ ...p, id: p.id + 1, t: p.t - 1, priceCents: P0 }, T0).accepted).toBe(
      'out_of_order',
    );
  });

  it('leaves windows that have not started alone', () => {
    const index = newIndex();
    const future = bet({ t0: T0 + 60_000 });
    index.add(future, T0);
    feed(index, prints(T0, Array(100).fill(P0)));
    expect(index.openBets).toBe(1);
  });

  it('returns the wins of a print at once and the losses of the window it closed from settleFinished', () => {
    const index = newIndex();
    const closing = bet({ t0: T0, p0: P0 + 40 * H });
    const next = bet({ t0: T0 + W, p0: P0 });
    index.add(closing, T0);
    index.add(next, T0);
    feed(index, [print(T0 - 50, BELOW), ...prints(T0 + 50, Array(50).fill(P0 + 10))]);
    const boundary = print(T0 + W + 20, P0 + 20);
    const result = index.onPrint(boundary, boundary.t);
    expect(result.verdicts.map((v) => [v.betId, v.decision.outcome])).toEqual([[next.betId, 'won']]);
    expect(index.openBets).toBe(1);
    expect(index.settleFinished(boundary.t)).toMatchObject([
      { betId: closing.betId, decision: { outcome: 'lost' }, printT: boundary.t },
    ]);
    expect(index.openBets).toBe(0);
    expect(index.columnCount).toBe(1); // the window that just started stays
  });
});
