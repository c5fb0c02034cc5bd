import { startRedis, type TestRedis } from '@tap/testkit';
import { Wallet } from 'ethers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  loginAs,
  newWallet,
  postJson,
  signedLogin,
  siweMessage,
  startTestApi,
  type TestApi,
} from '../testing.js';

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  // The global login budget has its own test below; the replay tests send 1,100 logins.
  api = await startTestApi(redisServer, { LOGIN_RATE_PER_S: '100000', LOGIN_BURST: '100000' });
});
afterAll(async () => {
  await api.stop();
  redis.disconnect();
  await redisServer.stop();
});

const keysUnderPrefix = (prefix: string) => redis.keys(`${prefix}*`);
const sessionKeys = () => redis.keys(`${api.prefix}session:*`);

describe('POST /v1/auth/login refuses', () => {
  const wallet = newWallet();
  const cases: [string, () => Promise<{ message: string; signature: string }>][] = [
    [
      'malformed_message',
      async () => ({ message: 'hello', signature: await wallet.signMessage({ message: 'hello' }) }),
    ],
    ['domain_mismatch', () => signedLogin(wallet, { domain: 'evil.test' })],
    ['uri_mismatch', () => signedLogin(wallet, { uri: 'https://evil.test' })],
    ['chain_not_allowed', () => signedLogin(wallet, { chainId: 137 })],
    ['message_expired', () => signedLogin(wallet, { issuedAt: new Date(Date.now() - 31_000) })],
    ['message_from_future', () => signedLogin(wallet, { issuedAt: new Date(Date.now() + 31_000) })],
    ['message_expired', () => signedLogin(wallet, { expirationTime: new Date(Date.now() - 1_000) })],
    ['message_from_future', () => signedLogin(wallet, { notBefore: new Date(Date.now() + 10_000) })],
    [
      'nonce_invalid',
      async () => {
        const message = siweMessage(wallet).replace(/Nonce: \w+/, 'Nonce: abc123');
        return { message, signature: await wallet.signMessage({ message }) };
      },
    ],
    [
      'malformed_message',
      async () => {
        // A signature the wallet made over other text that merely contains a sign-in message.
        const message = `Approve transfer of 1000 USDC\n\n${siweMessage(wallet)}`;
        return { message, signature: await wallet.signMessage({ message }) };
      },
    ],
    [
      'malformed_message',
      async () => {
        const message = siweMessage(wallet).replace(wallet.address, wallet.address.toLowerCase());
        return { message, signature: await wallet.signMessage({ message }) };
      },
    ],
    ['signature_invalid', async () => ({ message: siweMessage(wallet), signature: '0x1234' })],
    [
      'address_mismatch',
      async () => {
        const message = siweMessage(wallet);
        return { message, signature: await newWallet().signMessage({ message }) };
      },
    ],
  ];
  it.each(cases)('%s, with a clear message and no session', async (code, build) => {
    const res = await postJson(api, '/v1/auth/login', await build());
    expect(res.body.error).toBe(code);
    expect(typeof res.body.message).toBe('string');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await sessionKeys()).toEqual([]);
  });
});

