/**
 * The admission step (SPEC §6.1, docs/bet-path.md): ONE Lua script that, atomically, takes the
 * wallet's rate-limit token (so an admitted bet costs one Redis round trip, not two), checks the
 * balance cache is ready, deduplicates (user, clientBetId), checks the available balance and every
 * exposure limit, reserves the stake, books the exposure, appends the bet to `tap:bets`, marks it
 * pending and stores the idempotent answer — all or nothing after the token (a refused bet spends
 * its token, as it did when the bucket was a separate step). A wallet an operator froze
 * (`keys.frozen`) is refused right after the duplicate check; a wallet's lowered limit
 * (`keys.walletLimit`, tapctl limit) caps its open potential payout (`user_payout`); a wallet's
 * fill delay (`keys.fillDelay`, tapctl delay) is answered first, before the token, when the entry
 * was not built for it (`fill_delay`: ingest-api rebuilds it as a delayed next-tick entry). When Redis is
 * full (`noeviction`), the script is refused as a whole and admission answers 503.
 *
 * The lead time is checked again here against Redis `TIME` (SPEC §5): whatever delayed the bet
 * between its receive time and this script (a stalled event loop, a slow Redis), a cell that now
 * starts in less than `leadMs` is refused `cell_not_placeable`. A retry of an admitted bet still
 * gets its original answer: the duplicate check comes first.
 *
 * The call declares no KEYS (issue 19): the script builds every key from the bet's values and the
 * key texts of @tap/channels (admission-keys.ts), instead of getting ten keys a bet. That changes no
 * right: Redis checks every command a script runs against its caller's ACL user, declared keys or
 * not, so ingest-api (infra/redis-users.acl.in) can still only read the cache's ready flag and a
 * wallet's freeze, lowered limit and fill delay — it cannot mark the cache ready or lift a freeze or
 * a limit — and writes only its own admission keys. (Declared KEYS would be checked as written,
 * which is why the read-only keys were never declared.) This is a single Redis: undeclared keys
 * cost no cluster routing.
 *
 * One call may hold several bets (admission-batch.ts, issue 19): the script admits them in order,
 * each as if alone, and answers one verdict per bet; `createAdmission` without batching sends one
 * bet a call.
 *
 * The idempotency record (idempotency-record.ts) expires at `t0 + 60 s` (SPEC §6.2). The pending
 * marker is deleted by the batcher once the bet is applied; its 24 h expiry only bounds a leak if
 * the bet were never applied (admission refuses bets while the batcher lags, so they stay few).
 */
import { createHash } from 'node:crypto';
import type { Channels } from '@tap/channels';
import { FILL_DELAY_PRINTS_MAX } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { TAKE_TOKEN_LUA, type TokenBucketRule } from '../rate-limit/token-bucket.js';
import { type AdmissionBatching, batchCalls } from './admission-batch.js';
import { luaKeyFunctions, luaLiteral } from './admission-keys.js';
import { IDEMPOTENCY_AFTER_T0_MS } from './idempotency-record.js';

/**
 * The script's ARGV by name: the order the values of one bet are passed in, and the Lua text below
 * reads `ARGV[a + ${A.name}]`, so adding a value (anywhere in the list) cannot shift another one
 * silently (issue 21). A call holds no KEYS: every key is derived in the script from these values
 * (see `keyTemplates` and the header).
 */
const ARG_NAMES = [
  'userId',
  'clientBetId',
  'betId',
  'fingerprint',
  'entryJson',
  // The byte length of the terms JSON that ends `entryJson` (0: a next-tick bet): the idempotency
  // answer's tail is cut from the entry instead of being sent twice.
  'termsBytes',
  'stakeMicros',
  'payoutMicros',
  't0',
  'p0',
  'receivedAtMs',
  'leadMs',
  'exposureExpireAtMs',
  // The wallet's fill delay the entry was built for (0: none), checked against its delay key.
  'delayPrints',
] as const;
/**
 * What is the same for every bet of this process (the limits, the rate rule, the pending marker's
 * life, the cache's ready flag) is written into the script's text as Lua locals instead of being
 * sent with every bet (issue 19: 9 of 33 values a bet, encoded by the client and parsed by Redis
 * each time). The script's SHA therefore depends on the configuration; each process loads its own.
 */
export interface ScriptConstants {
  cellMicrosMax: number;
  columnMicrosMax: number;
  totalMicrosMax: number;
  userPayoutMicrosMax: number;
  userOpenBetsMax: number;
  pendingTtlS: number;
  ratePerS: number;
  burst: number;
  /** The idempotency record's life after the cell's t0 (idempotency-record.ts). */
  idempotencyAfterT0Ms: number;
}

function luaConstants(c: ScriptConstants): string {
  return Object.entries(c)
    .map(([name, value]) => `local ${name} = ${luaLiteral(value)}`)
    .join('\n');
}

