/**
 * What the batcher tells Redis after a batch is committed (docs/bet-path.md): the XACK of its
 * entries, then the outbox rows (events → `tap:events` with MAXLEN ~, dead letters → `tap:dead-letter`, in
 * order, up to XADD_CHUNK of them per script call), then
 * the cache effects — pending-bet markers dropped (one DEL for many), exposure released per bet, balance deltas
 * summed per user, and last the drift resyncs, which overwrite a balance — in one pipeline.
 *
 * Cache effects are not in the outbox on purpose: a crash before they are made is healed by the
 * cache rebuild at start, which computes the cache from SQLite and the stream, so replaying them
 * would count them twice.
 */
import { type Channels, idsByStream, WALLET_FIELDS } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import type { Effect } from '../apply/verdict.js';
import type { OutboxRow } from '../storage/outbox.js';

/**
 * Releases the exposure booked at admission, for many bets at once: the batch's releases summed per
 * key first (addEffects), so a print that fills 300 bets on a few cells is one script call of a few
 * hundred increments, not 300 calls of four (issue 19/22: the calls cost Redis ~60 µs each, and ran
 * between a fill's `accepted` events and ws-gateway's read of them). Cell and column keys expire
 * after their window is settled, so they are only decremented while they exist.
 * KEYS: the total, then `ARGV[1]` cell and column keys, then wallet hashes (their `exposure` and
 * `openbets` fields, WALLET_FIELDS). ARGV: that count, the total's decrement, one decrement per cell
 * or column key, then per wallet its exposure decrement and the open-bet slots it frees (bets that
 * closed; a next-tick fill's true-up gives back unused payout of a bet that stays open).
 */
const RELEASE_EXPOSURES = `
local booked = tonumber(ARGV[1])
redis.call('DECRBY', KEYS[1], ARGV[2])
for i = 2, booked + 1 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECRBY', KEYS[i], ARGV[i + 1]) end
end
local arg = booked + 3
for i = booked + 2, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'exposure', -tonumber(ARGV[arg]))
  if ARGV[arg + 1] ~= '0' then redis.call('HINCRBY', KEYS[i], 'openbets', -tonumber(ARGV[arg + 1])) end
  arg = arg + 2
end
return 1
`;

/**
 * Sets one user's cached available balance to the SQLite balance minus the stakes of that user's
 * bets in the stream after the batcher's read position — atomically with respect to admission.
 * Gives up (returns nil, the cache is left as it is) when more than ARGV[4] entries are unread.
 * KEYS: the user's wallet hash (field `balance`), bets stream; ARGV: SQLite balance, last
 * delivered id, user id, scan limit.
 */
const RESYNC_BALANCE = `
local limit = tonumber(ARGV[4])
local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], '+', 'COUNT', limit + 1)
if #entries > limit then return false end
local inflight = 0
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'd' and string.find(fields[i + 1], ARGV[3], 1, true) then
      local ok, bet = pcall(cjson.decode, fields[i + 1])
      if ok and type(bet) == 'table' and bet.userId == ARGV[3] and type(bet.stakeMicros) == 'number' then
        inflight = inflight + bet.stakeMicros
      end
    end
  end
end
local available = string.format('%.0f', tonumber(ARGV[1]) - inflight)
redis.call('HSET', KEYS[1], 'balance', available)
return available
`;

/**
 * Appends ARGV[2..] to stream KEYS[1] in order, one entry (`d` = payload) each, MAXLEN ~ ARGV[1].
 * One script call per chunk instead of one XADD per event: measured here with 1,000 events per
 * batch, the batcher's CPU per event fell from ~10 µs (ioredis builds, writes and parses a
 * command each) to ~2 µs, for ~0.5 µs more Redis time per event.
 */
