/**
 * `credit` / `debit`: queue an AdjustmentEntry on `tap:adjustments` for the batcher, the only
 * SQLite writer. The batcher applies it once per (kind, id) — pass `--id` to make a retry safe — and
 * dead-letters a debit the balance cannot cover. `--wait` follows it to its outcome.
 *
 * Every entry carries the operator, the reason and the time, signed with the operator key (the
 * batcher dead-letters an unsigned one). An amount above ADJUST_CONFIRM_ABOVE_USD needs `--confirm`
 * (a typo of a few zeros is the likeliest costly mistake). A withdrawal from a frozen wallet is
 * refused atomically with the XADD (one Lua script), so a freeze cannot race it.
 */
import { type Channels, createChannels, encodeEntry } from '@tap/channels';
import { type AdjustmentEntry, adjustmentEntrySchema, MICROS_PER_USD } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { ulid } from 'ulid';
import { CliError, failure, usageError } from '../cli-error.js';
import { parseAddress } from '../input/address.js';
import { formatMicros, parseUsdMicros } from '../input/usd.js';
import { type Operator, operatorOf, parseReason } from '../operator.js';
import { emit, fields } from '../output.js';
import { findDeadLetter } from '../storage/dead-letters.js';
import { connectRedis } from '../storage/redis.js';
import { openSegments } from '../storage/segments.js';
import type { CommandContext } from './context.js';

export type Direction = 'credit' | 'debit';

export interface AdjustOptions {
  reason: string;
  kind?: string;
  id?: string;
  wait?: boolean;
  timeout?: string;
  confirm?: boolean;
}

/** XADD unless the wallet is frozen and the entry is a withdrawal: KEYS stream, frozen key. */
const QUEUE_LUA = `
if ARGV[2] == 'withdrawal' and redis.call('EXISTS', KEYS[2]) == 1 then return {'frozen', redis.call('GET', KEYS[2])} end
return {'ok', redis.call('XADD', KEYS[1], '*', 'd', ARGV[1])}
`;

const KINDS: Record<Direction, readonly AdjustmentEntry['kind'][]> = {
  credit: ['adjustment', 'deposit'],
  debit: ['adjustment', 'withdrawal'],
};
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const POLL_MS = 100;

export function buildAdjustment(
  direction: Direction,
  addressText: string,
  usdText: string,
  options: AdjustOptions,
  nowMs: number,
  operator: Operator,
  confirmAboveMicros: number,
): AdjustmentEntry {
  const address = parseAddress(addressText);
  if (!address.ok) throw usageError(address.message);
  const amount = parseUsdMicros(usdText);
  if (!amount.ok) throw usageError(amount.message);
  const kind = (options.kind ?? 'adjustment') as AdjustmentEntry['kind'];
  if (!KINDS[direction].includes(kind)) {
    throw usageError(`--kind of a ${direction} must be one of ${KINDS[direction].join(', ')}`);
  }
  if (amount.micros > confirmAboveMicros && options.confirm !== true) {
    throw usageError(
      `${formatMicros(amount.micros)} USD is above ${formatMicros(confirmAboveMicros)} USD (ADJUST_CONFIRM_ABOVE_USD): check it and add --confirm`,
    );
  }
  const reason = parseReason(options.reason);
  const adjustmentId = options.id ?? ulid(nowMs);
  if (!ID_PATTERN.test(adjustmentId)) throw usageError('--id must be 1-64 letters, digits, _ . : or -');
  const amountMicros = direction === 'credit' ? amount.micros : -amount.micros;
  const fields = {
    adjustmentId,
    userId: address.userId,
    kind,
    amountMicros,
    reason,
    operator: operator.name,
  };
  return adjustmentEntrySchema.parse(operator.signAdjustment({ ...fields, requestedAt: nowMs }));
}