type ArgName = (typeof ARG_NAMES)[number];
const A = Object.fromEntries(ARG_NAMES.map((name, i) => [name, i + 1])) as Record<ArgName, number>;

/**
 * The script admits the bets of one call in order, each exactly as if it were alone (its own token,
 * checks and writes; one refused bet does not refuse the others), and answers a flat list of
 * `verdict, detail` pairs, one pair per bet (`''` when a verdict has no detail: a Lua nil would
 * end the list). Bet i's values are `ARGV[i·ARG_COUNT + 1 …]`; its keys are built from them.
 */
const admitScript = (constants: ScriptConstants, channels: Channels) => `${TAKE_TOKEN_LUA}
${luaConstants(constants)}
${luaKeyFunctions(channels)}
-- The checks after the token, in their documented order, and the bet's writes: a refusal, or nil
-- once the bet is booked. \`got\` is the MGET below, \`w\` the wallet's HMGET (WALLET_FIELDS' order),
-- \`rate\` the bucket after this bet's token: the wallet hash is written once, here or by the caller.
-- \`k\` holds the bet's keys the MGET read.
local function checkAndBook(k, a, got, w, rate)
  if got[2] ~= '1' then return {'cache_not_ready'} end
  local prior = got[3]
  if prior then
    local sep = string.find(prior, '|', 1, true)
    if string.sub(prior, 1, sep - 1) == ARGV[a + ${A.fingerprint}] then return {'duplicate', string.sub(prior, sep + 1)} end
    return {'idempotency_conflict'}
  end
  -- An operator's freeze (tapctl freeze) refuses every new bet of the wallet (a retry of one admitted
  -- before the freeze still gets its original answer above).
  if got[7] then return {'wallet_frozen'} end
  -- Redis' clock once a bet, not once a call: the batcher checks the lead against the entry's
  -- stream id (batcher bet-bounds.ts), and a later bet of a long call (a preempted Redis) would be
  -- appended past a clock read at the call's start, and dead-lettered after its 202.
  local clock = redis.call('TIME')
  local redisNowMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  local t0 = tonumber(ARGV[a + ${A.t0}])
  if t0 - redisNowMs < tonumber(ARGV[a + ${A.leadMs}]) then return {'cell_not_placeable', 'starts_too_soon'} end
  local stake = tonumber(ARGV[a + ${A.stakeMicros}])
  local payout = tonumber(ARGV[a + ${A.payoutMicros}])
  local balance, exposure, openBets = tonumber(w[1] or '0'), tonumber(w[2] or '0'), tonumber(w[3] or '0')
  if balance < stake then return {'insufficient_funds'} end
  -- An operator's (or the edge monitor's) lowered limit for this wallet (tapctl limit) caps its open
  -- potential payout below the per-trader one. A value that does not parse caps it at 0: fail closed.
  local userPayoutMax = userPayoutMicrosMax
  if got[8] then
    local parsed, limit = pcall(cjson.decode, got[8])
    local cap = parsed and type(limit) == 'table' and tonumber(limit['openPayoutMicrosMax']) or 0
    if cap < userPayoutMax then userPayoutMax = cap end
  end
  -- got[4..6] are the cell, column and total exposures, in the order of their maxima.
  if tonumber(got[4] or '0') + payout > cellMicrosMax then return {'exposure_limit', 'cell'} end
  if tonumber(got[5] or '0') + payout > columnMicrosMax then return {'exposure_limit', 'column'} end
  if tonumber(got[6] or '0') + payout > totalMicrosMax then return {'exposure_limit', 'total'} end
  if exposure + payout > userPayoutMax then return {'exposure_limit', 'user_payout'} end
  if openBets + 1 > userOpenBetsMax then return {'exposure_limit', 'user_open_bets'} end
  -- The wallet's four values in one write. Integers well below 2^53 (micro-dollars), so the Lua
  -- doubles are exact; '%d' writes them as the integers HINCRBY (the batcher) reads.
  redis.call('HSET', k.wallet, 'balance', string.format('%d', balance - stake),
    'exposure', string.format('%d', exposure + payout), 'openbets', string.format('%d', openBets + 1), 'rate', rate)
  -- A cell or column key gets its expiry when this bet creates it; later bets only add to it.
  if redis.call('INCRBY', k.cell, payout) == payout then redis.call('PEXPIREAT', k.cell, ARGV[a + ${A.exposureExpireAtMs}]) end
  if redis.call('INCRBY', k.column, payout) == payout then redis.call('PEXPIREAT', k.column, ARGV[a + ${A.exposureExpireAtMs}]) end
  redis.call('INCRBY', exposureTotalKey, payout)
  local entry, betId = ARGV[a + ${A.entryJson}], ARGV[a + ${A.betId}]
  redis.call('XADD', betsStreamKey, '*', 'd', entry)
  redis.call('SET', pendingKey(betId), ARGV[a + ${A.userId}], 'EX', pendingTtlS)
  -- The record (idempotency-record.ts): fingerprint|betId|termsJson, the terms cut from the end of
  -- the entry (\`{…,"terms":<terms>}\`, betEntryJson), or fingerprint|betId|next_print.
  local termsBytes = tonumber(ARGV[a + ${A.termsBytes}])
  local tail = 'next_print'
  if termsBytes > 0 then tail = string.sub(entry, -termsBytes - 1, -2) end
  redis.call('SET', k.idempotency, ARGV[a + ${A.fingerprint}] .. '|' .. betId .. '|' .. tail,
    'PXAT', string.format('%d', t0 + idempotencyAfterT0Ms))
  return nil
end
local function admitOne(a)
  local user, t0 = ARGV[a + ${A.userId}], ARGV[a + ${A.t0}]
  local k = { idempotency = idempotencyKey(user, ARGV[a + ${A.clientBetId}]), wallet = walletKey(user),
    cell = cellKey(t0, ARGV[a + ${A.p0}]), column = columnKey(t0) }
  -- Every value the checks need in two reads (a redis.call costs more than a key): the strings in
  -- one MGET, the wallet's hash in one HMGET. The script is atomic, so reading before the token is
  -- taken decides nothing differently. The operator's keys are strings (tapctl SETs them).
  local got = redis.call('MGET', fillDelayKey(user), cacheReadyKey, k.idempotency, k.cell, k.column,
    exposureTotalKey, frozenKey(user), walletLimitKey(user))
  local w = redis.call('HMGET', k.wallet, 'balance', 'exposure', 'openbets', 'rate')
  -- A wallet an operator or the edge monitor delayed (tapctl delay) must be admitted with an entry
  -- built for that delay: answer the delay before anything is taken, and ingest-api builds it
  -- (place-bet.ts). A value that does not parse delays the most: fail closed.
  local delay = 0
  if got[1] then
    local parsed, value = pcall(cjson.decode, got[1])
    delay = parsed and type(value) == 'table' and tonumber(value['prints']) or ${FILL_DELAY_PRINTS_MAX}
  end
  if delay ~= tonumber(ARGV[a + ${A.delayPrints}]) then return {'fill_delay', tostring(delay)} end
  local waitMs, rate = takeToken(w[4], tonumber(ARGV[a + ${A.receivedAtMs}]), ratePerS, burst)
  local refusal = {'rate_limited', tostring(waitMs)}
  if waitMs == 0 then refusal = checkAndBook(k, a, got, w, rate) end
  if refusal == nil then return {'ok'} end
  -- Refused: only the token is spent (a refused bet takes its token, as an admitted one does).
  redis.call('HSET', k.wallet, 'rate', rate)
  return refusal
end
local answers = {}
for i = 0, #ARGV / ${ARG_NAMES.length} - 1 do
  local verdict = admitOne(i * ${ARG_NAMES.length})
  answers[#answers + 1] = verdict[1]
  answers[#answers + 1] = verdict[2] or ''
end
return answers
`;

