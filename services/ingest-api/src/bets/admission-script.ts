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
 * The keys the script only reads (the balance cache's ready flag — a constant of the script's text,
 * below — and the wallet's freeze, lowered limit and fill delay, passed as ARGV) are not KEYS: Redis ACLs treat a script's declared KEYS as
 * written, and ingest-api's ACL user may only read them (infra/redis-users.acl.in) — ingest-api must
 * not be able to mark the cache ready or lift a freeze or a limit. Redis still checks every key the
 * script touches against the user's rights, command by command; this is a single Redis, so
 * undeclared keys cost no cluster routing.
 *
 * One call may hold several bets (admission-batch.ts, issue 19): the script admits them in order,
 * each as if alone, and answers one verdict per bet; `createAdmission` without batching sends one
 * bet a call.
 *
 * The idempotency record (idempotency-record.ts) expires at `t0 + 60 s` (SPEC §6.2). The pending
 * marker is deleted by the batcher once the bet is applied; its 24 h expiry only bounds a leak if
 * the bet were never applied (admission refuses bets while the batcher lags, so they stay few).
 */
import assert from 'node:assert/strict';
import type { Channels } from '@tap/channels';
import { FILL_DELAY_PRINTS_MAX } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { TAKE_TOKEN_LUA, type TokenBucketRule } from '../rate-limit/token-bucket.js';
import { type AdmissionBatching, batchCalls } from './admission-batch.js';

/**
 * The script's KEYS and ARGV by name: each list is the order the values are passed in, and the Lua
 * text below reads `KEYS[${K.name}]` / `ARGV[${A.name}]`, so adding a check (a new key or argument,
 * anywhere in a list) cannot shift another one silently (issue 21).
 */
const KEY_NAMES = [
  'idempotency',
  'wallet',
  'exposureCell',
  'exposureColumn',
  'exposureTotal',
  'betsStream',
  'pendingBet',
] as const;
const ARG_NAMES = [
  'fingerprint',
  'answer',
  'stakeMicros',
  'payoutMicros',
  'exposureExpireAtMs',
  'entryJson',
  'userId',
  'receivedAtMs',
  't0',
  'leadMs',
  'idempotencyExpireAtMs',
  // Keys the script only reads (see the header).
  'frozenKey',
  'walletLimitKey',
  'fillDelayKey',
  // The wallet's fill delay the entry was built for (0: none), checked against fillDelayKey.
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
  cacheReadyKey: string;
}

function luaConstants(c: ScriptConstants): string {
  return Object.entries(c)
    .map(([name, value]) => `local ${name} = ${luaLiteral(value)}`)
    .join('\n');
}

function luaLiteral(value: number | string): string {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `admission script constant ${value}`);
    return String(value);
  }
  // Key names from @tap/channels: no quote, backslash or control character to escape in Lua.
  assert.match(value, /^[\x21-\x7e]+$/);
  assert.ok(!value.includes("'") && !value.includes('\\'), `admission script key ${value}`);
  return `'${value}'`;
}

type KeyName = (typeof KEY_NAMES)[number];
type ArgName = (typeof ARG_NAMES)[number];
const positions = <N extends string>(names: readonly N[]) =>
  Object.fromEntries(names.map((name, i) => [name, i + 1])) as Record<N, number>;
const K = positions(KEY_NAMES);
const A = positions(ARG_NAMES);

/**
 * The script admits the bets of one call in order, each exactly as if it were alone (its own token,
 * checks and writes; one refused bet does not refuse the others), and answers a flat list of
 * `verdict, detail` pairs, one pair per bet (`''` when a verdict has no detail: a Lua nil would
 * end the list). Bet i's keys are `KEYS[i·KEY_COUNT + 1 …]`, its values `ARGV[i·ARG_COUNT + 1 …]`.
 */
