/**
 * The per-wallet edge statistic on constructed wallets: honest ones win with their bets' P, an
 * informed one wins more often than its prices say. Seeded, so every run sees the same bets.
 */
import { createSeededRandom, type SeededRandom } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import { createWalletEdgeTally, describeWalletEdge, type SettledBet } from './index.js';

const RULES = { betsMin: 300, zMin: 3 };
const STAKES_MICROS = [100_000, 1_000_000, 5_000_000, 25_000_000];

let window = 0;

/**
 * A bet on a random near or far cell, priced as SPEC §3 does (h 5 %, a loading of 0.01), on a window
 * of its own unless `t0` is given; `draw` decides the outcome (a shared draw correlates bets).
 */
function aPricedBet(
  random: SeededRandom,
  userId: string,
  winRateFactor: number,
  options: { t0?: number; draw?: number; stakeMicros?: number } = {},
): SettledBet {
  const probability = 0.02 + random.uniform() * 0.6;
  const multiplierBp = Math.min(500_000, Math.floor((0.95 / (probability + 0.01)) * 10_000));
  const drawnStake = STAKES_MICROS[Math.floor(random.uniform() * STAKES_MICROS.length)]!;
  const stakeMicros = options.stakeMicros ?? drawnStake;
  const won = (options.draw ?? random.uniform()) < Math.min(1, probability * winRateFactor);
  const payoutMicros = won ? Math.floor((stakeMicros * multiplierBp) / 10_000) : 0;
  window += 1;
  return { userId, t0: options.t0 ?? window * 5_000, stakeMicros, multiplierBp, payoutMicros, probability };
}

function wallet(n: number): string {
  return `0x${n.toString(16).padStart(40, '0')}`;
}

