/**
 * A small property-based fuzzer (fast-check, issue 20) over the bodies of `POST /v1/bets` and
 * `POST /v1/auth/login` against the real daemon: whatever arrives — arbitrary JSON, a valid body
 * with a field replaced or an extra one, text that is not JSON, raw bytes — the answer is a coded
 * error `{error, message}` whose status is its code's (never a 500), or a 202 for a bet that really
 * is valid; afterwards the bet stream holds exactly the 202'd bets, the balance cache is debited by
 * exactly their stakes, and no login created a nonce or a session. Bounded: RUNS cases per route,
 * a fixed seed per run printed on failure.
 */
import { randomUUID } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { ERROR_CODES, type ErrorCode, statusOf } from '@tap/domain';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundInCache, loginAs, newWallet, nextCell, startTestApi, type TestApi } from '../testing.js';

const RUNS = 150;
const FUND_MICROS = 1_000_000_000;

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;
let token: string;
let userId: string;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startTestApi(redisServer, {
    RATE_LIMIT_PER_S: '100000',
    RATE_LIMIT_BURST: '100000',
    USER_OPEN_BETS_MAX: '100000',
    PRINT_AGE_MS_MAX: '5000',
    BREAKER_HEARTBEAT_AGE_MS_MAX: '10000',
  });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
  const wallet = newWallet();
  token = await loginAs(api, wallet);
  userId = wallet.address.toLowerCase();
  await fundInCache(redis, api.prefix, userId, FUND_MICROS);
}, 60_000);
afterAll(async () => {
  await market.stop();
  await api.stop();
  redis.disconnect();
  await redisServer.stop();
});

async function post(path: string, body: string | Uint8Array) {
  const res = await fetch(`${api.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

/** A coded error with its code's status, never a 500; or `okStatus` when given. */
function expectCoded(res: { status: number; body: Record<string, unknown> }, okStatus?: number) {
  if (okStatus !== undefined && res.status === okStatus) return;
  const code = res.body.error as ErrorCode;
  expect(Object.keys(ERROR_CODES)).toContain(code);
  expect(res.status).toBe(statusOf(code));
  expect(res.status).not.toBe(500);
  expect(typeof res.body.message).toBe('string');
}

const json = fc.jsonValue({ maxDepth: 3 });
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 53, 2 ** 64, 1e308, -0),
  fc.bigInt().map(String),
);
/** Anything that may stand for a field's value. */
const anyValue = fc.oneof(json, number, fc.string({ maxLength: 40 }));

function validBet() {
  return {
    clientBetId: randomUUID(),
    ...nextCell(9_500_000),
    stakeMicros: 1_000_000,
    minMultiplierBp: 10_500,
  };
}

/** A bet body: valid, with one field replaced, with an extra field, any JSON, not JSON, or bytes. */
const betBody = fc.oneof(
  fc.constant(null).map(() => JSON.stringify(validBet())),
  fc
    .tuple(fc.constantFrom('clientBetId', 't0', 'p0', 'stakeMicros', 'minMultiplierBp'), anyValue)
    .map(([field, value]) => JSON.stringify({ ...validBet(), [field]: value })),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 20 }), anyValue)
    .map(([field, value]) => JSON.stringify({ ...validBet(), [field]: value })),
  json.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
);

const loginBody = fc.oneof(
  fc
    .record({ message: fc.string({ maxLength: 400 }), signature: fc.stringMatching(/^0x[0-9a-f]{0,140}$/) })
    .map((body) => JSON.stringify(body)),
  fc.record({ message: anyValue, signature: anyValue }).map((body) => JSON.stringify(body)),
  json.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
);

describe('fuzzed request bodies (fast-check)', () => {
  it(`POST /v1/bets answers ${RUNS} fuzzed bodies with a coded error or a 202, and only 202s reach Redis`, async () => {
    const admitted: string[] = [];
    const refused = new Set<string>();
    await fc.assert(
      fc.asyncProperty(betBody, async (body) => {
        const res = await post('/v1/bets', typeof body === 'string' ? body : Buffer.from(body));
        expectCoded(res, 202);
        if (res.status === 202) admitted.push(String(res.body.betId));
        else refused.add(String(res.body.error));
      }),
      { numRuns: RUNS },
    );
    expect(refused.has('invalid_body')).toBe(true);
    const channels = createChannels(api.prefix);
    expect(await redis.xlen(channels.streams.bets)).toBe(admitted.length);
    const stakes = admitted.length * 1_000_000;
    expect(Number(await redis.hget(channels.keys.wallet(userId), 'balance'))).toBe(FUND_MICROS - stakes);
  }, 120_000);

  it(`POST /v1/auth/login answers ${RUNS} fuzzed bodies with a coded error and creates no nonce or session`, async () => {
    const channels = createChannels(api.prefix);
    const count = async (family: string) => (await redis.keys(`${channels.prefix}${family}:*`)).length;
    const before = { nonces: await count('nonce'), sessions: await count('session') };
    await fc.assert(
      fc.asyncProperty(loginBody, async (body) => {
        const res = await post('/v1/auth/login', typeof body === 'string' ? body : Buffer.from(body));
        expectCoded(res);
      }),
      { numRuns: RUNS },
    );
    expect({ nonces: await count('nonce'), sessions: await count('session') }).toEqual(before);
  }, 120_000);
});
