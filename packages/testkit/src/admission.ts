/** What ingest-api's admission script does for a bet, without its checks: reserve, book, XADD. */
import { type Channels, encodeEntry } from '@tap/channels';
import { type BetEntry, payoutMicros } from '@tap/domain';
import type { Redis } from 'ioredis';

export function admitBet(redis: Redis, { keys, streams }: Channels, bet: BetEntry) {
  const payout = payoutMicros(bet.stakeMicros, bet.multiplierBp);
  return redis
    .multi()
    .decrby(keys.balance(bet.userId), bet.stakeMicros)
    .incrby(keys.exposureCell(bet.t0, bet.p0), payout)
    .incrby(keys.exposureColumn(bet.t0), payout)
    .incrby(keys.exposureTotal, payout)
    .incrby(keys.exposureUser(bet.userId), payout)
    .incr(keys.openBets(bet.userId))
    .set(keys.pendingBet(bet.betId), bet.userId)
    .xadd(streams.bets, '*', ...encodeEntry('bets', bet))
    .exec();
}