describe('per-wallet edge', () => {
  it('computes realised against predicted profit and its standard error as stated', () => {
    const tally = createWalletEdgeTally();
    const userId = wallet(1);
    // Two bets of $1 at 2× with P 0.5 (one won) and one of $2 at 4× with P 0.25 (lost), each on a
    // window of its own.
    const bet = { userId, stakeMicros: 1_000_000, multiplierBp: 20_000, probability: 0.5 };
    tally.add({ ...bet, t0: 5_000, payoutMicros: 2_000_000 });
    tally.add({ ...bet, t0: 10_000, payoutMicros: 0 });
    tally.add({
      ...bet,
      t0: 15_000,
      stakeMicros: 2_000_000,
      multiplierBp: 40_000,
      payoutMicros: 0,
      probability: 0.25,
    });
    const [edge] = tally.judge({ betsMin: 1, zMin: -100 }).flagged;
    expect(edge).toMatchObject({ bets: 3, stakeMicros: 4_000_000, realisedMicros: -2_000_000 });
    // Predicted: 0.5·2 − 1 + 0.5·2 − 1 + 0.25·8 − 2 = 0; variance 4·¼ + 4·¼ + 64·3/16 = 14 ($²).
    expect(edge!.expectedMicros).toBeCloseTo(0, 6);
    expect(edge!.seMicros).toBeCloseTo(Math.sqrt(14) * 1_000_000, 3);
    expect(edge!.z).toBeCloseTo(-2 / Math.sqrt(14), 9);
    expect(edge!.realisedReturn).toBeCloseTo(-0.5, 9);
    expect(describeWalletEdge(edge!)).toBe(
      'z -0.53 over 3 bets: realised -50.0 % vs predicted 0.0 % (SE 93.5 %)',
    );
  });

  it("sums the SDs of one window's bets before squaring: they may share one outcome", () => {
    const tally = createWalletEdgeTally();
    const bet = {
      userId: wallet(2),
      stakeMicros: 1_000_000,
      multiplierBp: 20_000,
      payoutMicros: 0,
      probability: 0.5,
    };
    // Two bets on window 5 000 (SD $1 each) and one on window 10 000: (1 + 1)² + 1² = 5 ($²).
    tally.add({ ...bet, t0: 5_000 });
    tally.add({ ...bet, t0: 5_000 });
    tally.add({ ...bet, t0: 10_000 });
    const [edge] = tally.judge({ betsMin: 1, zMin: -100 }).flagged;
    expect(edge!.seMicros).toBeCloseTo(Math.sqrt(5) * 1_000_000, 3);
  });

  it('does not flag honest wallets that tap five cells of one window at once', () => {
    const random = createSeededRandom(77);
    const tally = createWalletEdgeTally();
    // One draw decides all five cells of a window: the most correlated their outcomes can be.
    for (let w = 0; w < 100; w += 1) {
      for (let column = 0; column < 80; column += 1) {
        const draw = random.uniform();
        for (let cell = 0; cell < 5; cell += 1) {
          tally.add(aPricedBet(random, wallet(1_000 + w), 1, { t0: column * 5_000, draw }));
        }
      }
    }
    const judgement = tally.judge(RULES);
    expect(judgement.judged).toBe(100);
    expect(judgement.flagged).toEqual([]);
  });

  it('does not flag honest wallets whose neighbouring windows share one outcome: the SE is measured per block', () => {
    const random = createSeededRandom(2_120);
    const tally = createWalletEdgeTally();
    // Each wallet bets every window of 40 two-minute blocks, and one draw decides a whole block: the
    // windows are as correlated as they can be, which the model (independent windows) cannot see.
    for (let w = 0; w < 60; w += 1) {
      for (let block = 0; block < 40; block += 1) {
        const draw = random.uniform();
        for (let k = 0; k < 24; k += 1) {
          const t0 = block * 120_000 + k * 5_000;
          tally.add(aPricedBet(random, wallet(5_000 + w), 1, { t0, draw, stakeMicros: 1_000_000 }));
        }
      }
    }
    const judgement = tally.judge(RULES);
    expect(judgement.judged).toBe(60);
    expect(judgement.flagged.length).toBeLessThanOrEqual(1);
  });

  it('flags a wallet whose bets win more often than their prices predict', () => {
    const random = createSeededRandom(22);
    const tally = createWalletEdgeTally();
    // Winning 1.2× as often as P says: about +10 % on its $1 stakes where its prices say −10 %. On
    // these mixed near and far cells 2,000 such bets reach 3 SE only about 3 times in 4; 4,000 do.
    for (let i = 0; i < 4_000; i += 1)
      tally.add(aPricedBet(random, wallet(7), 1.2, { stakeMicros: 1_000_000 }));
    const judgement = tally.judge(RULES);
    expect(judgement.flagged.map((edge) => edge.userId)).toEqual([wallet(7)]);
    const [edge] = judgement.flagged;
    expect(edge!.z).toBeGreaterThan(3);
    expect(edge!.realisedReturn).toBeGreaterThan(edge!.expectedReturn + 3 * edge!.returnSe);
    expect(edge!.expectedReturn).toBeLessThan(0);
  });

  it('flags almost no honest random wallet: about 0.13 % at 3 SE, none of them informed', () => {
    const random = createSeededRandom(2212);
    const tally = createWalletEdgeTally();
    const wallets = 400;
    for (let w = 0; w < wallets; w += 1) {
      for (let i = 0; i < 400; i += 1) tally.add(aPricedBet(random, wallet(100 + w), 1));
    }
    const judgement = tally.judge(RULES);
    expect(judgement).toMatchObject({ wallets, judged: wallets, unpriced: 0 });
    // 0.13 % of 400 is 0.5 expected by luck; the skewed payouts may add one more.
    expect(judgement.flagged.length).toBeLessThanOrEqual(2);
    expect(judgement.zMax).toBeLessThan(4.5);
  });

  it('does not judge a wallet with fewer bets than the minimum, however lucky', () => {
    const random = createSeededRandom(5);
    const tally = createWalletEdgeTally();
    for (let i = 0; i < RULES.betsMin - 1; i += 1) tally.add(aPricedBet(random, wallet(9), 3));
    expect(tally.judge(RULES)).toMatchObject({ wallets: 1, judged: 0, zMax: null, flagged: [] });
    tally.add(aPricedBet(random, wallet(9), 3));
    expect(tally.judge(RULES).flagged).toHaveLength(1);
  });

  it('skips a bet without a usable P and counts it', () => {
    const tally = createWalletEdgeTally();
    const bet = { userId: wallet(3), t0: 0, stakeMicros: 1_000_000, multiplierBp: 20_000, payoutMicros: 0 };
    tally.add({ ...bet, probability: Number.NaN });
    tally.add({ ...bet, probability: 1.5 });
    expect(tally.judge({ betsMin: 1, zMin: 3 })).toMatchObject({ wallets: 0, judged: 0, unpriced: 2 });
  });
});