/** Lifetime of the pending marker, s: a bound on a leak only (the batcher deletes it on apply). */
const PENDING_TTL_S = 86_400;

export interface ExposureLimits {
  cellMicros: number;
  columnMicros: number;
  totalMicros: number;
  userPayoutMicros: number;
  userOpenBets: number;
}

export interface Admission {
  userId: string;
  clientBetId: string;
  betId: string;
  t0: number;
  p0: number;
  stakeMicros: number;
  payoutMicros: number;
  fingerprint: string;
  /** The BetEntry JSON appended to tap:bets (`betEntryJson`: a receipt bet's terms come last). */
  entryJson: string;
  /**
   * The UTF-8 byte length of the terms JSON that ends `entryJson` (before its closing brace) when the
   * 202 carries the terms; 0 for a next-tick bet. The idempotency record (`encodeAnswer`) is
   * `fingerprint|betId|` + those bytes, or `fingerprint|betId|next_print`: the script cuts them from
   * the entry instead of getting the terms twice. The record expires at `t0 + IDEMPOTENCY_AFTER_T0_MS`.
   */
  termsBytes: number;
  /** When the cell and column exposure keys may expire (after the window is settled). */
  exposureExpireAtMs: number;
  /** The server receive time: the rate-limit bucket's clock. */
  receivedAtMs: number;
  /** SPEC §3 lead: the cell must start at least this long after Redis's own clock, ms. */
  leadMs: number;
  /** The wallet's fill delay the entry was built for (`nextPrint.delayPrints`); 0 or absent: none. */
  delayPrints?: number;
}

