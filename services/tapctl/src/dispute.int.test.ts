import { encodeEntry } from '@tap/channels';
import { aBet, aPrint, aSettlement, testUlid } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import { tapctlSuite } from './testing.js';

const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const USER = ADDRESS.toLowerCase();
const T0 = 1_764_000_010_000;
const W = 5_000;
const P0 = 9_500_000;
const H = 1_000;

describe('tapctl dispute (built CLI, real Redis and batcher)', () => {
  const suite = tapctlSuite();
  const { tapctl, channels } = suite;
  const { streams } = channels;

  /** Prints every 100 ms from 70 s before t0 to 2 s after the window: below the band, then `touchAt`. */
  async function storePrints(touchAt: number | null) {
    const pipeline = suite.redis.pipeline();
    let id = 1_000;
    for (let t = T0 - 70_000; t <= T0 + W + 2_000; t += 100) {
      id += 1;
      const priceCents = touchAt !== null && t === touchAt ? P0 + 500 : P0 - 2_000;
      pipeline.xadd(streams.prices, '*', ...encodeEntry('prices', aPrint({ id, t, priceCents, venues: 3 })));
    }
    await pipeline.exec();
  }

  async function settledBet(outcome: 'won' | 'lost', n: number) {
    const bet = aBet({
      betId: testUlid(Date.now(), n),
      userId: USER,
      t0: T0,
      placedAt: T0 - 20_000,
      p0: P0,
      windowMs: W,
      bandCents: H,
      stakeMicros: 1_000_000,
    });
    // Appended (stream id) 20 s before t0, as admission would have: the batcher checks the lead time.
    await suite.redis.xadd(streams.bets, `${T0 - 20_000}-${n}`, ...encodeEntry('bets', bet));
    const evidence =
      outcome === 'won'
        ? { printId: 1, t: T0 + 2_000, priceCents: P0 + 500, low: P0 - 2_000, high: P0 + 500 }
        : {};
    await suite.redis.xadd(
      streams.settlements,
      '*',
      ...encodeEntry('settlements', aSettlement({ betId: bet.betId, outcome, evidence })),
    );
    for (let i = 0; i < 100; i += 1) {
      const shown = await tapctl('--json', 'bet', bet.betId);
      if (shown.code === 0 && shown.json()['status'] === outcome) return bet;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`bet ${bet.betId} was not settled`);
  }

  it('recomputes a win from the stored prints with the resolver rule and agrees; a wrongly stored loss disagrees', async () => {
    expect((await tapctl('credit', ADDRESS, '10', '--reason', 'stakes', '--wait')).code).toBe(0);
    await storePrints(T0 + 2_000);
    const won = await settledBet('won', 1);
    const fair = await tapctl('--json', 'dispute', won.betId);
    expect(fair.code).toBe(0);
    const report = fair.json();
    expect(report).toMatchObject({
      agrees: true,
      stored: { status: 'won' },
      recomputed: { outcome: 'won', evidence: { t: T0 + 2_000, priceCents: P0 + 500 } },
      window: { lowCents: P0 - 2_000, highCents: P0 + 500, band: { lowCents: P0, highCents: P0 + H } },
    });
    expect((report['window'] as { prints: unknown[] }).prints).toHaveLength(1 + (W / 100 - 1));
    expect(report['ledger']).toMatchObject([{ refType: 'bet_stake' }, { refType: 'bet_payout' }]);

    const wronged = await settledBet('lost', 2);
    const complaint = await tapctl('dispute', wronged.betId);
    expect(complaint.code).toBe(1);
    expect(complaint.stdout).toContain('DISAGREES');
    expect(complaint.stderr).toContain('does not match the recomputed one (won)');
  });

  it('refuses a malformed id (exit 2) and names a bet it cannot find (exit 1)', async () => {
    expect((await tapctl('dispute', 'nope')).code).toBe(2);
    const missing = await tapctl('dispute', testUlid(Date.now(), 99));
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no bet')]);
  });
});
