/**
 * `dispute <betId>`: everything needed to answer a complaint about one bet, and a recomputation of
 * its outcome with the resolver's own rule (`@tap/settlement`, the code the resolver runs — not a
 * copy): the bet and its terms snapshot, its ledger rows, the prints of its window with the window's
 * low/high (SPEC §4: the print in effect at t0 and every print inside the window), the breaker
 * intervals health-monitor recorded, the stored outcome and evidence, and whether the recomputed
 * outcome agrees (exit 1 when it does not).
 *
 * The prints are read from the segments (the `index_prints` the batcher stored: the settlement
 * evidence), from `warmUpMs` before t0 so the breaker judged from the prints starts warm, as in the
 * running resolver, to the settlement deadline. A bet voided by an operator or by the batcher's
 * dead-man sweep is not a price decision: it is shown, and the recomputation says what the prints
 * alone would have decided.
 */

import { DEFAULT_BREAKER_RULES, readBreakerIntervals } from '@tap/breaker';
import { createChannels } from '@tap/channels';
import { type BetDbRow, betIdSchema, betView, findBet, openSegmentView, printsBetween } from '@tap/domain';
import {
  type BreakerInterval,
  BreakerLog,
  type Decision,
  OpenBetIndex,
  PrintBreaker,
  PrintHistory,
  type PrintRef,
  warmUpMs,
} from '@tap/settlement';
import { failure, usageError } from '../cli-error.js';
import { formatMicros } from '../input/usd.js';
import { emit, fields } from '../output.js';
import { connectRedis } from '../storage/redis.js';
import type { CommandContext } from './context.js';

/** SPEC §4 and the resolver's defaults (GAP_MS_MAX, DEADLINE_MS). */
const RULES = { gapMsMax: 1_000, deadlineMs: 60_000, settledMemoryMs: 300_000 };
const PRINTS_MAX = 200_000;
/** A void by an operator or by the batcher's dead-man sweep is not the rule's price decision. */
function isPriceDecision(bet: BetDbRow): boolean {
  if (bet.reason === 'operator_void') return false;
  const evidence = bet.evidence === null ? null : (JSON.parse(bet.evidence) as Record<string, unknown>);
  return evidence?.['sweptBy'] !== 'batcher';
}

export async function dispute(ctx: CommandContext, betId: string): Promise<void> {
  if (!betIdSchema.safeParse(betId).success)
    throw usageError(`"${betId}" is not a bet id (a 26-character ULID)`);
  const view = openSegmentView(ctx.config.DATA_DIR);
  try {
    const found = findBet(view, betId);
    if (!found) throw failure(`no bet ${betId} in the local segments (pending, archived, or not admitted?)`);
    const bet = found.row;
    const ledger = view
      .segments()
      .flatMap(
        (segment) =>
          segment.db
            .prepare(
              `SELECT id, created_at AS createdAt, ref_type AS refType, amount AS amountMicros,
             balance_after AS balanceAfterMicros, hash
           FROM transaction_ledger WHERE ref_type IN ('bet_stake', 'bet_payout', 'bet_refund') AND ref_id = ?`,
            )
            .all(betId) as { id: number; createdAt: number; refType: string; amountMicros: number }[],
      )
      .sort((a, b) => a.id - b.id);
    const deadlineMs = bet.t0 + bet.window_ms + RULES.deadlineMs;
    const prints = printsBetween(view, {
      fromMs: bet.t0 - warmUpMs(DEFAULT_BREAKER_RULES),
      toMs: deadlineMs + 1,
      limit: PRINTS_MAX,
    })
      .map((p) => ({ id: p.id, t: p.t, priceCents: p.price_cents, venues: p.venues }))
      .sort((a, b) => a.id - b.id); // stream order, as the resolver processes them
    const intervals = await recordedIntervals(ctx, deadlineMs);
    const recomputed = recompute(bet, prints, intervals, deadlineMs);
    const report = buildReport(bet, found.segment, ledger, prints, intervals, recomputed);
    emit(ctx.out, report, () => text(report));
    if (!report.agrees)
      throw failure(
        `the stored outcome (${bet.status}) does not match the recomputed one (${recomputed.outcome})`,
      );
  } finally {
    view.close();
  }
}

