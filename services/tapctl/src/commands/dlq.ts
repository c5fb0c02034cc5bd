/**
 * Dead letters (`tap:dead-letter`, written by the batcher with the reason an entry was refused):
 * `dlq list`, `dlq show <id>`, `dlq retry <id> --reason`, `dlq discard <id> --reason`.
 *
 * retry re-queues the entry's raw JSON on the stream it came from and removes the dead letter;
 * discard only removes it. Each is one Lua script that also appends the signed, audited
 * OperatorEntry (`dlq_retry` / `dlq_discard`, target = the dead-letter id), so nothing leaves the
 * dead-letter stream without an audit row, and two operators cannot retry the same entry twice.
 * A retried entry is validated and authenticated again like any other (a forged adjustment stays
 * refused). Not retryable: bets (their reservation was released and the trader told `rejected`;
 * the trader bets again instead) and entries whose raw text was truncated or deleted.
 */
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { ulid } from 'ulid';
import { failure, usageError } from '../cli-error.js';
import { operatorOf, parseReason } from '../operator.js';
import { emit, fields } from '../output.js';
import { type DeadLetter, deadLetterById, recentDeadLetters } from '../storage/dead-letters.js';
import { connectRedis } from '../storage/redis.js';
import type { CommandContext } from './context.js';

/** KEYS: dead-letter stream, operator stream, source stream. ARGV: id, raw, audit JSON, mode. */
const REMOVE_LUA = `
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return {'gone', ''} end
local requeued = ''
if ARGV[4] == 'retry' then requeued = redis.call('XADD', KEYS[3], '*', 'd', ARGV[2]) end
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], '*', 'd', ARGV[3])
return {'ok', requeued}
`;

/** Mirrors the batcher's RAW_CHARS_MAX: a raw text this long may have been cut. */
const RAW_CHARS_MAX = 16_384;
const ID_PATTERN = /^\d{1,20}-\d{1,20}$/;

export async function dlqList(ctx: CommandContext, options: { limit?: string }): Promise<void> {
  const limit = Number(options.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw usageError('--limit must be 1 to 10000');
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const letters = await recentDeadLetters(redis, channels, limit);
    const total = await redis.xlen(channels.streams.deadLetter);
    emit(ctx.out, { total, deadLetters: letters }, () => [
      `${'id'.padEnd(18)}  ${'failed at'.padEnd(24)}  ${'stream'.padEnd(12)}  reason`,
      ...letters.map(
        (d) =>
          `${d.id.padEnd(18)}  ${new Date(d.failedAt).toISOString().padEnd(24)}  ` +
          `${d.stream.slice(channels.prefix.length).padEnd(12)}  ${d.reason.slice(0, 100)}`,
      ),
      `${letters.length} shown of ${total}, newest first`,
    ]);
  } finally {
    redis.disconnect();
  }
}

export async function dlqShow(ctx: CommandContext, id: string): Promise<void> {
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const letter = await mustFind(redis, channels, id);
    emit(ctx.out, letter, () =>
      fields([
        ['dead letter', letter.id],
        ['failed at', new Date(letter.failedAt).toISOString()],
        ['stream', letter.stream],
        ['entry', letter.entryId],
        ['reason', letter.reason],
        ['raw', letter.raw],
      ]),
    );
  } finally {
    redis.disconnect();
  }
}

export async function dlqRemove(
  ctx: CommandContext,
  mode: 'retry' | 'discard',
  id: string,
  options: { reason?: string },
): Promise<void> {
  const reason = parseReason(options.reason);
  const operator = operatorOf(ctx.config);
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const letter = await mustFind(redis, channels, id);
    if (mode === 'retry') checkRetryable(channels, letter);
    const nowMs = Date.now();
    const audit = operator.signAction({
      actionId: ulid(nowMs),
      action: mode === 'retry' ? 'dlq_retry' : 'dlq_discard',
      target: letter.id,
      reason,
      operator: operator.name,
      requestedAt: nowMs,
    });
    const [status, requeued] = (await redis.eval(
      REMOVE_LUA,
      3,
      channels.streams.deadLetter,
      channels.streams.operator,
      letter.stream,
      letter.id,
      letter.raw,
      encodeEntry('operator', audit)[1],
      mode,
    )) as [string, string];
    if (status === 'gone')
      throw failure(`dead letter ${id} was removed meanwhile (another operator?); nothing changed`);
    const result = {
      status: mode === 'retry' ? 'requeued' : 'discarded',
      id,
      stream: letter.stream,
      requeuedAs: requeued || null,
    };
    emit(ctx.out, result, () =>
      fields([
        ['status', result.status],
        ['dead letter', id],
        ...(requeued ? [['requeued as', `${letter.stream} ${requeued}`] as [string, string]] : []),
        ['operator', operator.name],
        ['reason', reason],
      ]),
    );
  } finally {
    redis.disconnect();
  }
}

async function mustFind(
  redis: Parameters<typeof deadLetterById>[0],
  channels: Channels,
  id: string,
): Promise<DeadLetter> {
  if (!ID_PATTERN.test(id)) throw usageError(`"${id}" is not a stream entry id like 1764000000000-0`);
  const letter = await deadLetterById(redis, channels, id);
  if (!letter) throw failure(`no dead letter ${id} in ${channels.streams.deadLetter}`);
  return letter;
}

function checkRetryable(channels: Channels, letter: DeadLetter): void {
  const { adjustments, settlements, prices, operator, bets } = channels.streams;
  if (letter.stream === bets) {
    throw failure(
      'a dead-lettered bet cannot be retried: its stake was released and the trader told "rejected"',
    );
  }
  if (![adjustments, settlements, prices, operator].includes(letter.stream)) {
    throw failure(`dead letter ${letter.id} came from ${letter.stream}, not a stream the batcher consumes`);
  }
  if (letter.raw.length >= RAW_CHARS_MAX || letter.reason === 'entry_deleted') {
    throw failure(`dead letter ${letter.id} does not hold the whole entry; it cannot be retried`);
  }
}
