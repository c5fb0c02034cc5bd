/**
 * Per-wallet edge monitoring (issue 22, SPEC §3 "Informed traders"): each wallet's realised profit
 * on its settled bets against what their prices predicted, in standard errors.
 *
 * For a bet with stake `s`, win payout `W = floor(s·M/10_000)` and the terms' `P`, the price
 * predicts a profit of `P·W − s` with standard deviation `W·√(P(1−P))` (a win pays W, a loss 0).
 * Bets on one window (one `t0`) share one price path — a wallet tapping five bands of a column
 * wins or loses them together — so their outcomes may be correlated, up to fully. Over a wallet's
 * bets, grouped by window:
 *
 *   excess = Σ (payout − s) − Σ (P·W − s)
 *   SE     = √ Σ_windows ( Σ_bets of the window W·√(P(1−P)) )²
 *   z      = excess / SE
 *
 * The SE is exact for one bet per window (independent windows) and never too small otherwise (the
 * variance of a sum is at most the square of the sum of the SDs): an honest multi-tapper is not
 * flagged for betting correlated cells, at the cost of power against one.
 *
 * Neighbouring windows share the path too (the calibration found their correlation ends within a
 * minute: RESAMPLE_BLOCK_MS, 2-minute blocks). That the model cannot bound, so it is measured: the
 * variance of the wallet's excess per 2-minute block, around its mean (cluster-robust, G/(G−1)), over
 * its G blocks. When the wallet has at least EMPIRICAL_BLOCKS_MIN blocks, the SE is the larger of
 * the two; with fewer, one block-variance estimate is too noisy to use and the model's stands.
 *
 * An honest wallet has z ≈ N(0, 1) whatever its cells, stakes and multipliers (if the prices are
 * calibrated, SPEC §3); a wallet that sees the market before our index has z growing like √bets.
 * Flagged: at least `betsMin` bets and z > `zMin`. Payouts are right-skewed (a 20× cell wins
 * rarely), so the normal tail holds only with enough bets: below `betsMin` a wallet is not judged.
 * At 3 SE an honest wallet is flagged with probability ≈ 0.13 % per judgement — with 10,000 active
 * wallets about 13 a day by luck alone, which is why the default action is an alert for a human,
 * not an automatic one (docs/pricing.md).
 *
 * Bounded: one small record per wallet seen (not per bet); money is summed as floats (a statistic,
 * not a balance).
 */
import { payoutMicros } from '@tap/domain';
import { RESAMPLE_BLOCK_MS } from './calibration-report.js';

/** Fewer 2-minute blocks than this: the measured block variance is too noisy to guard the SE. */
export const EMPIRICAL_BLOCKS_MIN = 20;

export interface SettledBet {
  userId: string;
  /** The window's start: bets of one wallet on one window are one group (see above). */
  t0: number;
  stakeMicros: number;
  multiplierBp: number;
  payoutMicros: number;
  /** P of the bet's terms snapshot. */
  probability: number;
}

export interface WalletEdge {
  userId: string;
  bets: number;
  stakeMicros: number;
  /** Σ (payout − stake): the wallet's profit (the house's loss). */
  realisedMicros: number;
  /** Σ (P·W − stake): the profit its prices predicted (negative: the house edge and loading). */
  expectedMicros: number;
  /** The standard error of the profit: the model's with windows grouped, or the measured one per block if larger (see above). */
  seMicros: number;
  /** (realised − expected) / SE; 0 when SE is 0. */
  z: number;
  realisedReturn: number;
  expectedReturn: number;
  /** The standard error of the return (SE / Σ stake). */
  returnSe: number;
}

export interface EdgeRules {
  /** Fewer settled bets: not judged (the normal tail does not hold yet). */
  betsMin: number;
  /** Flagged above this many standard errors. */
  zMin: number;
}

export interface EdgeJudgement {
  /** Wallets with at least one settled bet. */
  wallets: number;
  /** Wallets with at least `betsMin` settled bets. */
  judged: number;
  /** Largest z among the judged wallets (null when none was judged). */
  zMax: number | null;
  /** The judged wallets above `zMin` standard errors, largest z first. */
  flagged: WalletEdge[];
  /** Bets whose terms carry no usable P (skipped; a migrated or damaged row). */
  unpriced: number;
}

