/**
 * The edge monitor's action path end to end: bets admitted and settled by the real batcher into a
 * real segment, `tapctl edge` judging them, and `--apply` freezing the informed wallets through the
 * audited operator path (the batcher records the freeze in `operator_actions`), once per evidence.
 */
import { join } from 'node:path';
import { encodeEntry } from '@tap/channels';
import { isoWeekOf } from '@tap/domain';
import { aBetPlacedNow, anAdjustment, aSettlement } from '@tap/testkit';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { tapctlSuite } from './testing.js';

const INFORMED_A = `0x${'a1'.repeat(20)}`;
const INFORMED_B = `0x${'b2'.repeat(20)}`;
const HONEST = `0x${'c3'.repeat(20)}`;
const BETS = 40;
/** The judged wallets' rules: 30 bets is the lowest EDGE_BETS_MIN the config allows. */
const RULES = { EDGE_BETS_MIN: '30', EDGE_Z_MIN: '3', EDGE_HOURS: '24' };

describe('tapctl edge (built CLI, real Redis and batcher, bets settled into the segment)', () => {
  const suite = tapctlSuite();
  const { channels } = suite;
  const segment = () => join(suite.dataDir, 'segments', `${isoWeekOf(Date.now())}.db`);
  const query = <Row>(sql: string, ...params: unknown[]): Row[] => {
    const db = new Database(segment(), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as Row[];
    } finally {
      db.close();
    }
  };
  const waitFor = async (what: string, done: () => boolean) => {
    for (let i = 0; !done(); i += 1) {
      if (i > 300) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const edge = (env: Record<string, string>, ...args: string[]) =>
    suite.tapctlWith({ ...RULES, TAP_OPERATOR: 'edge-monitor', ...env }, '--json', 'edge', ...args);

  /**
   * $1 bets at 3× with P 0.3 (0.9 expected back), four on each of ten windows per wallet: the
   * informed wallets win 36 of 40, the honest one 12. One pipeline, so every bet reaches the batcher
   * well within its lead (the first window starts ≥ 6 s after the bets are built).
   */
  beforeAll(async () => {
    const { redis } = suite;
    for (const userId of [INFORMED_A, INFORMED_B, HONEST]) {
      const deposit = anAdjustment({ userId, amountMicros: 100_000_000, requestedAt: Date.now() });
      await redis.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', deposit));
    }
    const firstT0 = Math.ceil((Date.now() + 6_000) / 5_000) * 5_000;
    const outcomes: [string, 'won' | 'lost'][] = [];
    const placing = redis.pipeline();
    for (const [userId, wins] of [
      [INFORMED_A, 36],
      [INFORMED_B, 36],
      [HONEST, 12],
    ] as const) {
      for (let i = 0; i < BETS; i += 1) {
        const t0 = firstT0 + Math.floor(i / 4) * 5_000;
        const placed = aBetPlacedNow({ userId, t0, stakeMicros: 1_000_000, multiplierBp: 30_000 });
        const bet = { ...placed, terms: { ...placed.terms, probability: 0.3 } };
        placing.xadd(channels.streams.bets, '*', ...encodeEntry('bets', bet));
        outcomes.push([bet.betId, i < wins ? 'won' : 'lost']);
      }
    }
    await placing.exec();
    await waitFor('the bets to be accepted', () => {
      const [row] = query<{ n: number }>("SELECT COUNT(*) AS n FROM bets WHERE status = 'accepted'");
      return row?.n === outcomes.length;
    });
    for (const [betId, outcome] of outcomes) {
      const settlement = aSettlement({ betId, outcome, settledAt: Date.now() });
      await redis.xadd(channels.streams.settlements, '*', ...encodeEntry('settlements', settlement));
    }
    await waitFor('the bets to settle', () => {
      const [row] = query<{ n: number }>("SELECT COUNT(*) AS n FROM bets WHERE status IN ('won', 'lost')");
      return row?.n === outcomes.length;
    });
  }, 60_000);

  it('flags the informed wallets and only alerts when the action is none', async () => {
    const operatorEntries = await suite.lastAddedId(channels.streams.operator);
    for (const run of [await edge({}), await edge({ EDGE_ACTION: 'none' }, '--apply')]) {
      expect(run.code, run.stderr).toBe(0);
      const result = run.json();
      expect(result).toMatchObject({ action: 'none', settledBets: 3 * BETS, wallets: 3, judged: 3 });
      const flagged = result['flagged'] as { wallet: string; status: string; z: number; verdict: string }[];
      expect(flagged.map((f) => [f.wallet, f.status])).toEqual([
        [INFORMED_A, 'alert_only'],
        [INFORMED_B, 'alert_only'],
      ]);
      // 36 wins of 40 at 3×: +68 $ against a predicted −4 $; SE √(10 windows · (4 · 3·√0.21)²) $.
      expect(flagged[0]!.z).toBeCloseTo(72 / Math.sqrt(10 * (4 * 3 * Math.sqrt(0.21)) ** 2), 6);
      expect(flagged[0]!.verdict).toBe(
        'z 4.14 over 40 bets: realised 170.0 % vs predicted -10.0 % (SE 43.5 %)',
      );
    }
    expect(await suite.redis.exists(channels.keys.frozen(INFORMED_A))).toBe(0);
    expect(await suite.lastAddedId(channels.streams.operator)).toBe(operatorEntries);
  });

  it('applies nothing when more wallets are flagged than EDGE_ACTIONS_MAX', async () => {
    const run = await edge({ EDGE_ACTION: 'freeze', EDGE_ACTIONS_MAX: '1' }, '--apply');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: 'edge_flags_too_many' });
    expect(await suite.redis.exists(channels.keys.frozen(INFORMED_A), channels.keys.frozen(INFORMED_B))).toBe(
      0,
    );
  });

  it('freezes each flagged wallet once through the audited operator path', async () => {
    const first = await edge({ EDGE_ACTION: 'freeze' }, '--apply');
    expect(first.code, first.stderr).toBe(0);
    const flagged = first.json()['flagged'] as { wallet: string; status: string; entryId: string }[];
    expect(flagged.map((f) => [f.wallet, f.status])).toEqual([
      [INFORMED_A, 'applied'],
      [INFORMED_B, 'applied'],
    ]);
    expect(await suite.redis.exists(channels.keys.frozen(HONEST))).toBe(0);
    const frozen = JSON.parse((await suite.redis.get(channels.keys.frozen(INFORMED_A)))!);
    expect(frozen).toMatchObject({ operator: 'edge-monitor' });
    expect(frozen.reason).toMatch(/^edge monitor: z 4\.14 over 40 bets/);
    const marker = JSON.parse((await suite.redis.get(channels.keys.edgeActioned(INFORMED_A)))!);
    expect(marker).toMatchObject({ actionId: frozen.actionId, action: 'freeze', bets: 40 });
    const ttlMs = await suite.redis.pttl(channels.keys.edgeActioned(INFORMED_A));
    expect(ttlMs).toBeGreaterThan(23 * 3_600_000);
    expect(ttlMs).toBeLessThanOrEqual(24 * 3_600_000);

    // The batcher verified the signed entries and recorded them, like any operator's freeze.
    const freezes = () =>
      query(
        "SELECT action, target, operator, reason FROM operator_actions WHERE action = 'freeze' ORDER BY id",
      );
    await waitFor('the audit rows', () => freezes().length >= 2);
    expect(freezes()).toEqual([
      { action: 'freeze', target: INFORMED_A, operator: 'edge-monitor', reason: frozen.reason },
      expect.objectContaining({ action: 'freeze', target: INFORMED_B, operator: 'edge-monitor' }),
    ]);

    // The next run, and one after an operator lifted a freeze, act on the same evidence no more.
    expect((await suite.tapctl('unfreeze', INFORMED_B, '--reason', 'reviewed: a fast hand')).code).toBe(0);
    const entries = await suite.lastAddedId(channels.streams.operator);
    const again = await edge({ EDGE_ACTION: 'freeze' }, '--apply');
    expect((again.json()['flagged'] as { status: string }[]).map((f) => f.status)).toEqual([
      'already_actioned',
      'already_actioned',
    ]);
    expect(await suite.redis.exists(channels.keys.frozen(INFORMED_B))).toBe(0);
    expect(await suite.lastAddedId(channels.streams.operator)).toBe(entries);
  });

  it('refuses an unknown action and a freeze without the operator key, changing nothing', async () => {
    const unknown = await edge({}, '--apply', '--action', 'shout');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: 'bad_edge_action' });
    await suite.redis.del(channels.keys.edgeActioned(INFORMED_B));
    const keyless = await edge({ EDGE_ACTION: 'freeze', OPERATOR_MAC_KEY: '' }, '--apply');
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('OPERATOR_MAC_KEY');
    expect(await suite.redis.exists(channels.keys.frozen(INFORMED_B))).toBe(0);
  });

  it("limits instead: the wallet's open payout capped, audited with the cap", async () => {
    // INFORMED_B was unfrozen on review and its marker removed above: fresh evidence may act.
    const run = await edge({ EDGE_ACTION: 'limit', EDGE_LIMIT_OPEN_PAYOUT_USD: '50' }, '--apply');
    expect(run.code, run.stderr).toBe(0);
    expect(
      (run.json()['flagged'] as { wallet: string; status: string }[]).map((f) => [f.wallet, f.status]),
    ).toEqual([
      [INFORMED_A, 'already_actioned'],
      [INFORMED_B, 'applied'],
    ]);
    const limit = JSON.parse((await suite.redis.get(channels.keys.walletLimit(INFORMED_B)))!);
    expect(limit).toMatchObject({ openPayoutMicrosMax: 50_000_000, operator: 'edge-monitor' });
    expect(limit.reason).toMatch(/^edge monitor: z 4\.14 over 40 bets: .* \(open payout ≤ 50\.000000 USD\)$/);
    expect(await suite.redis.exists(channels.keys.frozen(INFORMED_B))).toBe(0);
    await waitFor(
      'the audit row',
      () => query("SELECT 1 FROM operator_actions WHERE action = 'limit'").length === 1,
    );
    expect(query("SELECT target, operator, reason FROM operator_actions WHERE action = 'limit'")).toEqual([
      { target: INFORMED_B, operator: 'edge-monitor', reason: limit.reason },
    ]);
  });

  it("delays instead: the wallet's bets priced at a later print, audited with the delay", async () => {
    await suite.redis.del(channels.keys.edgeActioned(INFORMED_B));
    const run = await edge({ EDGE_ACTION: 'delay', EDGE_DELAY_PRINTS: '4' }, '--apply');
    expect(run.code, run.stderr).toBe(0);
    const flagged = run.json()['flagged'] as { wallet: string; status: string }[];
    expect(flagged.find((f) => f.wallet === INFORMED_B)?.status).toBe('applied');
    const delay = JSON.parse((await suite.redis.get(channels.keys.fillDelay(INFORMED_B)))!);
    expect(delay).toMatchObject({ prints: 4, operator: 'edge-monitor' });
    expect(delay.reason).toMatch(
      /^edge monitor: z 4\.14 over 40 bets: .* \(filled at the 4th print after receipt\)$/,
    );
    await waitFor(
      'the audit row',
      () => query("SELECT 1 FROM operator_actions WHERE action = 'delay'").length === 1,
    );
    expect(query("SELECT target, operator, reason FROM operator_actions WHERE action = 'delay'")).toEqual([
      { target: INFORMED_B, operator: 'edge-monitor', reason: delay.reason },
    ]);
  });
});
