/**
 * `GET /v1/me`: who the session acts for, the available balance (the Redis cache the admission
 * script reserves from: SQLite balance minus stakes still in flight) and the open exposure.
 */
import type { Channels } from '@tap/channels';
import type { MeAnswer } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { getAddress } from 'viem';

export async function readMe(redis: Redis, channels: Channels, userId: string): Promise<MeAnswer> {
  const [available, openPayout, openBets] = await redis.mget(
    channels.keys.balance(userId),
    channels.keys.exposureUser(userId),
    channels.keys.openBets(userId),
  );
  return {
    address: getAddress(userId),
    userId,
    availableMicros: Number(available ?? 0),
    openPayoutMicros: Number(openPayout ?? 0),
    openBets: Number(openBets ?? 0),
  };
}
