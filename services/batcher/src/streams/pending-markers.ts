/**
 * Start-up reconciliation of the "pending" markers (`tap:pending:<betId>`, set by admission, dropped
 * by the batcher after the bet's commit): a batcher killed between its commit and that DEL left the
 * markers of committed bets behind, and `GET /v1/bets/:id` fell back to them until their TTL ran out
 * (issue 20). At start, every marker whose bet is in the current segment is removed. Markers of bets
 * still in flight stay. SCANned in pages of SCAN_COUNT; each page's lookups run in one read
 * transaction (see cache-rebuild.ts for why).
 */
import type { Channels } from '@tap/channels';
import type { Logger, Redis } from '@tap/runtime';
import type Database from 'better-sqlite3';

const SCAN_COUNT = 1_000;

export async function clearCommittedPendingMarkers(options: {
  redis: Redis;
  channels: Channels;
  db: Database.Database;
  betExists(betId: string): boolean;
  log: Logger;
}): Promise<number> {
  const { redis, channels, db } = options;
  const prefixLength = channels.keys.pendingBet('').length;
  const committed = db.transaction((keys: string[]) =>
    keys.filter((key) => options.betExists(key.slice(prefixLength))),
  );
  let cleared = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(
      cursor,
      'MATCH',
      channels.keys.pendingBetPattern,
      'COUNT',
      SCAN_COUNT,
    );
    const stale = committed(found);
    if (stale.length > 0) cleared += await redis.unlink(...stale);
    cursor = next;
  } while (cursor !== '0');
  options.log.info({ cleared }, 'pending_markers.reconciled');
  return cleared;
}
