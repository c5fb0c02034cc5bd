/**
 * `edge [--apply]`: the per-wallet edge monitor's verdict (issue 22) and its configured action.
 *
 * The judgement is fairness-report's, by the same code and rules (`judgeStoredWalletEdges` of
 * @tap/calibration; EDGE_BETS_MIN, EDGE_Z_MIN, EDGE_HOURS from /etc/tap/common.env), over the
 * segments read-only. Without `--apply` it only prints. With it, EDGE_ACTION (or `--action`) is
 * applied to each flagged wallet through the operator path of `tapctl freeze` / `tapctl limit`
 * (`applyControl`: the signed OperatorEntry on `tap:operator` and the `frozen:<user>` or
 * `limits:<user>` key in one script; the batcher records it in `operator_actions`), signed with the
 * operator key by `TAP_OPERATOR` (the unit `tap-edge-action.service` runs it as `edge-monitor`),
 * the reason carrying the numbers. `limit` caps the wallet's open potential payout at
 * EDGE_LIMIT_OPEN_PAYOUT_USD (admission: `exposure_limit` `user_payout`): it keeps trading, smaller.
 * `delay` (`tapctl delay`, `delay:<user>`) has its bets priced at the EDGE_DELAY_PRINTS-th print
 * after their receipt (next-tick entry with a longer delay, whatever BET_ENTRY says): it keeps
 * trading at any size, but a trader who sees the market that much ahead no longer profits from it.
 *
 * Decisions (an operator of a real-money service):
 * - default action `none`: at 3 SE about 0.13 % of honest wallets are flagged by luck, so the
 *   default is the alert (TapWalletEdge) and a human's look; `freeze` is for an operator who has
 *   seen the false-flag rate on their own book.
 * - once per evidence: the `edge:actioned:<user>` marker is set with the freeze and expires after
 *   EDGE_HOURS, when every bet that justified it has left the judged range. A daily run does not
 *   freeze again a wallet an operator unfroze after review; fresh evidence after that can.
 * - more than EDGE_ACTIONS_MAX flagged wallets at once is more likely a pricing fault than that
 *   many informed traders: nothing is applied, exit 1 (`edge_flags_too_many`).
 * - a wallet whose freeze or limit is already in force (an operator's) is left as it is
 *   (`already_in_force`, nothing written).
 */
import {
  describeWalletEdge,
  judgeStoredWalletEdges,
  type StoredEdgeJudgement,
  type WalletEdge,
} from '@tap/calibration';
import { createChannels } from '@tap/channels';
import { MICROS_PER_USD } from '@tap/domain';
import { failure, usageError } from '../cli-error.js';
import { EDGE_ACTIONS } from '../config.js';
import { operatorOf } from '../operator.js';
import { emit, fields } from '../output.js';
import { connectRedis } from '../storage/redis.js';
import type { CommandContext } from './context.js';
import { applyControl, withDelay, withLimit } from './controls.js';

type EdgeAction = (typeof EDGE_ACTIONS)[number];

interface WalletOutcome {
  wallet: string;
  z: number;
  verdict: string;
  /** `applied`, `already_actioned` (the marker), `already_in_force`, or `alert_only` (action none / no --apply). */
  status: 'applied' | 'already_actioned' | 'already_in_force' | 'alert_only';
  entryId?: string;
}

export async function edge(
  ctx: CommandContext,
  options: { apply?: boolean; action?: string },
): Promise<void> {
  const action = parseAction(options.action ?? ctx.config.EDGE_ACTION);
  const nowMs = Date.now();
  const judgement = judge(ctx, nowMs);
  const acting = options.apply === true && action !== 'none';
  if (acting && judgement.flagged.length > ctx.config.EDGE_ACTIONS_MAX) {
    throw failure(
      `${judgement.flagged.length} wallets flagged, more than EDGE_ACTIONS_MAX ${ctx.config.EDGE_ACTIONS_MAX}: ` +
        'check the pricing (docs/runbook.md#tapwalletedge); nothing was applied',
      'edge_flags_too_many',
    );
  }
  const outcomes = acting
    ? await actOnFlagged(ctx, action, judgement, nowMs)
    : judgement.flagged.map((flagged) => outcomeOf(flagged, 'alert_only'));
  const result = {
    action: acting ? action : 'none',
    from: new Date(judgement.fromMs).toISOString(),
    to: new Date(judgement.toMs).toISOString(),
    settledBets: judgement.bets,
    wallets: judgement.wallets,
    judged: judgement.judged,
    zMax: judgement.zMax,
    rules: { betsMin: ctx.config.EDGE_BETS_MIN, zMin: ctx.config.EDGE_Z_MIN, hours: ctx.config.EDGE_HOURS },
    flagged: outcomes,
  };
  emit(ctx.out, result, () => [
    ...fields([
      ['range', `${result.from} … ${result.to}`],
      ['settled bets', String(judgement.bets)],
      ['wallets judged', `${judgement.judged} of ${judgement.wallets} (≥ ${ctx.config.EDGE_BETS_MIN} bets)`],
      ['flagged', `${outcomes.length} (> ${ctx.config.EDGE_Z_MIN} SE)`],
      ['action', result.action],
    ]),
    ...outcomes.map((o) => `${o.wallet}  ${o.status.padEnd(16)}  ${o.verdict}`),
  ]);
}

