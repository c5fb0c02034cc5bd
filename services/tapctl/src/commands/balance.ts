/**
 * `balance <address>`: the SQLite balance in the current segment (the truth; a roll-over carries
 * every balance into the next segment — while it is carrying, a user not carried yet is read from
 * the closing segment: the newest segment holding the user) — or in `--segment` — next to the Redis cache's
 * available balance (SQLite minus stakes admitted but not yet applied). Redis being down does not
 * hide the SQLite balance.
 */
import { createChannels, WALLET_FIELDS } from '@tap/channels';
import { usageError } from '../cli-error.js';
import { parseAddress } from '../input/address.js';
import { formatMicros } from '../input/usd.js';
import { emit, fields } from '../output.js';
import { connectRedis } from '../storage/redis.js';
import { openSegments } from '../storage/segments.js';
import type { CommandContext } from './context.js';

export async function balance(ctx: CommandContext, addressText: string, options: { segment?: string }) {
  const address = parseAddress(addressText);
  if (!address.ok) throw usageError(address.message);
  const { userId } = address;
  const opened = openSegments(ctx.config.DATA_DIR, options.segment);
  let row: { balance: number; updated_at: number } | undefined;
  let segment = opened.segments[0]!;
  try {
    for (const candidate of opened.segments) {
      row = candidate.db
        .prepare('SELECT balance, updated_at FROM users WHERE id = ?')
        .get(userId) as typeof row;
      if (!row) continue;
      segment = candidate;
      break;
    }
  } finally {
    opened.close();
  }
  const cache = await readCache(ctx, userId);
  const result = {
    userId,
    segment: segment.name,
    hasAccount: row !== undefined,
    balanceMicros: row?.balance ?? 0,
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    ...cache,
  };
  emit(ctx.out, result, () =>
    fields([
      ['user', userId],
      ['segment', segment.name],
      ['balance', `${formatMicros(result.balanceMicros)} USD${row ? '' : ' (no ledger entry yet)'}`],
      [
        'available',
        'error' in cache
          ? `unknown (${cache.error})`
          : `${formatMicros(cache.availableMicros)} USD (Redis cache${cache.cacheReady ? '' : ', NOT ready'})`,
      ],
    ]),
  );
}

async function readCache(ctx: CommandContext, userId: string) {
  const { keys } = createChannels(ctx.config.TAP_KEY_PREFIX);
  try {
    const redis = await connectRedis(ctx.config);
    try {
      const [available, ready] = await Promise.all([
        redis.hget(keys.wallet(userId), WALLET_FIELDS.balance),
        redis.get(keys.balanceCacheReady),
      ]);
      return { availableMicros: Number(available ?? 0), cacheReady: ready === '1' };
    } finally {
      redis.disconnect();
    }
  } catch (err) {
    return { error: (err as Error).message };
  }
}