// ARGV[1] = MAXLEN ~ of the stream, '0' for none (the dead letters).
const XADD_ALL = `
local maxlen = ARGV[1]
for i = 2, #ARGV do
  if maxlen == '0' then redis.call('XADD', KEYS[1], '*', 'd', ARGV[i])
  else redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'd', ARGV[i]) end
end
return #ARGV - 1
`;
/**
 * Dead letters are never trimmed (issue 16: "dead letters are never silently trimmed away"): an
 * entry leaves `tap:dead-letter` only through `tapctl dlq retry|discard`, which writes an audited
 * operator entry in the same script. The stream is bounded by what produces it — the admission
 * control stops new bets at 90 % of Redis's maxmemory — and watched (alerts TapDeadLetters,
 * TapRedisMemoryHigh).
 */
const DEAD_LETTERS_UNTRIMMED = 0;
/**
 * Events per script call: a script runs atomically, so this bounds how long one call holds Redis
 * (~2.5 µs per event → ~0.5 ms), keeping admission's latency unaffected by large batches.
 */
const XADD_CHUNK = 200;

const RESYNC_SCAN_MAX = 20_000;
const PENDING_KEYS_PER_DEL = 1_000;
/** Releases summed into one script call: bounds how long one call holds Redis, like XADD_CHUNK. */
const RELEASES_PER_CALL = 500;

interface ScriptCommands {
  xaddAll(stream: string, maxLen: number, ...payloads: string[]): unknown;
  releaseExposures(numberOfKeys: number, ...keysAndArgs: (string | number)[]): unknown;
  resyncBalance(...keysAndArgs: (string | number)[]): unknown;
}
type Pipeline = ReturnType<Redis['pipeline']> & ScriptCommands;

export interface Publisher {
  publishOutbox(rows: readonly OutboxRow[]): Promise<void>;
  /**
   * `resync` is absent while the read position is not exact (start-up), which skips drift resyncs.
   * Everything is read (`balanceOf` included) and sent before the returned promise is created: the
   * caller may change SQLite while it is in flight (batch-cycle.ts).
   */
  publish(
    rows: readonly OutboxRow[],
    effects: readonly Effect[],
    resync?: { afterBetsId: string; balanceOf(userId: string): number },
    acks?: readonly { stream: string; id: string }[],
  ): Promise<void>;
}

export function createPublisher(
  redis: Redis,
  channels: Channels,
  limits: { eventsMaxLen: number },
): Publisher {
  redis.defineCommand('xaddAll', { numberOfKeys: 1, lua: XADD_ALL });
  // Its number of keys varies per call: given as the first argument.
  redis.defineCommand('releaseExposures', { lua: RELEASE_EXPOSURES });
  redis.defineCommand('resyncBalance', { numberOfKeys: 2, lua: RESYNC_BALANCE });
  const { streams } = channels;

  const target = (kind: OutboxRow['stream']): [stream: string, maxLen: number] =>
    kind === 'events' ? [streams.events, limits.eventsMaxLen] : [streams.deadLetter, DEAD_LETTERS_UNTRIMMED];

  /** Runs of rows for the same stream, in order, at most XADD_CHUNK each: one script call per run. */
  const addOutbox = (pipeline: Pipeline, rows: readonly OutboxRow[]) => {
    for (let start = 0; start < rows.length; ) {
      const kind = rows[start]!.stream;
      let end = start + 1;
      while (end < rows.length && end - start < XADD_CHUNK && rows[end]!.stream === kind) end += 1;
      const payloads: string[] = [];
      for (let i = start; i < end; i += 1) payloads.push(rows[i]!.payload);
      pipeline.xaddAll(...target(kind), ...payloads);
      start = end;
    }
  };

  return {
    async publishOutbox(rows) {
      const pipeline = redis.pipeline() as Pipeline;
      addOutbox(pipeline, rows);
      await execChecked(pipeline);
    },
    async publish(rows, effects, resync, acks = []) {
      const pipeline = redis.pipeline() as Pipeline;
      // First in the pipeline: Redis runs it before the events and cache effects, as when the ack
      // was a round trip of its own, and a batch costs one write to Redis instead of two (issue 19).
      for (const [stream, ids] of idsByStream(acks)) pipeline.xack(stream, channels.groups.batcher, ...ids);
      addOutbox(pipeline, rows);
      addEffects(pipeline, channels, effects, resync);
      await execChecked(pipeline);
    },
  };
}

