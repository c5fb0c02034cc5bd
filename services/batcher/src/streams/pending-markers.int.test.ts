/**
 * Issue 20: a batcher killed between a batch's commit and the DEL of its bets' pending markers left
 * those markers behind until their TTL; its next start clears them and leaves in-flight ones alone.
 */
import { encodeEntry } from '@tap/channels';
import { aBetPlacedNow, anAdjustment } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import {
  admitBet,
  eventually,
  newSetup,
  openSegmentReadonly,
  redisForSuite,
  startBatcher,
  startHealthyBatcher,
} from '../testing.js';

const USD = 1_000_000;
const USER = `0x${'ab'.repeat(20)}`;

describe('start-up reconciliation of pending markers', () => {
  const suite = redisForSuite();

  it('clears the markers of bets committed before a kill -9 and keeps those of bets in flight', async () => {
    const setup = newSetup(suite.url);
    const { keys, streams } = setup.channels;
    const deposit = anAdjustment({ userId: USER, amountMicros: 100 * USD });
    await suite.redis.xadd(streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
    const first = await startHealthyBatcher(setup);
    await eventually(
      () => suite.redis.hget(keys.wallet(USER), 'balance'),
      (v) => v !== null,
    );
    await first.stop();

    const bets = Array.from({ length: 5 }, () => aBetPlacedNow({ userId: USER, stakeMicros: USD }));
    for (const bet of bets) await admitBet(suite.redis, setup.channels, bet);
    // A marker whose bet is not in SQLite (still in flight, as far as the batcher can tell).
    const inFlightMarker = keys.pendingBet('01JZZZZZZZZZZZZZZZZZZZZZZZ');
    await suite.redis.set(inFlightMarker, USER, 'EX', 600);

    // Killed by its fail point after the first batch's commit and XACK, before the markers' DEL.
    const killed = await startBatcher(setup, {
      BATCHER_FAIL_POINT: 'after_ack_before_events',
      BATCHER_FAIL_AFTER_BATCHES: '1',
    });
    expect((await killed.daemon.exited).signal).toBe('SIGKILL');
    const db = openSegmentReadonly(setup.dataDir);
    const committed = db.prepare('SELECT id FROM bets').pluck().all() as string[];
    db.close();
    expect(committed.length).toBeGreaterThan(0);
    const leftBehind = await suite.redis.exists(...committed.map((id) => keys.pendingBet(id)));
    expect(leftBehind).toBe(committed.length);

    const restarted = await startHealthyBatcher(setup, { LOG_LEVEL: 'info' });
    try {
      const markers = bets.map((bet) => keys.pendingBet(bet.betId));
      expect(
        await eventually(
          () => suite.redis.exists(...markers),
          (n) => n === 0,
        ),
      ).toBe(0);
      expect(await suite.redis.exists(inFlightMarker)).toBe(1);
      const reconciled = restarted.lines.find((line) => line.includes('"pending_markers.reconciled"'));
      expect(JSON.parse(reconciled ?? '{}').cleared).toBe(committed.length);
    } finally {
      await restarted.stop();
    }
  }, 60_000);
});