/** The resolver's rule over the stored prints: the bet is indexed before the first print, as it was. */
export function recompute(
  bet: BetDbRow,
  prints: PrintRef[],
  intervals: BreakerInterval[],
  deadlineMs: number,
): Decision {
  const breaker = new BreakerLog(new PrintBreaker(DEFAULT_BREAKER_RULES, Number.MAX_SAFE_INTEGER));
  breaker.replace(intervals);
  const index = new OpenBetIndex(RULES, new PrintHistory(Number.MAX_SAFE_INTEGER), breaker);
  const open = { betId: bet.id, t0: bet.t0, p0: bet.p0, windowMs: bet.window_ms, bandCents: bet.band_cents };
  const early = index.add(open, prints[0]?.t ?? bet.t0);
  if (early) return early.decision;
  for (const print of prints) {
    const decided = [...index.onPrint(print, print.t).verdicts, ...index.settleFinished(print.t)];
    const mine = decided.find((v) => v.betId === bet.id);
    if (mine) return mine.decision;
  }
  const swept = index.sweep(deadlineMs).find((v) => v.betId === bet.id);
  if (!swept) throw new Error(`the rule did not decide ${bet.id} by its deadline`);
  return swept.decision;
}

async function recordedIntervals(ctx: CommandContext, untilMs: number): Promise<BreakerInterval[]> {
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    return await readBreakerIntervals(redis, channels.keys.breakerIntervals, 0, untilMs);
  } finally {
    redis.disconnect();
  }
}

function buildReport(
  bet: BetDbRow,
  segment: string,
  ledger: unknown[],
  prints: PrintRef[],
  intervals: BreakerInterval[],
  recomputed: Decision,
) {
  const inEffect = prints.filter((p) => p.t <= bet.t0).at(-1);
  const inside = prints.filter((p) => p.t > bet.t0 && p.t < bet.t0 + bet.window_ms);
  const windowPrints = inEffect ? [inEffect, ...inside] : inside;
  const prices = windowPrints.map((p) => p.priceCents);
  const stored = bet.status;
  const priceDecision = isPriceDecision(bet);
  return {
    bet: { ...betView(bet), userId: bet.user_id, segment },
    ledger,
    window: {
      fromMs: bet.t0,
      toMs: bet.t0 + bet.window_ms,
      band: { lowCents: bet.p0, highCents: bet.p0 + bet.band_cents },
      prints: windowPrints,
      lowCents: prices.length > 0 ? Math.min(...prices) : null,
      highCents: prices.length > 0 ? Math.max(...prices) : null,
    },
    breakerIntervals: intervals.filter(
      (i) => i.from <= bet.t0 + bet.window_ms && (i.to === null || i.to >= bet.t0),
    ),
    stored: {
      status: stored,
      reason: bet.reason,
      evidence: bet.evidence === null ? null : JSON.parse(bet.evidence),
    },
    recomputed,
    priceDecision,
    agrees: !priceDecision || stored === 'accepted' || stored === 'rejected' || stored === recomputed.outcome,
  };
}

function text(r: ReturnType<typeof buildReport>): string[] {
  const b = r.bet;
  return [
    ...fields([
      ['bet', `${b.betId} (${b.segment})`],
      ['user', b.userId],
      ['status', r.stored.reason ? `${r.stored.status} (${r.stored.reason})` : r.stored.status],
      [
        'cell',
        `t0 ${new Date(r.window.fromMs).toISOString()} +${r.window.toMs - r.window.fromMs} ms, band ${r.window.band.lowCents}..${r.window.band.highCents} cents`,
      ],
      ['stake', `${formatMicros(b.stakeMicros)} USD at ${(b.multiplierBp / 10_000).toFixed(4)}x`],
      ['terms', JSON.stringify(b.terms)],
      [
        'window',
        `${r.window.prints.length} prints, low ${r.window.lowCents ?? '-'} high ${r.window.highCents ?? '-'} cents`,
      ],
      ['breaker', r.breakerIntervals.length === 0 ? 'closed throughout' : JSON.stringify(r.breakerIntervals)],
      ['stored evidence', JSON.stringify(r.stored.evidence)],
      ['recomputed', `${r.recomputed.outcome} ${JSON.stringify(r.recomputed.evidence)}`],
      [
        'verdict',
        r.agrees
          ? r.priceDecision
            ? 'the stored outcome agrees'
            : 'not a price decision (operator or dead-man void); the rule is shown for reference'
          : 'DISAGREES',
      ],
    ]),
    ...(r.ledger as { id: number; refType: string; amountMicros: number }[]).map(
      (l) => `ledger #${l.id}  ${l.refType}  ${formatMicros(l.amountMicros)} USD`,
    ),
    ...r.window.prints.map(
      (p) => `print #${p.id}  ${new Date(p.t).toISOString()}  ${p.priceCents}  venues ${p.venues}`,
    ),
  ];
}
