/**
 * Every Redis stream, consumer group, key and pub/sub channel name, built in one place (STYLE:
 * nobody types a key by hand). All names start with the prefix (default `tap:`, so the streams are
 * `tap:bets`, `tap:prices`… as in SPEC §10); tests isolate themselves with a fresh prefix.
 */
export type Channels = ReturnType<typeof createChannels>;

export const DEFAULT_PREFIX = 'tap:';

/**
 * The fields of a wallet's hash (`keys.wallet`) that the balance cache consists of, in the order
 * the admission script's HMGET reads them; `rate` is the bet rate bucket, not part of the cache
 * (the rebuild leaves it alone).
 */
export const WALLET_FIELDS = {
  balance: 'balance',
  exposure: 'exposure',
  openBets: 'openbets',
  rate: 'rate',
} as const;
export type WalletCacheField = 'balance' | 'exposure' | 'openbets';

export function createChannels(prefix: string = DEFAULT_PREFIX) {
  const key = (name: string) => `${prefix}${name}`;
  return {
    prefix,
    streams: {
      bets: key('bets'),
      settlements: key('settlements'),
      adjustments: key('adjustments'),
      prices: key('prices'),
      events: key('events'),
      breaker: key('breaker'),
      deadLetter: key('dead-letter'),
      /** Audited operator actions from tapctl (OperatorEntry), consumed by the batcher. */
      operator: key('operator'),
      /** Restore requests {jobId, segment} from historical queries, consumed by the archiver's restore worker (issue 17). */
      restores: key('restores'),
    },
    groups: {
      batcher: 'batcher',
      resolver: 'resolver',
      healthMonitor: 'health-monitor',
      wsGateway: 'ws-gateway',
      archiver: 'archiver',
    },
    keys: {
      /** The latest index print (JSON PrintEntry). */
      priceLast: key('price:last'),
      /** 1-second OHLC candles, a sorted set scored by second (kept 7 days). */
      candles1s: key('candles:1s'),
      /** Breaker state with its heartbeat (hash: state, reason, since, heartbeatAt). */
      breakerState: key('breaker:state'),
      /** Every breaker open interval, a sorted set scored by open time (the resolver voids by it). */
      breakerIntervals: key('breaker:intervals'),
      /** A manual halt by an operator (hash: operator, reason, since, actionId); health-monitor opens the breaker while it exists. */
      manualHalt: key('breaker:manual'),
      /** A frozen wallet (JSON: operator, reason, since, actionId): admission refuses its bets, tapctl its withdrawals. */
      frozen: (userId: string) => key(`frozen:${userId}`),
      /**
       * A wallet's lowered limit (JSON: openPayoutMicrosMax, operator, reason, since, actionId):
       * admission caps the wallet's open potential payout at the lower of it and the per-trader limit.
       */
      walletLimit: (userId: string) => key(`limits:${userId}`),
      /**
       * A wallet's longer fill delay (JSON: prints, operator, reason, since, actionId; issue 22):
       * admission prices its bets at the `prints`-th print after their receipt (next-tick entry).
       */
      fillDelay: (userId: string) => key(`delay:${userId}`),
      /**
       * The edge monitor acted on this wallet (JSON: actionId, action, z, bets, at; expires after
       * EDGE_HOURS, when every bet that justified it has left the judged range): `tapctl edge
       * --apply` does not act twice on the same evidence, even after an operator lifted the action.
       */
      edgeActioned: (userId: string) => key(`edge:actioned:${userId}`),
      /** Set by the batcher once the balance cache is rebuilt; admission refuses bets until then. */
      balanceCacheReady: key('balance:ready'),
      /**
       * A wallet's admission state (issue 19), one hash read with one HMGET and written with one
       * HSET by the admission script: the cached available balance, open potential payout and
       * open-bet count (`WALLET_FIELDS`; what the batcher's rebuild and resyncs write) and the bet
       * rate bucket (`tokens:ts`, ingest-api's token-bucket.ts). Was four string keys
       * (`balance:`, `exposure:user:`, `openbets:`, `ratelimit:`), dropped by the rebuild.
       */
      wallet: (userId: string) => key(`wallet:${userId}`),
      session: (tokenSha256: string) => key(`session:${tokenSha256}`),
      /** A wallet's live sessions: sorted set of token hashes scored by creation ms (SPEC §5: ≤ 10). */
      userSessions: (userId: string) => key(`sessions:${userId}`),
      nonce: (userId: string, nonce: string) => key(`nonce:${userId}:${nonce}`),
      idempotency: (userId: string, clientBetId: string) => key(`idem:${userId}:${clientBetId}`),
      exposureCell: (t0: number, p0: number) => key(`exposure:cell:${t0}:${p0}`),
      exposureColumn: (t0: number) => key(`exposure:column:${t0}`),
      exposureTotal: key('exposure:total'),
      /**
       * The batcher's heartbeat (hash: at, lagMs — its clock when written and the age of the oldest
       * unapplied bet); ingest-api refuses bets `batcher_behind` when it is stale or lagMs too large.
       */
      batcherHeartbeat: key('batcher:heartbeat'),
      /** userId of a bet admitted but not yet applied; the batcher deletes it after commit. */
      pendingBet: (betId: string) => key(`pending:${betId}`),
      /** A restore job (hash: id, segment, state, bytesDone, bytesTotal, error, requestedAtMs, updatedAtMs; 24 h TTL). */
      restoreJob: (jobId: string) => key(`restore:job:${jobId}`),
      /** The live restore job of an archived segment (string jobId): one job per segment however many ask. */
      restoreOfSegment: (segment: string) => key(`restore:segment:${segment}`),
      /** Restored segments by last use (sorted set, ms): the restore worker evicts the least recently used. */
      restoreCacheUse: key('restore:used'),
      /** Restore jobs a wallet may start (token bucket string `tokens:ts`), and all wallets together. */
      restoreRateLimit: (userId: string) => key(`ratelimit:restore:${userId}`),
      restoreRateLimitGlobal: key('ratelimit:restore'),
      /** SCAN pattern of every pendingBet key (the batcher's start-up clears those of committed bets). */
      pendingBetPattern: key('pending:*'),
      /** Demo mode only: micro-dollars the faucet credited to a wallet (string integer, 24 h TTL). */
      demoFaucet: (userId: string) => key(`demo:faucet:${userId}`),
    },
    pubsub: {
      breakerChanges: key('breaker:changes'),
      /** sha256(token) of each session a logout or the per-wallet cap deleted (ingest-api publishes;
       * ws-gateway closes that session's sockets). */
      sessionsRevoked: key('sessions:revoked'),
      /**
       * price-ingest's notice that a print could not be stored (JSON `{t, error}`), one per failed
       * print; health-monitor opens the breaker on it. Pub/sub because PUBLISH still works when
       * Redis refuses writes for memory (`noeviction`), when nothing else from price-ingest can land.
       */
      priceWriteFailures: key('prices:write-failed'),
    },
    /**
     * SCAN patterns of the cache's key families: the batcher's rebuild drops the keys (and wallet
     * fields) its plan does not hold, integrity-cron compares them. Only cache families belong
     * here: a pattern listed here is deleted by every batcher start.
     */
    cachePatterns: {
      wallets: key('wallet:0x*'),
      exposure: key('exposure:*'),
    },
    /**
     * Key families of the layout before the wallet hash (issue 19): the batcher's rebuild deletes
     * whatever is left of them (`balance:`, `openbets:`, and the bet rate buckets `ratelimit:0x…`;
     * the old `exposure:user:` keys match `cachePatterns.exposure` and are dropped with it).
     */
    legacyPatterns: {
      balances: key('balance:0x*'),
      openBets: key('openbets:*'),
      betRateLimits: key('ratelimit:0x*'),
    },
  };
}