export async function adjust(
  ctx: CommandContext,
  direction: Direction,
  addressText: string,
  usdText: string,
  options: AdjustOptions,
): Promise<void> {
  const confirmAboveMicros = ctx.config.ADJUST_CONFIRM_ABOVE_USD * MICROS_PER_USD;
  const operator = operatorOf(ctx.config);
  const entry = buildAdjustment(
    direction,
    addressText,
    usdText,
    options,
    Date.now(),
    operator,
    confirmAboveMicros,
  );
  const timeoutMs = parseTimeout(options.timeout);
  // A retry with --id of an adjustment already applied is answered from the ledger, not sent
  // again: the batcher deduplicates within a segment, this covers a retry after a roll-over.
  const earlier = options.id === undefined ? undefined : findLedgerRow(ctx, entry);
  if (earlier) {
    const result = {
      status: 'already_applied',
      ...entry,
      balanceMicros: earlier.balance_after,
      ledgerId: earlier.id,
    };
    emit(ctx.out, result, () =>
      fields([
        ['status', 'already applied (nothing sent)'],
        ['adjustment', `${entry.kind}:${entry.adjustmentId}`],
        ['ledger row', String(earlier.id)],
      ]),
    );
    return;
  }
  const channels = createChannels(ctx.config.TAP_KEY_PREFIX);
  const redis = await connectRedis(ctx.config);
  try {
    const [queued, detail] = (await redis.eval(
      QUEUE_LUA,
      2,
      channels.streams.adjustments,
      channels.keys.frozen(entry.userId),
      encodeEntry('adjustments', entry)[1],
      entry.kind,
    )) as [string, string];
    if (queued === 'frozen')
      throw failure(`${entry.userId} is frozen (${detail}): withdrawals are refused; nothing was queued`);
    const entryId = detail;
    const outcome = options.wait ? await follow(ctx, redis, channels, entry, entryId, timeoutMs) : undefined;
    const result = { status: outcome?.status ?? 'queued', entryId, ...entry, ...outcome };
    emit(ctx.out, result, () =>
      fields([
        ['status', result.status],
        ['adjustment', `${entry.kind}:${entry.adjustmentId}`],
        ['user', entry.userId],
        ['amount', `${formatMicros(entry.amountMicros)} USD`],
        ['operator', entry.operator],
        ['stream entry', entryId],
        ...(outcome?.status === 'applied'
          ? [['balance', `${formatMicros(outcome.balanceMicros)} USD`] as [string, string]]
          : []),
      ]),
    );
    if (outcome?.status === 'dead_lettered') {
      throw failure(
        `the batcher refused ${entry.kind}:${entry.adjustmentId}: ${outcome.reason}; nothing changed`,
      );
    }
    if (outcome?.status === 'pending') {
      throw failure(
        `not applied within ${timeoutMs} ms (is the batcher running?). It stays queued and applies once; ` +
          `to retry safely re-run with --id ${entry.adjustmentId}`,
      );
    }
  } finally {
    redis.disconnect();
  }
}

type Outcome =
  | { status: 'applied'; balanceMicros: number; ledgerId: number }
  | { status: 'dead_lettered'; reason: string }
  | { status: 'pending' };

/** Polls the segment's ledger and the dead-letter stream until the entry is applied or refused. */
async function follow(
  ctx: CommandContext,
  redis: Redis,
  channels: Channels,
  entry: AdjustmentEntry,
  entryId: string,
  timeoutMs: number,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  do {
    const applied = findLedgerRow(ctx, entry);
    if (applied) return { status: 'applied', balanceMicros: applied.balance_after, ledgerId: applied.id };
    const dead = await findDeadLetter(redis, channels, entryId);
    if (dead) return { status: 'dead_lettered', reason: dead.reason };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  } while (Date.now() < deadline);
  return { status: 'pending' };
}

/** The adjustment's ledger row in any segment read (it may land after a roll-over), or undefined. */
function findLedgerRow(ctx: CommandContext, entry: AdjustmentEntry) {
  let opened: ReturnType<typeof openSegments>;
  try {
    opened = openSegments(ctx.config.DATA_DIR);
  } catch (err) {
    // No segment yet: the batcher has not applied anything (a DATA_DIR error is still an error).
    if (err instanceof CliError && err.message.startsWith('no segment')) return undefined;
    throw err;
  }
  try {
    for (const { db } of opened.segments) {
      const row = db
        .prepare('SELECT id, balance_after FROM transaction_ledger WHERE ref_type = ? AND ref_id = ?')
        .get(entry.kind, entry.adjustmentId) as { id: number; balance_after: number } | undefined;
      if (row) return row;
    }
    return undefined;
  } finally {
    opened.close();
  }
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 10_000;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 100)
    throw usageError('--timeout must be milliseconds, at least 100');
  return Number(text);
}
