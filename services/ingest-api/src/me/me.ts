/**
 * `GET /v1/me`: who the session acts for, the available balance (the Redis cache the admission
 * script reserves from: SQLite balance minus stakes still in flight) and the open exposure.
 */
import { type Channels, WALLET_FIELDS } from '@tap/channels';
import type { MeAnswer } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { getAddress } from 'viem';

export async function readMe(redis: Redis, channels: Channels, userId: string): Promise<MeAnswer> {
  const [available, openPayout, openBets] = await redis.hmget(
    channels.keys.wallet(userId),
    WALLET_FIELDS.balance,
    WALLET_FIELDS.exposure,
    WALLET_FIELDS.openBets,
  );
  return {
    address: getAddress(userId),
    userId,
    availableMicros: Number(available ?? 0),
    openPayoutMicros: Number(openPayout ?? 0),
    openBets: Number(openBets ?? 0),
  };
}
