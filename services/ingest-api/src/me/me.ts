/**
 * `GET /v1/me`: who the session acts for, the available balance (the Redis cache the admission
 * script reserves from: SQLite balance minus stakes still in flight), the open exposure, and how
 * this service fills bets (`fill`: the web quotes at the expected fill with it).
 */
import { type Channels, WALLET_FIELDS } from '@tap/channels';
import type { FillAnswer, MeAnswer } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { getAddress } from 'viem';
import type { BetEntryRule } from '../bets/place-bet.js';

export async function readMe(
  redis: Redis,
  channels: Channels,
  userId: string,
  entry: BetEntryRule,
): Promise<MeAnswer> {
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
    fill: fillAnswerOf(entry),
  };
}

/** The service's fill rule as `/v1/me` says it. */
export function fillAnswerOf(entry: BetEntryRule): FillAnswer {
  if (entry.mode === 'receipt') return { entry: 'receipt' };
  const { delay } = entry;
  return {
    entry: 'next_print',
    delay:
      delay.kind === 'fixed'
        ? { kind: 'fixed', prints: delay.prints }
        : { kind: 'adaptive', rule: { ...delay.rule } },
  };
}