function parseAction(text: string): EdgeAction {
  if (!(EDGE_ACTIONS as readonly string[]).includes(text)) {
    throw usageError(`--action must be one of ${EDGE_ACTIONS.join(', ')}`, 'bad_edge_action');
  }
  return text as EdgeAction;
}

function judge(ctx: CommandContext, nowMs: number): StoredEdgeJudgement {
  const rules = {
    betsMin: ctx.config.EDGE_BETS_MIN,
    zMin: ctx.config.EDGE_Z_MIN,
    hours: ctx.config.EDGE_HOURS,
  };
  try {
    return judgeStoredWalletEdges(ctx.config.DATA_DIR, rules, nowMs);
  } catch (err) {
    throw failure(`cannot read the settled bets: ${(err as Error).message}`);
  }
}

function outcomeOf(flagged: WalletEdge, status: WalletOutcome['status'], entryId?: string): WalletOutcome {
  return {
    wallet: flagged.userId,
    z: flagged.z,
    verdict: describeWalletEdge(flagged),
    status,
    ...(entryId ? { entryId } : {}),
  };
}

/** Freezes or limits each flagged wallet not acted on yet, one audited control each. */
async function actOnFlagged(
  ctx: CommandContext,
  action: Exclude<EdgeAction, 'none'>,
  judgement: StoredEdgeJudgement,
  nowMs: number,
): Promise<WalletOutcome[]> {
  const capMicros = ctx.config.EDGE_LIMIT_OPEN_PAYOUT_USD * MICROS_PER_USD;
  const operator = operatorOf(ctx.config);
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const outcomes: WalletOutcome[] = [];
    for (const flagged of judgement.flagged) {
      const verdict = `edge monitor: ${describeWalletEdge(flagged)}`;
      const reason = reasonFor(action, verdict, capMicros, ctx.config.EDGE_DELAY_PRINTS);
      const marker = {
        key: channels.keys.edgeActioned(flagged.userId),
        value: (actionId: string) =>
          JSON.stringify({ actionId, action, z: flagged.z, bets: flagged.bets, at: nowMs }),
        ttlMs: ctx.config.EDGE_HOURS * 3_600_000,
      };
      const done = await applyControl(
        redis,
        channels,
        operator,
        {
          action,
          target: flagged.userId,
          reason,
          nowMs,
          ...stateFor(action, capMicros, ctx.config.EDGE_DELAY_PRINTS),
        },
        marker,
      );
      outcomes.push(
        done.status === 'applied'
          ? outcomeOf(flagged, 'applied', done.entryId)
          : outcomeOf(flagged, done.by === 'marker' ? 'already_actioned' : 'already_in_force'),
      );
    }
    return outcomes;
  } finally {
    redis.disconnect();
  }
}

/** The audit reason: the verdict, with the cap or the delay that is set. */
function reasonFor(action: Exclude<EdgeAction, 'none'>, verdict: string, capMicros: number, prints: number) {
  if (action === 'limit') return withLimit(verdict, capMicros);
  if (action === 'delay') return withDelay(verdict, prints);
  return verdict;
}

/** What the control's key holds besides who, why and when: the cap, or the delay in prints. */
function stateFor(
  action: Exclude<EdgeAction, 'none'>,
  capMicros: number,
  prints: number,
): { state?: Record<string, number> } {
  if (action === 'limit') return { state: { openPayoutMicrosMax: capMicros } };
  if (action === 'delay') return { state: { prints } };
  return {};
}
