/**
 * The per-wallet edge judgement over the bets stored in the segments (read-only view of
 * @tap/domain): every bet settled won or lost in the last `hours`. The one way fairness-report (the
 * metrics and alert) and `tapctl edge` (the action) compute it, so both flag the same wallets from
 * the same rules (EDGE_BETS_MIN, EDGE_Z_MIN, EDGE_HOURS in /etc/tap/common.env).
 */
import { forEachSettledBet, openSegmentView } from '@tap/domain';
import { createWalletEdgeTally, type EdgeJudgement, type EdgeRules } from './wallet-edge.js';

export interface StoredEdgeRules extends EdgeRules {
  /** Bets settled in the last this many hours are judged. */
  hours: number;
}

/**
 * Defaults (docs/pricing.md "Informed traders"): 300 settled bets before a wallet is judged (the
 * skewed payouts' normal tail needs them; a trader 100 ms ahead at +9 % on near cells reaches 3 SE
 * after ~1,000), 3 SE, a week of bets (the hot segment's span).
 */
export const DEFAULT_EDGE_RULES: StoredEdgeRules = { betsMin: 300, zMin: 3, hours: 168 };

/**
 * The bounds each service's config enforces on EDGE_BETS_MIN, EDGE_Z_MIN and EDGE_HOURS: fewer than
 * 30 bets or under 2 SE flags honest wallets by the dozen; the view holds 5 weeks of segments.
 */
export const EDGE_RULE_BOUNDS = {
  betsMin: { min: 30, max: 1_000_000 },
  zMin: { min: 2, max: 20 },
  hours: { min: 1, max: 840 },
} as const;

export interface StoredEdgeJudgement extends EdgeJudgement {
  fromMs: number;
  toMs: number;
  /** Settled bets read. */
  bets: number;
}

export function judgeStoredWalletEdges(
  dataDir: string,
  rules: StoredEdgeRules,
  toMs: number,
): StoredEdgeJudgement {
  const fromMs = toMs - rules.hours * 3_600_000;
  const view = openSegmentView(dataDir);
  try {
    if (view.segments().length === 0) throw new Error(`no segments under ${dataDir}: no bets to judge`);
    const tally = createWalletEdgeTally();
    const bets = forEachSettledBet(view, { fromMs, toMs }, (row) =>
      tally.add({
        userId: row.user_id,
        t0: row.t0,
        stakeMicros: row.stake,
        multiplierBp: row.multiplier_bp,
        payoutMicros: row.payout,
        probability: row.probability,
      }),
    );
    return { ...tally.judge(rules), fromMs, toMs, bets };
  } finally {
    view.close();
  }
}
