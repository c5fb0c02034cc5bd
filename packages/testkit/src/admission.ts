/** What ingest-api's admission script does for a bet, without its checks: reserve, book, XADD. */
import { type Channels, encodeEntry, WALLET_FIELDS } from '@tap/channels';
import { type BetEntry, payoutMicros } from '@tap/domain';
import type { ChainableCommander, Redis } from 'ioredis';

/** Replies one admission queues (`queueAdmission`); the last is the XADD's stream id. */
export const ADMISSION_REPLIES = 8;

/** The admission's commands for one bet, queued on a MULTI or a pipeline (`ADMISSION_REPLIES` replies). */
export function queueAdmission<C extends ChainableCommander>(
  chain: C,
  { keys, streams }: Channels,
  bet: BetEntry,
  entryId = '*',
): C {
  const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
  const wallet = keys.wallet(bet.userId);
  chain
    .hincrby(wallet, WALLET_FIELDS.balance, -bet.stakeMicros)
    .incrby(keys.exposureCell(bet.t0, bet.p0), payout)
    .incrby(keys.exposureColumn(bet.t0), payout)
    .incrby(keys.exposureTotal, payout)
    .hincrby(wallet, WALLET_FIELDS.exposure, payout)
    .hincrby(wallet, WALLET_FIELDS.openBets, 1)
    .set(keys.pendingBet(bet.betId), bet.userId)
    .xadd(streams.bets, entryId, ...encodeEntry('bets', bet));
  return chain;
}

/** `entryId`: the stream id to append with (default `*`); an explicit old one dates the admission. */
export function admitBet(redis: Redis, channels: Channels, bet: BetEntry, entryId = '*') {
  return queueAdmission(redis.multi(), channels, bet, entryId).exec();
}

const ADMIT_WHEN_READY = `
if redis.call('EXISTS', KEYS[6]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'balance', -tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[1], 'exposure', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'openbets', 1)
for i = 2, 4 do redis.call('INCRBY', KEYS[i], ARGV[2]) end
redis.call('SET', KEYS[5], ARGV[3])
redis.call('XADD', KEYS[7], '*', unpack(ARGV, 4))
return 1`;

/**
 * `admitBet` as ingest-api's script does it: atomically, and only while the balance cache is ready
 * (the batcher's start-up rebuild drops the flag; a bet admitted meanwhile would be overwritten by
 * the rebuilt cache). False when refused: try again later.
 */
export async function admitBetWhenReady(redis: Redis, { keys, streams }: Channels, bet: BetEntry) {
  const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
  const keyList = [
    keys.wallet(bet.userId),
    keys.exposureCell(bet.t0, bet.p0),
    keys.exposureColumn(bet.t0),
    keys.exposureTotal,
    keys.pendingBet(bet.betId),
    keys.balanceCacheReady,
    streams.bets,
  ];
  const args = [bet.stakeMicros, payout, bet.userId, ...encodeEntry('bets', bet)];
  return (await redis.eval(ADMIT_WHEN_READY, keyList.length, ...keyList, ...args)) === 1;
}