export type AdmitResult =
  | { ok: true }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number }
  | { ok: true; duplicate: true; answer: string }
  | {
      ok: false;
      code: 'service_unavailable' | 'idempotency_conflict' | 'insufficient_funds' | 'wallet_frozen';
    }
  | { ok: false; code: 'exposure_limit'; limit: string }
  | { ok: false; code: 'cell_not_placeable'; reason: string }
  /** The wallet's fill delay differs from the entry's: rebuild the entry for `prints` and admit again. */
  | { ok: false; code: 'fill_delay'; prints: number };

/** No keys (the script builds them), then every bet's values in ARG_NAMES' order. */
type AdmitCall = (values: (string | number)[]) => Promise<string[]>;

/** One bet a call: what admission did before batching (tests that count calls use it). */
export const ONE_BET_A_CALL: AdmissionBatching = { betsMax: 1, callsInFlightMax: Number.MAX_SAFE_INTEGER };

export function createAdmission(
  redis: Redis,
  channels: Channels,
  limits: ExposureLimits,
  rateLimit: TokenBucketRule,
  batching: AdmissionBatching = ONE_BET_A_CALL,
): (a: Admission) => Promise<AdmitResult> {
  const constants: ScriptConstants = {
    cellMicrosMax: limits.cellMicros,
    columnMicrosMax: limits.columnMicros,
    totalMicrosMax: limits.totalMicros,
    userPayoutMicrosMax: limits.userPayoutMicros,
    userOpenBetsMax: limits.userOpenBets,
    pendingTtlS: PENDING_TTL_S,
    ratePerS: rateLimit.ratePerS,
    burst: rateLimit.burst,
    idempotencyAfterT0Ms: IDEMPOTENCY_AFTER_T0_MS,
  };
  // The script's text holds the configuration and the key prefix, so the command is named after
  // it: two admissions on one client (tests: two prefixes) must not replace each other's script.
  const lua = admitScript(constants, channels);
  const name = `tapAdmitBets${createHash('sha1').update(lua).digest('hex').slice(0, 16)}`;
  redis.defineCommand(name, { lua, numberOfKeys: 0 });
  const scripted = redis as unknown as Record<string, AdmitCall>;
  const admitAll = async (batch: Admission[]): Promise<AdmitResult[]> => {
    const values: (string | number)[] = [];
    for (const a of batch) for (const argOf of ARG_VALUES) values.push(argOf(a));
    const answers = await scripted[name]!(values);
    return batch.map((_, i) => verdictOf(answers[2 * i], answers[2 * i + 1] || undefined));
  };
  if (batching.betsMax <= 1) return async (a) => (await admitAll([a]))[0]!;
  return batchCalls(admitAll, batching);
}

function verdictOf(verdict: string | undefined, detail: string | undefined): AdmitResult {
  switch (verdict) {
    case 'ok':
      return { ok: true };
    case 'rate_limited':
      return { ok: false, code: 'rate_limited', retryAfterMs: Number(detail) };
    case 'duplicate':
      return { ok: true, duplicate: true, answer: detail ?? '' };
    case 'cache_not_ready':
      return { ok: false, code: 'service_unavailable' };
    case 'exposure_limit':
      return { ok: false, code: 'exposure_limit', limit: detail ?? 'unknown' };
    case 'cell_not_placeable':
      return { ok: false, code: 'cell_not_placeable', reason: detail ?? 'starts_too_soon' };
    case 'fill_delay':
      return { ok: false, code: 'fill_delay', prints: Number(detail) };
    case 'idempotency_conflict':
    case 'insufficient_funds':
    case 'wallet_frozen':
      return { ok: false, code: verdict };
    default:
      throw new Error(`admission script answered ${String(verdict)}`);
  }
}

export type Admit = ReturnType<typeof createAdmission>;

/** Each script value of a bet, by name (`ARG_NAMES`), without an object a bet. */
const ARG_OF: Record<ArgName, (a: Admission) => string | number> = {
  userId: (a) => a.userId,
  clientBetId: (a) => a.clientBetId,
  betId: (a) => a.betId,
  fingerprint: (a) => a.fingerprint,
  entryJson: (a) => a.entryJson,
  termsBytes: (a) => a.termsBytes,
  stakeMicros: (a) => a.stakeMicros,
  payoutMicros: (a) => a.payoutMicros,
  t0: (a) => a.t0,
  p0: (a) => a.p0,
  receivedAtMs: (a) => a.receivedAtMs,
  leadMs: (a) => a.leadMs,
  exposureExpireAtMs: (a) => a.exposureExpireAtMs,
  delayPrints: (a) => a.delayPrints ?? 0,
};
const ARG_VALUES = ARG_NAMES.map((name) => ARG_OF[name]);
