/**
 * `void <betId> --reason`: refund a stuck bet through the batcher (an OperatorEntry `void` on
 * `tap:operator`). Only an open (`accepted`) bet can be voided: tapctl checks first and says why not,
 * and the batcher checks again inside its transaction (`bet_not_open`, dead-lettered), since the
 * resolver may settle it in between — the first final state wins. `--wait` follows it to the end.
 */
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { betIdSchema } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { ulid } from 'ulid';
import { failure, usageError } from '../cli-error.js';
import { operatorOf, parseReason } from '../operator.js';
import { emit, fields } from '../output.js';
import { findDeadLetter } from '../storage/dead-letters.js';
import { connectRedis } from '../storage/redis.js';
import { openSegments } from '../storage/segments.js';
import type { CommandContext } from './context.js';

const POLL_MS = 100;
const WAIT_MS = 10_000;

export async function voidBet(
  ctx: CommandContext,
  betId: string,
  options: { reason?: string; wait?: boolean },
): Promise<void> {
  if (!betIdSchema.safeParse(betId).success)
    throw usageError(`"${betId}" is not a bet id (a 26-character ULID)`);
  const reason = parseReason(options.reason);
  const operator = operatorOf(ctx.config);
  const before = betStatus(ctx, betId);
  if (before === undefined)
    throw failure(`no bet ${betId} in the local segments (pending, or not admitted?)`);
  if (before !== 'accepted')
    throw failure(`bet ${betId} is ${before}: only an open bet can be voided; nothing changed`);
  const nowMs = Date.now();
  const entry = operator.signAction({
    actionId: ulid(nowMs),
    action: 'void',
    target: betId,
    reason,
    operator: operator.name,
    requestedAt: nowMs,
  });
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const entryId = (await redis.xadd(channels.streams.operator, '*', ...encodeEntry('operator', entry)))!;
    const outcome = options.wait ? await follow(ctx, redis, channels, betId, entryId) : { status: 'queued' };
    emit(
      ctx.out,
      { ...outcome, betId, actionId: entry.actionId, entryId, operator: operator.name, reason },
      () =>
        fields([
          ['status', outcome.status],
          ['bet', betId],
          ['operator', operator.name],
          ['reason', reason],
          ['audit entry', entryId],
        ]),
    );
    if (outcome.status === 'dead_lettered') throw failure(`the batcher refused the void: ${outcome.reason}`);
    if (outcome.status === 'pending')
      throw failure(`not applied within ${WAIT_MS} ms (is the batcher running?); it stays queued`);
  } finally {
    redis.disconnect();
  }
}

/** The bet's status in the newest segment holding it (a bet carried over a roll-over lives there). */
function betStatus(ctx: CommandContext, betId: string): string | undefined {
  const opened = openSegments(ctx.config.DATA_DIR);
  try {
    for (const segment of opened.segments) {
      const status = segment.db.prepare('SELECT status FROM bets WHERE id = ?').pluck().get(betId) as
        | string
        | undefined;
      if (status !== undefined) return status;
    }
    return undefined;
  } finally {
    opened.close();
  }
}

async function follow(ctx: CommandContext, redis: Redis, channels: Channels, betId: string, entryId: string) {
  const deadline = Date.now() + WAIT_MS;
  do {
    if (betStatus(ctx, betId) === 'void') return { status: 'voided' };
    const dead = await findDeadLetter(redis, channels, entryId);
    if (dead) return { status: 'dead_lettered', reason: dead.reason };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  } while (Date.now() < deadline);
  return { status: 'pending' };
}
