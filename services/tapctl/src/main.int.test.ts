import { join } from 'node:path';
import { encodeEntry } from '@tap/channels';
import { isoWeekOf } from '@tap/domain';
import { aBetPlacedNow } from '@tap/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tapctlSuite } from './testing.js';

const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const USER = ADDRESS.toLowerCase();

describe('tapctl (built CLI, real Redis and batcher)', () => {
  const suite = tapctlSuite();
  const { tapctl, channels } = suite;

  it('credits a wallet through the batcher; balance and ledger show it', async () => {
    const credit = await tapctl('--json', 'credit', ADDRESS, '12.5', '--reason', 'welcome credit', '--wait');
    expect(credit.code).toBe(0);
    expect(credit.json()).toMatchObject({
      status: 'applied',
      userId: USER,
      amountMicros: 12_500_000,
      balanceMicros: 12_500_000,
    });

    const balance = await tapctl('--json', 'balance', ADDRESS);
    expect(balance.code).toBe(0);
    expect(balance.json()).toMatchObject({
      userId: USER,
      balanceMicros: 12_500_000,
      availableMicros: 12_500_000,
      cacheReady: true,
    });
    const text = await tapctl('balance', ADDRESS);
    expect(text.stdout).toMatch(/balance\s+12\.500000 USD/);

    const ledger = await tapctl(
      '--json',
      'ledger',
      ADDRESS,
      '--ref',
      `adjustment:${credit.json()['adjustmentId']}`,
    );
    expect(ledger.json()['rows']).toMatchObject([
      { refType: 'adjustment', amountMicros: 12_500_000, balanceAfterMicros: 12_500_000 },
    ]);
  });

  it('records the operator, reason and time of a credit with its ledger row', async () => {
    const credit = await suite.tapctlWith(
      { TAP_OPERATOR: 'alice' },
      '--json',
      'credit',
      ADDRESS,
      '3',
      '--reason',
      'goodwill, ticket 5',
      '--wait',
    );
    expect(credit.json()).toMatchObject({
      status: 'applied',
      operator: 'alice',
      reason: 'goodwill, ticket 5',
    });
    const db = new Database(join(suite.dataDir, 'segments', `${isoWeekOf(Date.now())}.db`), {
      readonly: true,
    });
    try {
      const row = db
        .prepare(
          `SELECT a.operator, a.reason, a.requested_at AS requestedAt, l.amount FROM operator_actions a
           JOIN transaction_ledger l ON l.id = a.ledger_id WHERE a.action_id = ?`,
        )
        .get(credit.json()['adjustmentId']);
      expect(row).toEqual({
        operator: 'alice',
        reason: 'goodwill, ticket 5',
        requestedAt: credit.json()['requestedAt'],
        amount: 3_000_000,
      });
    } finally {
      db.close();
    }
  });

  it('needs --confirm above ADJUST_CONFIRM_ABOVE_USD', async () => {
    const big = await tapctl('credit', ADDRESS, '1000.01', '--reason', 'large wire');
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('--confirm');
    const lowered = await suite.tapctlWith(
      { ADJUST_CONFIRM_ABOVE_USD: '5' },
      'debit',
      ADDRESS,
      '6',
      '--reason',
      'x',
    );
    expect(lowered.code).toBe(2);
    const confirmed = await tapctl(
      '--json',
      'credit',
      ADDRESS,
      '1000.01',
      '--reason',
      'large wire',
      '--confirm',
      '--wait',
    );
    expect(confirmed.json()).toMatchObject({ status: 'applied', amountMicros: 1_000_010_000 });
    expect((await tapctl('debit', ADDRESS, '1000.01', '--reason', 'undo', '--confirm', '--wait')).code).toBe(
      0,
    );
  });

  it('refuses to move money without the operator key (exit 2), queueing nothing', async () => {
    const before = await suite.lastAddedId(channels.streams.adjustments);
    const run = await suite.tapctlWith({ OPERATOR_MAC_KEY: '' }, 'credit', ADDRESS, '1', '--reason', 'x');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OPERATOR_MAC_KEY is not set');
    expect(await suite.lastAddedId(channels.streams.adjustments)).toBe(before);
  });

  it('applies a credit given the same --id once', async () => {
    const before = (await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros'] as number;
    for (let i = 0; i < 2; i += 1) {
      expect(
        (await tapctl('credit', ADDRESS, '1', '--reason', 'retry-safe', '--id', 'ticket-42', '--wait')).code,
      ).toBe(0);
    }
    expect((await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros']).toBe(before + 1_000_000);
  });

  it('fails with exit 1 when the batcher dead-letters a debit above the balance, and nothing changes', async () => {
    const before = (await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros'] as number;
    const debit = await tapctl(
      'debit',
      ADDRESS,
      '1000',
      '--reason',
      'too much',
      '--kind',
      'withdrawal',
      '--wait',
    );
    expect(debit.code).toBe(1);
    expect(debit.stderr).toContain('insufficient_funds');
    expect((await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros']).toBe(before);
    const dead = (await suite.redis.xrange(channels.streams.deadLetter, '-', '+')) as [string, string[]][];
    expect(dead.map(([, fields]) => JSON.parse(fields[1]!).reason)).toContain('insufficient_funds');
  });

  it('debits within the balance', async () => {
    const before = (await tapctl('--json', 'balance', ADDRESS)).json()['balanceMicros'] as number;
    const debit = await tapctl(
      '--json',
      'debit',
      ADDRESS,
      '0.000001',
      '--reason',
      'fee correction',
      '--wait',
    );
    expect(debit.json()).toMatchObject({ status: 'applied', amountMicros: -1, balanceMicros: before - 1 });
  });

  it('shows a bet applied by the batcher with its ledger rows', async () => {
    expect((await tapctl('credit', ADDRESS, '2', '--reason', 'stake money', '--wait')).code).toBe(0);
    // A bet placed now (id minted now, so `bet` finds it in this week's segment by the id's time).
    const bet = aBetPlacedNow({ userId: USER, stakeMicros: 2_000_000 });
    await suite.redis.xadd(channels.streams.bets, '*', ...encodeEntry('bets', bet));
    let shown = await tapctl('--json', 'bet', bet.betId);
    for (let i = 0; shown.code !== 0 && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = await tapctl('--json', 'bet', bet.betId);
    }
    expect(shown.json()).toMatchObject({
      betId: bet.betId,
      status: 'accepted',
      stakeMicros: 2_000_000,
      terms: bet.terms,
      ledger: [{ refType: 'bet_stake', amountMicros: -2_000_000 }],
    });
  });

  it.each([
    [['credit', '0x1234', '1', '--reason', 'x'], 'is not a wallet address'],
    [['credit', ADDRESS, '1.0000001', '--reason', 'x'], 'at most 6 decimals'],
    [['credit', ADDRESS, 'ten', '--reason', 'x'], 'is not a USD amount'],
    [['debit', ADDRESS, '0', '--reason', 'x'], 'more than zero'],
    [['credit', ADDRESS, '1'], "required option '--reason"],
    [['credit', ADDRESS, '1', '--reason', 'x', '--kind', 'withdrawal'], 'Allowed choices'],
    [['balance', 'nope'], 'is not a wallet address'],
    [['bet', 'not-a-ulid'], 'is not a bet id'],
    [['ledger', ADDRESS, '--from', 'yesterday'], '--from'],
    [['ledger', ADDRESS, '--ref', 'bonus:1'], '--ref must be'],
    [['--data-dir', 'relative', 'balance', ADDRESS], 'DATA_DIR: must be an absolute path'],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const run = await tapctl(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('fails with exit 1 naming the problem when Redis is unreachable', async () => {
    const run = await tapctl('--redis-url', 'redis://127.0.0.1:1', 'credit', ADDRESS, '1', '--reason', 'x');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });
});
