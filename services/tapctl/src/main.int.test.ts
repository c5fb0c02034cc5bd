import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, encodeEntry } from '@tap/channels';
import { Redis } from '@tap/runtime';
import {
  aBetPlacedNow,
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const USER = ADDRESS.toLowerCase();

describe('tapctl (built CLI, real Redis and batcher)', () => {
  let server: TestRedis;
  let redis: Redis;
  let batcher: Started;
  const prefix = freshPrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'tap-tapctl-'));
  const channels = createChannels(prefix);

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    const port = await freePort();
    batcher = startDaemon('batcher', {
      REDIS_URL: server.url,
      TAP_KEY_PREFIX: prefix,
      DATA_DIR: dataDir,
      OPS_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 15_000);
  });
  afterAll(async () => {
    await batcher.stop();
    redis.disconnect();
    await server.stop();
  });

  async function tapctl(...args: string[]) {
    const run = startDaemon(
      'tapctl',
      { REDIS_URL: server.url, TAP_KEY_PREFIX: prefix, DATA_DIR: dataDir },
      args,
    );
    const { code } = await run.exited;
    const stdout = run.lines.join('\n');
    return {
      code,
      stdout,
      stderr: run.stderr.join('\n'),
      json: () => JSON.parse(stdout) as Record<string, unknown>,
    };
  }

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
    const dead = (await redis.xrange(channels.streams.deadLetter, '-', '+')) as [string, string[]][];
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
    await redis.xadd(channels.streams.bets, '*', ...encodeEntry('bets', bet));
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
