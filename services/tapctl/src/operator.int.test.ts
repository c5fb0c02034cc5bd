import { join } from 'node:path';
import { encodeEntry } from '@tap/channels';
import { isoWeekOf } from '@tap/domain';
import { aBetPlacedNow, anAdjustment } from '@tap/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tapctlSuite } from './testing.js';

const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const USER = ADDRESS.toLowerCase();

describe('tapctl operator controls (built CLI, real Redis and batcher)', () => {
  const suite = tapctlSuite();
  const { tapctl, channels } = suite;
  const { keys, streams } = channels;

  /** The audit rows the batcher recorded, once it has caught up to `count` of them. */
  const auditRows = async (count: number) => {
    const path = join(suite.dataDir, 'segments', `${isoWeekOf(Date.now())}.db`);
    for (let i = 0; ; i += 1) {
      const db = new Database(path, { readonly: true });
      const rows = db
        .prepare('SELECT action, target, operator, reason FROM operator_actions ORDER BY id')
        .all() as Record<string, unknown>[];
      db.close();
      if (rows.length >= count || i > 100) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('halts and resumes trading through the breaker key, audited; repeating changes nothing', async () => {
    const halt = await suite.tapctlWith(
      { TAP_OPERATOR: 'bob' },
      '--json',
      'halt',
      '--reason',
      'exchange incident',
    );
    expect(halt.json()).toMatchObject({ status: 'applied', action: 'halt', operator: 'bob' });
    expect(JSON.parse((await suite.redis.get(keys.manualHalt))!)).toMatchObject({
      operator: 'bob',
      reason: 'exchange incident',
    });
    const again = await tapctl('--json', 'halt', '--reason', 'again');
    expect([again.code, again.json()['status']]).toEqual([0, 'unchanged']);
    expect((await tapctl('resume', '--reason', 'incident over')).code).toBe(0);
    expect(await suite.redis.exists(keys.manualHalt)).toBe(0);
    expect(await auditRows(2)).toEqual([
      { action: 'halt', target: '', operator: 'bob', reason: 'exchange incident' },
      expect.objectContaining({ action: 'resume', target: '', reason: 'incident over' }),
    ]);
  });

  it('freezes a wallet: withdrawals are refused before queueing, operator credits still apply', async () => {
    expect(
      (await tapctl('credit', ADDRESS, '10', '--kind', 'deposit', '--reason', 'funding', '--wait')).code,
    ).toBe(0);
    expect((await tapctl('freeze', ADDRESS, '--reason', 'fraud review 3')).code).toBe(0);
    expect(await suite.redis.exists(keys.frozen(USER))).toBe(1);
    const queued = await suite.lastAddedId(streams.adjustments);
    const withdrawal = await tapctl('debit', ADDRESS, '5', '--kind', 'withdrawal', '--reason', 'payout');
    expect(withdrawal.code).toBe(1);
    expect(withdrawal.stderr).toContain('is frozen');
    expect(await suite.lastAddedId(streams.adjustments)).toBe(queued);
    expect((await tapctl('unfreeze', ADDRESS, '--reason', 'cleared')).code).toBe(0);
    expect(
      (await tapctl('debit', ADDRESS, '5', '--kind', 'withdrawal', '--reason', 'payout', '--wait')).code,
    ).toBe(0);
  });

  it("lowers a wallet's open payout limit, audited with the cap; repeating changes nothing; unlimit lifts it", async () => {
    const limited = await suite.tapctlWith(
      { TAP_OPERATOR: 'carol' },
      '--json',
      'limit',
      ADDRESS,
      '--open-payout-usd',
      '25.5',
      '--reason',
      'edge review 4',
    );
    expect(limited.json()).toMatchObject({ status: 'applied', action: 'limit', target: USER });
    expect(JSON.parse((await suite.redis.get(keys.walletLimit(USER)))!)).toMatchObject({
      openPayoutMicrosMax: 25_500_000,
      operator: 'carol',
      reason: 'edge review 4 (open payout ≤ 25.500000 USD)',
    });
    const again = await tapctl('--json', 'limit', ADDRESS, '--open-payout-usd', '10', '--reason', 'again');
    expect([again.code, again.json()['status']]).toEqual([0, 'unchanged']);
    const bad = await tapctl('limit', ADDRESS, '--open-payout-usd', '-1', '--reason', 'x');
    expect(bad.code).toBe(2);
    expect((await tapctl('unlimit', ADDRESS, '--reason', 'review done')).code).toBe(0);
    expect(await suite.redis.exists(keys.walletLimit(USER))).toBe(0);
    const limitRows = async () =>
      (await auditRows(0)).filter((row) => String(row['action']).endsWith('limit'));
    for (let i = 0; (await limitRows()).length < 2 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await limitRows()).toEqual([
      {
        action: 'limit',
        target: USER,
        operator: 'carol',
        reason: 'edge review 4 (open payout ≤ 25.500000 USD)',
      },
      expect.objectContaining({ action: 'unlimit', target: USER, reason: 'review done' }),
    ]);
  });

  it('voids an open bet with a refund, and refuses to void it again', async () => {
    expect((await tapctl('credit', ADDRESS, '2', '--reason', 'stake money', '--wait')).code).toBe(0);
    const bet = aBetPlacedNow({ userId: USER, stakeMicros: 2_000_000 });
    await suite.redis.xadd(streams.bets, '*', ...encodeEntry('bets', bet));
    const before = async () => (await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros'] as number;
    let shown = await tapctl('--json', 'bet', bet.betId);
    for (let i = 0; shown.code !== 0 && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = await tapctl('--json', 'bet', bet.betId);
    }
    const balance = await before();
    const voided = await tapctl(
      '--json',
      'void',
      bet.betId,
      '--reason',
      'resolver stuck, ticket 8',
      '--wait',
    );
    expect(voided.json()).toMatchObject({ status: 'voided', betId: bet.betId });
    expect(await before()).toBe(balance + 2_000_000);
    expect((await tapctl('--json', 'bet', bet.betId)).json()).toMatchObject({
      status: 'void',
      reason: 'operator_void',
    });
    const again = await tapctl('void', bet.betId, '--reason', 'twice');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is void: only an open bet can be voided');
  });

  it('lists, shows, retries and discards dead letters, each audited', async () => {
    // A deposit the batcher refuses (the user has nothing to withdraw), then one forged.
    const refused = anAdjustment({
      userId: `0x${'c'.repeat(40)}`,
      kind: 'withdrawal',
      amountMicros: 1_000_000,
    });
    const forged = anAdjustment({ userId: USER, amountMicros: 1_000_000_000, mac: 'd'.repeat(64) });
    await suite.redis.xadd(streams.adjustments, '*', ...encodeEntry('adjustments', refused));
    await suite.redis.xadd(streams.adjustments, '*', ...encodeEntry('adjustments', forged));
    let list = await tapctl('--json', 'dlq', 'list');
    for (let i = 0; (list.json()['deadLetters'] as unknown[]).length < 2 && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      list = await tapctl('--json', 'dlq', 'list');
    }
    const letters = list.json()['deadLetters'] as { id: string; reason: string }[];
    const [forgedLetter, refusedLetter] = letters;
    expect(forgedLetter!.reason).toBe('adjustment_unauthenticated');
    expect(refusedLetter!.reason).toBe('insufficient_funds');
    expect((await tapctl('dlq', 'show', forgedLetter!.id)).stdout).toContain('adjustment_unauthenticated');

    // A retried forgery is refused again: a dead letter is no way around the key.
    const retried = await tapctl('--json', 'dlq', 'retry', forgedLetter!.id, '--reason', 'try again');
    expect(retried.json()).toMatchObject({ status: 'requeued' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = (await tapctl('--json', 'dlq', 'list')).json()['deadLetters'] as {
      id: string;
      reason: string;
    }[];
    expect(after.map((d) => d.reason)).toEqual(['adjustment_unauthenticated', 'insufficient_funds']);
    expect(after.map((d) => d.id)).not.toContain(forgedLetter!.id);
    expect((await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros']).toBeLessThan(1_000_000_000);

    expect((await tapctl('dlq', 'discard', refusedLetter!.id, '--reason', 'test entry')).code).toBe(0);
    const gone = await tapctl('dlq', 'discard', refusedLetter!.id, '--reason', 'again');
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringContaining('no dead letter')]);
    expect((await tapctl('dlq', 'discard', refusedLetter!.id)).code).toBe(2); // --reason is required
    const audit = await auditRows(0);
    expect(audit.filter((r) => String(r['action']).startsWith('dlq_'))).toEqual([
      expect.objectContaining({ action: 'dlq_retry', target: forgedLetter!.id, reason: 'try again' }),
      expect.objectContaining({ action: 'dlq_discard', target: refusedLetter!.id, reason: 'test entry' }),
    ]);
  });
});
