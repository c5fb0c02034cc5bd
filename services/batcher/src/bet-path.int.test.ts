import { encodeEntry } from '@tap/channels';
import { type EventEntry, payoutMicros } from '@tap/domain';
import { aBetPlacedNow, anAdjustment, aPrint, aSettlement } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { ledgerProblems } from './storage/test-segment.js';
import {
  admitBet,
  type BatcherSetup,
  eventually,
  newRedis,
  newSetup,
  openSegmentReadonly,
  redisForSuite,
  startBatcher,
  startHealthyBatcher,
  streamJson,
} from './testing.js';

const USD = 1_000_000;
const wallet = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

describe('batcher bet path (real Redis, built daemon)', () => {
  const suite = redisForSuite();

  const count = (setup: BatcherSetup, sql: string, ...params: unknown[]) => {
    const db = openSegmentReadonly(setup.dataDir);
    try {
      return db
        .prepare(sql)
        .pluck()
        .get(...params) as number;
    } finally {
      db.close();
    }
  };
  const deposit = (setup: BatcherSetup, userId: string, amountMicros: number) =>
    suite.redis.xadd(
      setup.channels.streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId, amountMicros })),
    );

  it('accepts exactly the 10 of 1,000 $1 bets that a $10 wallet funds when the cache drifted high', async () => {
    const setup = newSetup(suite.url);
    const user = wallet(1);
    const { keys, streams } = setup.channels;
    const daemon = await startHealthyBatcher(setup);
    try {
      await deposit(setup, user, 10 * USD);
      await eventually(
        () => suite.redis.hget(keys.wallet(user), 'balance'),
        (v) => v === String(10 * USD),
      );
      await suite.redis.hset(keys.wallet(user), 'balance', String(1_000 * USD)); // drift: admission lets all through
      const bets = Array.from({ length: 1_000 }, () => aBetPlacedNow({ userId: user, stakeMicros: USD }));
      for (const bet of bets) await admitBet(suite.redis, setup.channels, bet);
      await eventually(
        () => count(setup, 'SELECT count(*) FROM bets'),
        (n) => n === 1_000,
        20_000,
      );

      const db = openSegmentReadonly(setup.dataDir);
      const statuses = db
        .prepare('SELECT status, reason, count(*) AS n FROM bets GROUP BY 1, 2 ORDER BY 1')
        .all();
      expect(statuses).toEqual([
        { status: 'accepted', reason: null, n: 10 },
        { status: 'rejected', reason: 'insufficient_funds', n: 990 },
      ]);
      expect(db.prepare('SELECT balance FROM users WHERE id = ?').pluck().get(user)).toBe(0);
      expect(ledgerProblems(db)).toEqual([]);
      db.close();
      expect(
        await eventually(
          () => suite.redis.hget(keys.wallet(user), 'balance'),
          (v) => v === '0',
        ),
      ).toBe('0');
      const payout = payoutMicros(USD, bets[0]!.multiplierBp);
      expect(await suite.redis.hget(keys.wallet(user), 'exposure')).toBe(String(10 * payout));
      expect(await suite.redis.hget(keys.wallet(user), 'openbets')).toBe('10');
      expect(await suite.redis.exists(keys.pendingBet(bets[0]!.betId))).toBe(0);
      const events = await eventually(
        () => streamJson<EventEntry>(suite.redis, streams.events),
        (e) => e.length === 1_001,
      );
      expect(events.filter((e) => e.type === 'bet' && e.status === 'rejected')).toHaveLength(990);
      expect(
        await eventually(
          () => suite.redis.xlen(streams.bets),
          (n) => n === 0,
        ),
      ).toBe(0);
      const metrics = await (await fetch(daemon.metricsUrl)).text();
      expect(metrics).toMatch(
        /tap_batcher_entries_total\{stream="bets",outcome="rejected",service="batcher"\} 990/,
      );
      expect(metrics).toMatch(/tap_batcher_wal_checkpoints_total\{service="batcher"\} [1-9]/);
    } finally {
      await daemon.stop();
    }
  });

  it('dead-letters a poison entry with its reason and applies the rest of its batch', async () => {
    const setup = newSetup(suite.url);
    const { streams } = setup.channels;
    const user = wallet(2);
    await deposit(setup, user, 5 * USD);
    await suite.redis.xadd(streams.bets, '*', 'd', '{"betId": broken');
    await suite.redis.xadd(
      streams.adjustments,
      '*',
      'd',
      JSON.stringify({ ...anAdjustment(), amountMicros: '7' }),
    );
    await suite.redis.xadd(
      streams.bets,
      '*',
      ...encodeEntry('bets', aBetPlacedNow({ userId: user, stakeMicros: 2 * USD })),
    );
    await suite.redis.xadd(streams.prices, '*', ...encodeEntry('prices', aPrint()));
    const daemon = await startHealthyBatcher(setup);
    try {
      const dead = await eventually(
        () => streamJson(suite.redis, streams.deadLetter),
        (d) => d.length === 2,
      );
      // Entries of different streams in the same millisecond have no defined order between them.
      expect(dead).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            stream: streams.bets,
            reason: 'entry_malformed: not JSON',
            raw: '{"betId": broken',
          }),
          expect.objectContaining({
            stream: streams.adjustments,
            reason: expect.stringContaining('amountMicros'),
          }),
        ]),
      );
      expect(count(setup, 'SELECT balance FROM users WHERE id = ?', user)).toBe(3 * USD);
      expect(count(setup, 'SELECT count(*) FROM index_prints')).toBe(1);
      expect(await suite.redis.xpending(streams.bets, 'batcher')).toEqual([0, null, null, null]);
    } finally {
      await daemon.stop();
    }
  });

  it('dead-letters a debit larger than the balance as insufficient_funds and moves nothing', async () => {
    const setup = newSetup(suite.url);
    const user = wallet(3);
    await deposit(setup, user, USD);
    await suite.redis.xadd(
      setup.channels.streams.adjustments,
      '*',
      ...encodeEntry(
        'adjustments',
        anAdjustment({ userId: user, kind: 'withdrawal', amountMicros: 2 * USD }),
      ),
    );
    const daemon = await startHealthyBatcher(setup);
    try {
      const dead = await eventually(
        () => streamJson(suite.redis, setup.channels.streams.deadLetter),
        (d) => d.length > 0,
      );
      expect(dead).toMatchObject([{ reason: 'insufficient_funds' }]);
      expect(count(setup, 'SELECT balance FROM users WHERE id = ?', user)).toBe(USD);
    } finally {
      await daemon.stop();
    }
  });

  it('dead-letters a forged bet XADDed straight into tap:bets (a window already running) and moves no money', async () => {
    const setup = newSetup(suite.url);
    const { keys, streams } = setup.channels;
    const user = wallet(9);
    const daemon = await startHealthyBatcher(setup);
    try {
      await deposit(setup, user, 10 * USD);
      await eventually(
        () => suite.redis.hget(keys.wallet(user), 'balance'),
        (v) => v === String(10 * USD),
      );
      // The attacker writes to Redis directly: 50× on the window that started 5 s ago, claiming it
      // was placed in time, and a stake beyond the maximum on a valid cell.
      const running = Math.floor(Date.now() / 5_000) * 5_000 - 5_000;
      const late = aBetPlacedNow({
        userId: user,
        stakeMicros: 5 * USD,
        multiplierBp: 500_000,
        t0: running,
        placedAt: running - 10_000,
      });
      const huge = aBetPlacedNow({ userId: user, stakeMicros: 101 * USD });
      await suite.redis.xadd(streams.bets, '*', ...encodeEntry('bets', late));
      await suite.redis.xadd(streams.bets, '*', ...encodeEntry('bets', huge));
      const dead = await eventually(
        () => streamJson<{ reason: string; entryId: string }>(suite.redis, streams.deadLetter),
        (d) => d.length === 2,
      );
      expect(dead.map((d) => d.reason)).toEqual([
        'bet_out_of_bounds: starts_too_soon',
        'bet_out_of_bounds: stake_out_of_range',
      ]);
      // An operator sees each one in the log, with its entry id and reason.
      await daemon.waitForLine(
        (line) => line.includes('"entry.dead_lettered"') && line.includes(dead[1]!.entryId),
        10_000,
      );
      expect(count(setup, 'SELECT count(*) FROM bets')).toBe(0);
      expect(count(setup, 'SELECT balance FROM users WHERE id = ?', user)).toBe(10 * USD);
      expect(count(setup, "SELECT count(*) FROM transaction_ledger WHERE ref_type != 'deposit'")).toBe(0);
      await eventually(
        () => suite.redis.hget(keys.wallet(user), 'balance'),
        (v) => v === String(10 * USD),
      );
    } finally {
      await daemon.stop();
    }
  });

  it('settles a won bet from tap:settlements: payout, event, cache and exposure', async () => {
    const setup = newSetup(suite.url);
    const { keys, streams } = setup.channels;
    const user = wallet(4);
    const daemon = await startHealthyBatcher(setup);
    try {
      await deposit(setup, user, 10 * USD);
      await eventually(
        () => suite.redis.hget(keys.wallet(user), 'balance'),
        (v) => v === String(10 * USD),
      );
      const bet = aBetPlacedNow({ userId: user, stakeMicros: 2 * USD, multiplierBp: 23_500 });
      await admitBet(suite.redis, setup.channels, bet);
      await eventually(
        () => count(setup, 'SELECT count(*) FROM bets'),
        (n) => n === 1,
      );
      expect(await suite.redis.get(keys.exposureCell(bet.t0, bet.p0))).toBe(String(4_700_000));
      await suite.redis.xadd(
        streams.settlements,
        '*',
        ...encodeEntry('settlements', aSettlement({ betId: bet.betId })),
      );
      await eventually(
        () => suite.redis.hget(keys.wallet(user), 'balance'),
        (v) => v === String(12_700_000),
      );
      expect(count(setup, 'SELECT payout FROM bets WHERE id = ?', bet.betId)).toBe(4_700_000);
      expect(await suite.redis.get(keys.exposureCell(bet.t0, bet.p0))).toBe('0');
      expect(await suite.redis.hmget(keys.wallet(user), 'exposure', 'openbets')).toEqual(['0', '0']);
      const events = await streamJson<EventEntry>(suite.redis, streams.events);
      expect(events.map((e) => (e.type === 'bet' ? e.status : e.type))).toEqual([
        'balance',
        'accepted',
        'won',
      ]);
    } finally {
      await daemon.stop();
    }
  });

  it('rebuilds the cache at start: ready dropped first, in-flight stakes subtracted, stale keys gone', async () => {
    const setup = newSetup(suite.url);
    const { keys } = setup.channels;
    const user = wallet(5);
    await deposit(setup, user, 10 * USD);
    const first = await startHealthyBatcher(setup);
    await eventually(
      () => suite.redis.hget(keys.wallet(user), 'balance'),
      (v) => v === String(10 * USD),
    );
    await first.stop();
    await suite.redis.hset(keys.wallet(user), 'balance', String(999 * USD));
    await suite.redis.hset(keys.wallet(wallet(6)), 'exposure', '5');
    // The layout before the wallet hash is dropped; an operator's freeze and the rate bucket stay.
    // A wallet key that is not a hash (written by hand) goes too.
    const legacy = [
      `${setup.channels.prefix}balance:${user}`,
      `${setup.channels.prefix}openbets:${user}`,
      keys.wallet(wallet(8)),
    ];
    for (const key of legacy) await suite.redis.set(key, '7');
    await suite.redis.set(keys.frozen(wallet(7)), '{"operator":"test"}');
    await suite.redis.hset(keys.wallet(user), 'rate', '3:1');
    const inFlight = [1, 2, 3].map((usd) => aBetPlacedNow({ userId: user, stakeMicros: usd * USD }));
    for (const bet of inFlight) await admitBet(suite.redis, setup.channels, bet);

    const monitor = await newRedis(suite.url).monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    const daemon = await startHealthyBatcher(setup);
    try {
      await eventually(
        () => count(setup, 'SELECT count(*) FROM bets'),
        (n) => n === 3,
      );
      const at = (cmd: string, key: string) =>
        commands.findIndex((c) => c[0]?.toUpperCase() === cmd && c[1] === key);
      const delReady = at('DEL', keys.balanceCacheReady);
      const setBalance = at('HSET', keys.wallet(user));
      const setReady = at('SET', keys.balanceCacheReady);
      expect(delReady).toBeGreaterThanOrEqual(0);
      expect(delReady).toBeLessThan(setBalance);
      expect(setBalance).toBeLessThan(setReady);
      expect(commands[setBalance]!.slice(2)).toEqual(['balance', String(4 * USD)]);
      expect(await suite.redis.hget(keys.wallet(user), 'balance')).toBe(String(4 * USD));
      expect(await suite.redis.hexists(keys.wallet(wallet(6)), 'exposure')).toBe(0);
      expect(await suite.redis.hget(keys.wallet(user), 'openbets')).toBe('3');
      expect(await suite.redis.exists(...legacy)).toBe(0);
      expect(await suite.redis.get(keys.frozen(wallet(7)))).toBe('{"operator":"test"}');
      expect(await suite.redis.hget(keys.wallet(user), 'rate')).toBe('3:1');
      expect(await suite.redis.get(keys.balanceCacheReady)).toBe('1');
    } finally {
      monitor.disconnect();
      await daemon.stop();
    }
  });

  it('claims and applies entries left pending under another consumer name, once', async () => {
    const setup = newSetup(suite.url);
    const { streams } = setup.channels;
    const user = wallet(7);
    await deposit(setup, user, 10 * USD);
    for (let i = 0; i < 5; i += 1)
      await admitBet(suite.redis, setup.channels, aBetPlacedNow({ userId: user }));
    const crashing = await startBatcher(setup, {
      CONSUMER_NAME: 'old-name',
      BATCHER_FAIL_POINT: 'after_commit_before_ack',
    });
    expect((await crashing.daemon.exited).signal).toBe('SIGKILL');
    const [pending] = (await suite.redis.xpending(streams.bets, 'batcher')) as [number];
    expect(pending).toBe(5);
    expect(count(setup, 'SELECT count(*) FROM bets')).toBe(5);
    const daemon = await startHealthyBatcher(setup, { CONSUMER_NAME: 'new-name' });
    try {
      await eventually(
        () => suite.redis.xpending(streams.bets, 'batcher'),
        (p) => (p as [number])[0] === 0,
      );
      expect(count(setup, "SELECT count(*) FROM transaction_ledger WHERE ref_type = 'bet_stake'")).toBe(5);
      expect(count(setup, 'SELECT balance FROM users WHERE id = ?', user)).toBe(5 * USD);
      const events = await eventually(
        () => streamJson<EventEntry>(suite.redis, streams.events),
        (e) => e.length >= 6,
      );
      expect(new Set(events.map((e) => (e.type === 'bet' ? e.betId : e.refId))).size).toBe(6);
    } finally {
      await daemon.stop();
    }
  });
});
