import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEntry } from '@tap/channels';
import { aBet, aBetPlacedNow, anAdjustment, anOperatorEntry } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { ledgerProblems } from './storage/test-segment.js';
import {
  admitBet,
  eventually,
  newSetup,
  openSegmentReadonly,
  redisForSuite,
  startHealthyBatcher,
  streamJson,
} from './testing.js';

const USD = 1_000_000;
const wallet = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

describe('batcher operator entries (real Redis, built daemon)', () => {
  const suite = redisForSuite();
  const query = (dataDir: string, sql: string, ...params: unknown[]) => {
    const db = openSegmentReadonly(dataDir);
    try {
      return db
        .prepare(sql)
        .pluck()
        .get(...params);
    } finally {
      db.close();
    }
  };

  it('dead-letters a forged adjustment XADDed straight into Redis and moves no money', async () => {
    const setup = newSetup(suite.url);
    const { streams } = setup.channels;
    const user = wallet(1);
    const genuine = anAdjustment({ userId: user, amountMicros: USD });
    // An attacker with Redis access: an unsigned-looking MAC, and a genuine entry with its amount raised.
    const forgedMac = anAdjustment({ userId: user, amountMicros: 1_000 * USD, mac: 'a'.repeat(64) });
    const raised = { ...anAdjustment({ userId: user, amountMicros: USD }), amountMicros: 1_000 * USD };
    for (const entry of [forgedMac, raised, genuine]) {
      await suite.redis.xadd(streams.adjustments, '*', ...encodeEntry('adjustments', entry));
    }
    const daemon = await startHealthyBatcher(setup);
    try {
      const dead = await eventually(
        () => streamJson(suite.redis, streams.deadLetter),
        (d) => d.length === 2,
      );
      expect(dead.map((d) => d['reason'])).toEqual([
        'adjustment_unauthenticated',
        'adjustment_unauthenticated',
      ]);
      await eventually(
        () => query(setup.dataDir, 'SELECT balance FROM users WHERE id = ?', user),
        (balance) => balance === USD,
      );
      expect(query(setup.dataDir, 'SELECT count(*) FROM transaction_ledger')).toBe(1);
      expect(
        query(
          setup.dataDir,
          'SELECT operator FROM operator_actions WHERE action_id = ?',
          genuine.adjustmentId,
        ),
      ).toBe('test-operator');
      expect(await suite.redis.hget(setup.channels.keys.wallet(user), 'balance')).toBe(String(USD));
    } finally {
      await daemon.stop();
    }
  });

  it('voids an open bet for an operator, refuses a forged void, and anchors the ledger head', async () => {
    const setup = newSetup(suite.url);
    const { streams } = setup.channels;
    const user = wallet(2);
    await suite.redis.xadd(
      streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId: user, amountMicros: 5 * USD })),
    );
    // Not overdue (the sweep is off here anyway): only the operator can end them.
    const [kept, voided] = [
      aBetPlacedNow({ userId: user, stakeMicros: USD }),
      aBetPlacedNow({ userId: user, stakeMicros: USD }),
    ];
    const daemon = await startHealthyBatcher(setup, { ANCHOR_INTERVAL_MS: '1000' });
    try {
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(user), 'balance'),
        (v) => v === String(5 * USD),
      );
      for (const bet of [kept, voided]) await admitBet(suite.redis, setup.channels, bet);
      const forged = anOperatorEntry({ action: 'void', target: kept.betId, mac: 'b'.repeat(64) });
      const genuine = anOperatorEntry({ action: 'void', target: voided.betId, reason: 'ticket 12' });
      await suite.redis.xadd(streams.operator, '*', ...encodeEntry('operator', forged));
      await suite.redis.xadd(streams.operator, '*', ...encodeEntry('operator', genuine));
      await eventually(
        () => query(setup.dataDir, 'SELECT status FROM bets WHERE id = ?', voided.betId),
        (status) => status === 'void',
      );
      expect(query(setup.dataDir, 'SELECT status FROM bets WHERE id = ?', kept.betId)).toBe('accepted');
      expect(query(setup.dataDir, 'SELECT balance FROM users WHERE id = ?', user)).toBe(4 * USD);
      const dead = await streamJson(suite.redis, streams.deadLetter);
      expect(dead).toMatchObject([{ stream: streams.operator, reason: 'operator_entry_unauthenticated' }]);
      const anchorsPath = join(setup.dataDir, 'ledger-anchors.jsonl');
      const rows = query(setup.dataDir, 'SELECT count(*) FROM transaction_ledger') as number;
      const anchors = await eventually(
        () => {
          try {
            return readFileSync(anchorsPath, 'utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line));
          } catch {
            return []; // not written yet
          }
        },
        (lines) => lines.at(-1)?.rows === rows,
      );
      const head = query(setup.dataDir, 'SELECT hash FROM transaction_ledger ORDER BY id DESC LIMIT 1');
      expect(anchors.at(-1)).toMatchObject({ rows, hash: head });
      const db = openSegmentReadonly(setup.dataDir);
      try {
        expect(ledgerProblems(db)).toEqual([]);
      } finally {
        db.close();
      }
    } finally {
      await daemon.stop();
    }
  });

  it('voids a bet nobody settled once its deadline and grace have passed (resolver down)', async () => {
    const setup = newSetup(suite.url);
    const user = wallet(3);
    await suite.redis.xadd(
      setup.channels.streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId: user, amountMicros: 5 * USD })),
    );
    // Admitted 80 s ago (its stream id says so, as the bet bounds check), window long over.
    const placedAt = Date.now() - 80_000;
    const bet = aBet({
      userId: user,
      placedAt,
      t0: Math.ceil((placedAt + 10_000) / 5_000) * 5_000,
      stakeMicros: 2 * USD,
    });
    const daemon = await startHealthyBatcher(setup, {
      DEAD_MAN_GRACE_MS: '0',
      DEAD_MAN_SWEEP_INTERVAL_MS: '200',
    });
    try {
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(user), 'balance'),
        (v) => v === String(5 * USD),
      );
      await admitBet(suite.redis, setup.channels, bet, `${placedAt}-0`);
      const events = await eventually(
        () => streamJson(suite.redis, setup.channels.streams.events),
        (list) => list.some((e) => e['betId'] === bet.betId && e['status'] === 'void'),
      );
      expect(events.filter((e) => e['betId'] === bet.betId).map((e) => e['status'])).toEqual([
        'accepted',
        'void',
      ]);
      expect(query(setup.dataDir, 'SELECT balance FROM users WHERE id = ?', user)).toBe(5 * USD);
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(user), 'openbets'),
        (v) => v === '0',
      );
      expect(await suite.redis.hget(setup.channels.keys.wallet(user), 'balance')).toBe(String(5 * USD));
    } finally {
      await daemon.stop();
    }
  });

  it('drains a backlog of overdue bets sweep after sweep, not one sweep per interval', async () => {
    const setup = newSetup(suite.url);
    const user = wallet(4);
    const backlog = 2_500;
    const intervalMs = 15_000;
    await suite.redis.xadd(
      setup.channels.streams.adjustments,
      '*',
      ...encodeEntry('adjustments', anAdjustment({ userId: user, amountMicros: backlog * USD })),
    );
    const placedAt = Date.now() - 80_000;
    const t0 = Math.ceil((placedAt + 10_000) / 5_000) * 5_000;
    const daemon = await startHealthyBatcher(setup, {
      DEAD_MAN_GRACE_MS: '0',
      DEAD_MAN_SWEEP_INTERVAL_MS: String(intervalMs),
    });
    try {
      // Admitted after the start-up sweep: the next one is due an interval later.
      await eventually(
        () => suite.redis.hget(setup.channels.keys.wallet(user), 'balance'),
        (v) => v === String(backlog * USD),
      );
      for (let i = 0; i < backlog; i += 1) {
        const bet = aBet({ userId: user, placedAt, t0, stakeMicros: USD });
        await admitBet(suite.redis, setup.channels, bet, `${placedAt}-${i}`);
      }
      const voided = () => query(setup.dataDir, "SELECT count(*) FROM bets WHERE status = 'void'");
      expect(await eventually(voided, (n) => n === backlog, 2 * intervalMs)).toBe(backlog);
      expect(query(setup.dataDir, 'SELECT balance FROM users WHERE id = ?', user)).toBe(backlog * USD);
      // SWEEP_BETS_MAX (1,000) a sweep: three sweeps, back to back rather than an interval apart.
      const sweepLines = () =>
        daemon.lines
          .filter((line) => line.includes('"dead_man.voided"'))
          .map((line) => JSON.parse(line) as { time: string; bets: number });
      // The log line follows the commit the count above saw.
      const sweeps = await eventually(sweepLines, (lines) => lines.length === 3);
      expect(sweeps.map((sweep) => sweep.bets)).toEqual([1_000, 1_000, 500]);
      const spanMs = Date.parse(sweeps[2]!.time) - Date.parse(sweeps[0]!.time);
      expect(spanMs).toBeLessThan(intervalMs / 2);
    } finally {
      await daemon.stop();
    }
  });
});