/** Markers, exposure releases summed per key, then deltas summed per user, then resyncs (they overwrite). */
function addEffects(
  pipeline: Pipeline,
  { keys, streams }: Channels,
  effects: readonly Effect[],
  resync: Parameters<Publisher['publish']>[2],
): void {
  const deltas = new Map<string, number>();
  const resyncUsers = new Set<string>();
  const pendingKeys: string[] = [];
  let releases = new ExposureReleases();
  for (const effect of effects) {
    if (effect.type === 'balance_delta') {
      deltas.set(effect.userId, (deltas.get(effect.userId) ?? 0) + effect.deltaMicros);
    } else if (effect.type === 'balance_resync') {
      resyncUsers.add(effect.userId);
    } else if (effect.type === 'pending_cleared') {
      pendingKeys.push(keys.pendingBet(effect.betId));
    } else {
      const { userId, t0, p0, payoutMicros } = effect;
      if (effect.type === 'exposure_trueup' && payoutMicros === 0) continue;
      const slots = effect.type === 'exposure_release' ? 1 : 0;
      releases.add(
        keys.exposureCell(t0, p0),
        keys.exposureColumn(t0),
        keys.wallet(userId),
        payoutMicros,
        slots,
      );
      if (releases.count >= RELEASES_PER_CALL) {
        releases.send(pipeline, keys.exposureTotal);
        releases = new ExposureReleases();
      }
    }
  }
  releases.send(pipeline, keys.exposureTotal);
  // One DEL per chunk of markers, not one per bet: a batch's worth of commands costs Redis and the
  // client far more than one command with many keys.
  for (let i = 0; i < pendingKeys.length; i += PENDING_KEYS_PER_DEL) {
    pipeline.del(...pendingKeys.slice(i, i + PENDING_KEYS_PER_DEL));
  }
  for (const [userId, delta] of deltas) {
    if (delta !== 0) pipeline.hincrby(keys.wallet(userId), WALLET_FIELDS.balance, delta);
  }
  if (!resync) return;
  for (const userId of resyncUsers) {
    pipeline.resyncBalance(
      keys.wallet(userId),
      streams.bets,
      resync.balanceOf(userId),
      resync.afterBetsId,
      userId,
      RESYNC_SCAN_MAX,
    );
  }
}

/** Exposure releases summed per cell or column key and per wallet, for one RELEASE_EXPOSURES call. */
class ExposureReleases {
  count = 0;
  private total = 0;
  private readonly booked = new Map<string, number>();
  private readonly wallets = new Map<string, { payout: number; slots: number }>();

  add(cell: string, column: string, wallet: string, payoutMicros: number, slots: number): void {
    this.count += 1;
    this.total += payoutMicros;
    for (const key of [cell, column]) this.booked.set(key, (this.booked.get(key) ?? 0) + payoutMicros);
    const held = this.wallets.get(wallet);
    if (held) {
      held.payout += payoutMicros;
      held.slots += slots;
    } else this.wallets.set(wallet, { payout: payoutMicros, slots });
  }

  send(pipeline: Pipeline, totalKey: string): void {
    if (this.count === 0) return;
    const walletArgs = [...this.wallets.values()].flatMap(({ payout, slots }) => [payout, slots]);
    pipeline.releaseExposures(
      1 + this.booked.size + this.wallets.size,
      totalKey,
      ...this.booked.keys(),
      ...this.wallets.keys(),
      this.booked.size,
      this.total,
      ...this.booked.values(),
      ...walletArgs,
    );
  }
}

async function execChecked(pipeline: Pipeline): Promise<void> {
  if (pipeline.length === 0) return;
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
}