interface Sums {
  bets: number;
  stake: number;
  realised: number;
  expected: number;
  /** Σ over the windows closed so far of (Σ SD)². */
  variance: number;
  /** The window being summed (bets arrive in t0 order per segment) and its Σ SD. */
  windowT0: number;
  windowSd: number;
  /** Blocks closed so far, Σ of their excess², and the open block with its excess. */
  blocks: number;
  blockExcessSq: number;
  block: number;
  blockExcess: number;
}

export interface WalletEdgeTally {
  /** Each wallet's bets in t0 order (forEachSettledBet's order); out of order a window counts as several. */
  add(bet: SettledBet): void;
  judge(rules: EdgeRules): EdgeJudgement;
}

export function createWalletEdgeTally(): WalletEdgeTally {
  const byWallet = new Map<string, Sums>();
  let unpriced = 0;
  return {
    add(bet) {
      const p = bet.probability;
      if (!Number.isFinite(p) || p < 0 || p > 1) {
        unpriced += 1;
        return;
      }
      const win = payoutMicros(bet.stakeMicros, bet.multiplierBp);
      let sums = byWallet.get(bet.userId);
      if (!sums) {
        sums = newSums(bet.t0);
        byWallet.set(bet.userId, sums);
      }
      closeGroups(sums, bet.t0);
      sums.bets += 1;
      sums.stake += bet.stakeMicros;
      sums.realised += bet.payoutMicros - bet.stakeMicros;
      sums.expected += p * win - bet.stakeMicros;
      sums.windowSd += win * Math.sqrt(p * (1 - p));
      sums.blockExcess += bet.payoutMicros - p * win;
    },
    judge(rules) {
      let judged = 0;
      let zMax: number | null = null;
      const flagged: WalletEdge[] = [];
      for (const [userId, sums] of byWallet) {
        if (sums.bets < rules.betsMin) continue;
        judged += 1;
        const edge = walletEdgeOf(userId, sums);
        zMax = zMax === null ? edge.z : Math.max(zMax, edge.z);
        if (edge.z > rules.zMin) flagged.push(edge);
      }
      flagged.sort((a, b) => b.z - a.z);
      return { wallets: byWallet.size, judged, zMax, flagged, unpriced };
    },
  };
}

function newSums(t0: number): Sums {
  const block = Math.floor(t0 / RESAMPLE_BLOCK_MS);
  return {
    ...{ bets: 0, stake: 0, realised: 0, expected: 0, variance: 0, windowT0: t0, windowSd: 0 },
    ...{ blocks: 0, blockExcessSq: 0, block, blockExcess: 0 },
  };
}

/** Closes the open window and block when a bet starts a new one. */
function closeGroups(sums: Sums, t0: number): void {
  if (sums.windowT0 !== t0) {
    sums.variance += sums.windowSd * sums.windowSd;
    sums.windowT0 = t0;
    sums.windowSd = 0;
  }
  const block = Math.floor(t0 / RESAMPLE_BLOCK_MS);
  if (sums.block !== block) {
    sums.blocks += 1;
    sums.blockExcessSq += sums.blockExcess * sums.blockExcess;
    sums.block = block;
    sums.blockExcess = 0;
  }
}

/** The larger of the model's variance and the measured one per block (enough blocks only). */
function varianceOf(sums: Sums): number {
  const model = sums.variance + sums.windowSd * sums.windowSd;
  const g = sums.blocks + 1;
  if (g < EMPIRICAL_BLOCKS_MIN) return model;
  const excess = sums.realised - sums.expected;
  const squares = sums.blockExcessSq + sums.blockExcess * sums.blockExcess;
  const measured = ((squares - (excess * excess) / g) * g) / (g - 1);
  return Math.max(model, measured);
}

function walletEdgeOf(userId: string, sums: Sums): WalletEdge {
  const se = Math.sqrt(varianceOf(sums));
  return {
    userId,
    bets: sums.bets,
    stakeMicros: sums.stake,
    realisedMicros: sums.realised,
    expectedMicros: sums.expected,
    seMicros: se,
    z: se > 0 ? (sums.realised - sums.expected) / se : 0,
    realisedReturn: sums.realised / sums.stake,
    expectedReturn: sums.expected / sums.stake,
    returnSe: se / sums.stake,
  };
}

/** One line for a log, a report or an audit reason: the verdict in numbers a human can check. */
export function describeWalletEdge(edge: WalletEdge): string {
  const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
  return (
    `z ${edge.z.toFixed(2)} over ${edge.bets} bets: realised ${pct(edge.realisedReturn)} ` +
    `vs predicted ${pct(edge.expectedReturn)} (SE ${pct(edge.returnSe)})`
  );
}