const admitScript = (constants: ScriptConstants) => `${TAKE_TOKEN_LUA}
${luaConstants(constants)}
-- The checks after the token, in their documented order, and the bet's writes: a refusal, or nil
-- once the bet is booked. \`got\` is the MGET below, \`w\` the wallet's HMGET (WALLET_FIELDS' order),
-- \`rate\` the bucket after this bet's token: the wallet hash is written once, here or by the caller.
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
  local clock = redis.call('TIME')
  local redisNowMs = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  if tonumber(ARGV[a + ${A.t0}]) - redisNowMs < tonumber(ARGV[a + ${A.leadMs}]) then return {'cell_not_placeable', 'starts_too_soon'} end
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
  redis.call('HSET', KEYS[k + ${K.wallet}], 'balance', string.format('%d', balance - stake),
    'exposure', string.format('%d', exposure + payout), 'openbets', string.format('%d', openBets + 1), 'rate', rate)
  -- A cell or column key gets its expiry when this bet creates it; later bets only add to it.
  local cellKey, columnKey = KEYS[k + ${K.exposureCell}], KEYS[k + ${K.exposureColumn}]
  if redis.call('INCRBY', cellKey, payout) == payout then redis.call('PEXPIREAT', cellKey, ARGV[a + ${A.exposureExpireAtMs}]) end
  if redis.call('INCRBY', columnKey, payout) == payout then redis.call('PEXPIREAT', columnKey, ARGV[a + ${A.exposureExpireAtMs}]) end
  redis.call('INCRBY', KEYS[k + ${K.exposureTotal}], payout)
  redis.call('XADD', KEYS[k + ${K.betsStream}], '*', 'd', ARGV[a + ${A.entryJson}])
  redis.call('SET', KEYS[k + ${K.pendingBet}], ARGV[a + ${A.userId}], 'EX', pendingTtlS)
  redis.call('SET', KEYS[k + ${K.idempotency}], ARGV[a + ${A.fingerprint}] .. '|' .. ARGV[a + ${A.answer}], 'PXAT', ARGV[a + ${A.idempotencyExpireAtMs}])
  return nil
end
local function admitOne(k, a)
  -- Every value the checks need in two reads (a redis.call costs more than a key): the strings in
  -- one MGET, the wallet's hash in one HMGET. The script is atomic, so reading before the token is
  -- taken decides nothing differently. The operator's keys are strings (tapctl SETs them).
  local got = redis.call('MGET', ARGV[a + ${A.fillDelayKey}], cacheReadyKey, KEYS[k + ${K.idempotency}],
    KEYS[k + ${K.exposureCell}], KEYS[k + ${K.exposureColumn}], KEYS[k + ${K.exposureTotal}],
    ARGV[a + ${A.frozenKey}], ARGV[a + ${A.walletLimitKey}])
  local w = redis.call('HMGET', KEYS[k + ${K.wallet}], 'balance', 'exposure', 'openbets', 'rate')
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
  redis.call('HSET', KEYS[k + ${K.wallet}], 'rate', rate)
  return refusal
end
local answers = {}
for i = 0, #KEYS / ${KEY_NAMES.length} - 1 do
  local verdict = admitOne(i * ${KEY_NAMES.length}, i * ${ARG_NAMES.length})
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
  /** What a retry's answer needs, stored after the fingerprint (`encodeAnswer`). */
  answer: string;
  /** When the idempotency record expires: `t0 + IDEMPOTENCY_AFTER_T0_MS`. */
  idempotencyExpireAtMs: number;
  /** The BetEntry JSON appended to tap:bets. */
  entryJson: string;
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

interface AdmitRedis extends Redis {
  /** numkeys first (a call holds several bets' keys), then the keys, then the values. */
  tapAdmitBets(numKeys: number, ...args: (string | number)[]): Promise<string[]>;
}

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
    cacheReadyKey: channels.keys.balanceCacheReady,
  };
  redis.defineCommand('tapAdmitBets', { lua: admitScript(constants) });
  const scripted = redis as AdmitRedis;
  const admitAll = async (batch: Admission[]): Promise<AdmitResult[]> => {
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const a of batch) {
      const keyValues = scriptKeys(channels, a);
      const argValues = scriptArgs(channels, a);
      for (const name of KEY_NAMES) keys.push(keyValues[name]);
      for (const name of ARG_NAMES) args.push(argValues[name]);
    }
    const answers = await scripted.tapAdmitBets(keys.length, ...keys, ...args);
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

function scriptKeys({ keys, streams }: Channels, a: Admission): Record<KeyName, string> {
  return {
    idempotency: keys.idempotency(a.userId, a.clientBetId),
    wallet: keys.wallet(a.userId),
    exposureCell: keys.exposureCell(a.t0, a.p0),
    exposureColumn: keys.exposureColumn(a.t0),
    exposureTotal: keys.exposureTotal,
    betsStream: streams.bets,
    pendingBet: keys.pendingBet(a.betId),
  };
}

function scriptArgs({ keys }: Channels, a: Admission): Record<ArgName, string | number> {
  return {
    fingerprint: a.fingerprint,
    answer: a.answer,
    stakeMicros: a.stakeMicros,
    payoutMicros: a.payoutMicros,
    exposureExpireAtMs: a.exposureExpireAtMs,
    entryJson: a.entryJson,
    userId: a.userId,
    receivedAtMs: a.receivedAtMs,
    t0: a.t0,
    leadMs: a.leadMs,
    idempotencyExpireAtMs: a.idempotencyExpireAtMs,
    frozenKey: keys.frozen(a.userId),
    walletLimitKey: keys.walletLimit(a.userId),
    fillDelayKey: keys.fillDelay(a.userId),
    delayPrints: a.delayPrints ?? 0,
  };
}