describe('login replay protection', () => {
  it('turns one signed message replayed 1,000 times sequentially and 100 times concurrently into one session', async () => {
    const login = await signedLogin(newWallet());
    const before = (await sessionKeys()).length;
    const statuses: number[] = [];
    const concurrent = await Promise.all(
      Array.from({ length: 100 }, () => postJson(api, '/v1/auth/login', login)),
    );
    statuses.push(...concurrent.map((r) => r.status));
    for (let i = 0; i < 1_000; i += 1) statuses.push((await postJson(api, '/v1/auth/login', login)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1_099);
    expect((await sessionKeys()).length - before).toBe(1);
    const again = await postJson(api, '/v1/auth/login', login);
    expect(again.body.error).toBe('nonce_reused');
  }, 60_000);

  it('accepts a message issued 29 s ago or 29 s ahead', async () => {
    for (const offsetMs of [-29_000, 29_000]) {
      const res = await postJson(
        api,
        '/v1/auth/login',
        await signedLogin(newWallet(), { issuedAt: new Date(Date.now() + offsetMs) }),
      );
      expect(res.status).toBe(200);
    }
  });

  it('keeps the nonce for 90 s, not longer', async () => {
    const wallet = newWallet();
    const login = await signedLogin(wallet, { nonce: 'ttlcheck12345678' });
    expect((await postJson(api, '/v1/auth/login', login)).status).toBe(200);
    const ttl = await redis.ttl(`${api.prefix}nonce:${wallet.address.toLowerCase()}:ttlcheck12345678`);
    expect(ttl).toBeGreaterThan(85);
    expect(ttl).toBeLessThanOrEqual(90);
  });
});

describe('sessions', () => {
  it('answers /v1/me for the address that signed in, never another', async () => {
    const alice = newWallet();
    const bob = newWallet();
    const aliceToken = await loginAs(api, alice);
    const bobToken = await loginAs(api, bob);
    expect((await getJson(api, '/v1/me', aliceToken)).body).toMatchObject({
      address: alice.address,
      availableMicros: 0,
    });
    expect((await getJson(api, '/v1/me', bobToken)).body).toMatchObject({ address: bob.address });
  });

  it('stores only the token hash, with a 24 h TTL', async () => {
    const res = await postJson(api, '/v1/auth/login', await signedLogin(newWallet()));
    const token = res.body.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = await sessionKeys();
    expect(keys.some((k) => k.includes(token))).toBe(false);
    const { createHash } = await import('node:crypto');
    const key = `${api.prefix}session:${createHash('sha256').update(token).digest('hex')}`;
    expect(await redis.ttl(key)).toBeGreaterThan(86_390);
    expect(res.body.expiresAt).toBeGreaterThan(Date.now() + 86_390_000);
  });

  it('stops acting once the session key expires', async () => {
    const token = await loginAs(api, newWallet());
    const { createHash } = await import('node:crypto');
    await redis.pexpire(`${api.prefix}session:${createHash('sha256').update(token).digest('hex')}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await getJson(api, '/v1/me', token)).body.error).toBe('session_invalid');
  });

  it('keeps at most 10 sessions per wallet: the 11th login revokes the oldest', async () => {
    const wallet = newWallet();
    const userId = wallet.address.toLowerCase();
    const tokens: string[] = [];
    for (let i = 0; i < 11; i += 1) tokens.push(await loginAs(api, wallet));
    expect((await getJson(api, '/v1/me', tokens[0])).status).toBe(401);
    for (const token of tokens.slice(1)) expect((await getJson(api, '/v1/me', token)).status).toBe(200);
    expect(await redis.zcard(`${api.prefix}sessions:${userId}`)).toBe(10);
    const live = await Promise.all((await sessionKeys()).map((key) => redis.get(key)));
    expect(live.filter((owner) => owner === userId)).toHaveLength(10);
    expect(await redis.pttl(`${api.prefix}sessions:${userId}`)).toBeGreaterThan(86_000_000);
  });

  it('revokes the session on logout', async () => {
    const wallet = newWallet();
    const token = await loginAs(api, wallet);
    expect((await postJson(api, '/v1/auth/logout', {}, token)).status).toBe(200);
    expect(await redis.zcard(`${api.prefix}sessions:${wallet.address.toLowerCase()}`)).toBe(0);
    expect((await getJson(api, '/v1/me', token)).status).toBe(401);
    expect((await postJson(api, '/v1/auth/logout', {}, token)).body.error).toBe('session_invalid');
  });

  it('refuses a missing or malformed token with session_invalid', async () => {
    expect((await getJson(api, '/v1/me')).body.error).toBe('session_invalid');
    expect((await getJson(api, '/v1/me', 'x'.repeat(43))).body.error).toBe('session_invalid');
  });
});

describe('interoperability', () => {
  it('logs in a message signed by ethers (an independent implementation)', async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address as `0x${string}` });
    const res = await postJson(api, '/v1/auth/login', {
      message,
      signature: await wallet.signMessage(message),
    });
    expect(res.status).toBe(200);
    expect(res.body.address).toBe(wallet.address);
  });

  it('refuses a one-byte change to the message or the signature', async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address as `0x${string}` });
    const signature = await wallet.signMessage(message);
    const tamperedMessage = message.replace('Issued At', 'Issued at');
    const flipped = signature.slice(0, 10) + (signature[10] === 'a' ? 'b' : 'a') + signature.slice(11);
    expect(
      (await postJson(api, '/v1/auth/login', { message: tamperedMessage, signature })).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await postJson(api, '/v1/auth/login', { message, signature: flipped })).status).toBe(401);
    expect((await postJson(api, '/v1/auth/login', { message, signature })).status).toBe(200);
  });
});

describe('bad requests never reach Redis', () => {
  const send = (body: string, contentType = 'application/json') =>
    fetch(`${api.baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it.each([
    ['an oversize body', 'x'.repeat(5_000), 'application/json', 413, 'body_too_large'],
    ['a non-JSON body', '{"message": ', 'application/json', 400, 'invalid_body'],
    ['a wrong content type', '{}', 'text/plain', 415, 'unsupported_media_type'],
    [
      'unknown fields',
      JSON.stringify({ message: 'm', signature: 's', admin: true }),
      'application/json',
      400,
      'invalid_body',
    ],
    ['wrong types', JSON.stringify({ message: 1, signature: 2 }), 'application/json', 400, 'invalid_body'],
  ])('answers %s with a clear 4xx and writes nothing', async (_name, body, type, status, code) => {
    const isolated = await startTestApi(redisServer);
    try {
      const before = await keysUnderPrefix(isolated.prefix); // the test batcher heartbeat only
      const res = await fetch(`${isolated.baseUrl}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: code });
      expect(await keysUnderPrefix(isolated.prefix)).toEqual(before);
    } finally {
      await isolated.stop();
    }
  });

  it('keeps working after a bad request on the same server', async () => {
    expect((await send('nope')).status).toBe(400);
    expect((await postJson(api, '/v1/auth/login', await signedLogin(newWallet()))).status).toBe(200);
  });
});

describe('login storm protection', () => {
  it('answers 503 login_busy past the global login rate, before any signature recovery', async () => {
    const limitedApi = await startTestApi(redisServer, { LOGIN_RATE_PER_S: '1', LOGIN_BURST: '3' });
    try {
      const logins = await Promise.all(Array.from({ length: 12 }, () => signedLogin(newWallet())));
      const results = await Promise.all(logins.map((login) => postJson(limitedApi, '/v1/auth/login', login)));
      const ok = results.filter((r) => r.status === 200).length;
      const busy = results.filter((r) => r.body.error === 'login_busy');
      expect(ok).toBeGreaterThanOrEqual(3);
      expect(ok).toBeLessThanOrEqual(5);
      expect(busy.length).toBe(12 - ok);
      expect([busy[0]?.status, busy[0]?.headers.get('retry-after')]).toEqual([503, '1']);
    } finally {
      await limitedApi.stop();
    }
  });

  it('answers 503 login_busy with Retry-After when the recovery queue is full', async () => {
    const busyApi = await startTestApi(redisServer, { LOGIN_WORKERS: '1', LOGIN_QUEUE_MAX: '0' });
    try {
      const logins = await Promise.all(Array.from({ length: 150 }, () => signedLogin(newWallet())));
      const results = await Promise.all(logins.map((login) => postJson(busyApi, '/v1/auth/login', login)));
      const busy = results.filter((r) => r.body.error === 'login_busy');
      expect(busy.length).toBeGreaterThan(0);
      expect(busy[0]?.status).toBe(503);
      expect(busy[0]?.headers.get('retry-after')).toBe('1');
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    } finally {
      await busyApi.stop();
    }
  });
});
