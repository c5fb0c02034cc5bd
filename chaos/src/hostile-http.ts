/**
 * Hostile HTTP (issue 20): requests no client should send, straight at ingest-api's uWS port and
 * through nginx. Each must get a 4xx (a coded `{error}` body from ingest-api, nginx's own page from
 * nginx) or a closed connection — never a 2xx or 5xx — and afterwards the daemon still runs with the
 * same PID and answers its health check, and Redis and SQLite hold exactly what they held before.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readSegments } from '@tap/benchmarks/audit/collect';
import type { ResultTable } from '@tap/benchmarks/scenario';
import type { Stack } from '@tap/benchmarks/stack/stack';
import { type RawOutcome, type RawRequest, rawExchange, repeated } from './raw-http.js';

const MB = 1024 * 1024;
const VALID_BET = {
  clientBetId: '6c1f5a2e-8b7d-4c3e-9f10-2a3b4c5d6e7f',
  t0: 0,
  p0: 0,
  stakeMicros: 1_000_000,
  minMultiplierBp: 10_500,
};

interface HostileCase {
  name: string;
  request(host: string, token: string): RawRequest;
}

const head = (method: string, path: string, host: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** A POST with a body given as text or bytes (Content-Length = its length unless overridden). */
function post(path: string, body: string | Buffer, token: string, lengthOverride?: number) {
  return (host: string): RawRequest => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'content-length': lengthOverride ?? bytes.length,
    };
    return { chunks: [head('POST', path, host, headers), bytes], timeoutMs: 5_000 };
  };
}

const betWith = (override: string) => JSON.stringify(VALID_BET).replace(/}$/, `,${override}}`);

export function hostileCases(options: { slowMs: number }): HostileCase[] {
  const bet = (body: string | Buffer, length?: number) => (host: string, token: string) =>
    post('/v1/bets', body, token, length)(host);
  const login = (body: string) => (host: string, token: string) => post('/v1/auth/login', body, token)(host);
  return [
    { name: 'malformed JSON', request: bet('{"clientBetId": "x", ') },
    {
      name: 'truncated body (Content-Length 400, 20 bytes sent)',
      request: (host, token) => ({
        ...bet(JSON.stringify(VALID_BET).slice(0, 20), 400)(host, token),
        timeoutMs: 2_000,
      }),
    },
    { name: 'body of 1 MB', request: bet('x'.repeat(MB)) },
    {
      name: 'body of 100 MB (streamed)',
      request: (host, token) => ({
        chunks: (async function* () {
          yield head('POST', '/v1/bets', host, {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'content-length': 100 * MB,
          });
          yield* repeated(100 * MB);
        })(),
        timeoutMs: 15_000,
      }),
    },
    {
      name: 'invalid UTF-8 in a string',
      request: bet(
        Buffer.concat([Buffer.from('{"clientBetId":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
      ),
    },
    { name: 'huge number (1e400)', request: bet(JSON.stringify(VALID_BET).replace('1000000', '1e400')) },
    {
      name: 'number beyond 2^64',
      request: bet(JSON.stringify(VALID_BET).replace('1000000', '36893488147419103232')),
    },
    { name: 'negative stake', request: bet(JSON.stringify({ ...VALID_BET, stakeMicros: -1_000_000 })) },
    { name: 'NaN literal', request: bet(JSON.stringify(VALID_BET).replace('1000000', 'NaN')) },
    { name: 'float stake', request: bet(JSON.stringify({ ...VALID_BET, stakeMicros: 1.5 })) },
    { name: 'unknown field', request: bet(betWith('"admin":true')) },
    { name: 'prototype pollution field', request: bet(betWith('"__proto__":{"isAdmin":true}')) },
    { name: 'deeply nested JSON', request: bet(`${'['.repeat(1_500)}${']'.repeat(1_500)}`) },
    { name: 'login: malformed JSON', request: login('{"message":') },
    {
      name: 'login: unknown fields',
      request: login(JSON.stringify({ message: 'm', signature: '0x00', admin: 1 })),
    },
    {
      name: 'login: 1 MB message',
      request: login(JSON.stringify({ message: 'm'.repeat(MB), signature: '0x' })),
    },
    {
      name: '10,000 headers',
      request: (host, token) => {
        const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, 'v']));
        return {
          chunks: [head('GET', '/v1/me', host, { authorization: `Bearer ${token}`, ...many })],
          timeoutMs: 5_000,
        };
      },
    },
    {
      name: 'URL of 100 KB',
      request: (host) => ({
        chunks: [head('GET', `/v1/bets/${'a'.repeat(100 * 1024)}`, host, {})],
        timeoutMs: 5_000,
      }),
    },
    {
      name: 'header value of 64 KB',
      request: (host) => ({
        chunks: [head('GET', '/v1/me', host, { authorization: `Bearer ${'a'.repeat(65_536)}` })],
        timeoutMs: 5_000,
      }),
    },
    {
      name: 'binary garbage',
      request: () => ({ chunks: [Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])], timeoutMs: 3_000 }),
    },
    {
      name: 'slowloris headers (1 byte per 500 ms)',
      request: (host) => ({
        chunks: [...head('GET', '/v1/me', host, { 'x-slow': 'a'.repeat(1_000) })],
        paceMs: 500,
        timeoutMs: options.slowMs,
      }),
    },
    {
      name: 'slowloris body (1 byte per 500 ms)',
      request: (host, token) => {
        const [headers, body] = post('/v1/bets', JSON.stringify(VALID_BET), token)(host).chunks as [
          string,
          Buffer,
        ];
        return {
          chunks: [headers, ...[...body].map((b) => Buffer.from([b]))],
          paceMs: 500,
          timeoutMs: options.slowMs,
        };
      },
    },
  ];
}

export interface HostileRow {
  target: string;
  request: string;
  outcome: string;
  ok: boolean;
}

/** 4xx or a closed connection is a pass; a truncated or slow request may also stay unanswered. */
export function judge(outcome: RawOutcome): boolean {
  if (outcome.kind !== 'answered') return true;
  return outcome.status >= 400 && outcome.status < 500;
}

export function describeOutcome(outcome: RawOutcome): string {
  if (outcome.kind === 'answered') return `${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
  if (outcome.kind === 'closed') return `closed by the server (${outcome.bytesSent} B sent)`;
  return `no answer before the deadline (${outcome.bytesSent} B sent)`;
}

/** The hostile catalogue against one port; slowloris cases run alongside a probe that must answer. */
export async function attack(
  target: { name: string; port: number },
  token: string,
  slowMs: number,
  probe: () => Promise<boolean>,
): Promise<HostileRow[]> {
  const rows: HostileRow[] = [];
  for (const hostile of hostileCases({ slowMs })) {
    const slow = hostile.name.startsWith('slowloris');
    const exchange = rawExchange(target.port, hostile.request(`127.0.0.1:${target.port}`, token));
    let probeOk = true;
    if (slow) {
      await sleep(slowMs / 2);
      probeOk = await probe();
    }
    const outcome = await exchange;
    rows.push({
      target: target.name,
      request: hostile.name,
      outcome: `${describeOutcome(outcome)}${slow ? `; a normal request meanwhile ${probeOk ? 'answered' : 'FAILED'}` : ''}`,
      ok: judge(outcome) && probeOk,
    });
  }
  return rows;
}

/**
 * What hostile requests must not change: the last ids of the bet and adjustment streams (their
 * lengths shrink as the batcher trims), the keys of every family a request could create (nonces and
 * rate-limit buckets also expire meanwhile, so only new keys count), the balances in Redis, and the
 * bets and balances in SQLite. `changes(before, after)` names what differs.
 */
export interface StateSnapshot {
  values: Record<string, number | string>;
  keys: Set<string>;
}

export async function snapshotState(stack: Stack): Promise<StateSnapshot> {
  const { redis, channels } = stack;
  const p = channels.prefix;
  const keys = new Set<string>();
  for (const family of ['idem:', 'session:', 'nonce:', 'pending:', 'ratelimit:', 'wallet:']) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${p}${family}*`, 'COUNT', 1_000);
      for (const key of found) keys.add(key);
      cursor = next;
    } while (cursor !== '0');
  }
  const walletKeys = [...keys].filter((k) => k.startsWith(`${p}wallet:0x`));
  const balances = await Promise.all(walletKeys.map((key) => redis.hget(key, 'balance')));
  const sqlite = readSegments(stack.dataDir);
  return {
    keys,
    values: {
      'tap:bets last id': await lastId(stack, channels.streams.bets),
      'tap:adjustments last id': await lastId(stack, channels.streams.adjustments),
      'Redis balance total': balances.reduce((sum, v) => sum + Number(v ?? 0), 0),
      'SQLite bets': sqlite.sqliteBets.length,
      'SQLite balance total': sqlite.balances.reduce((sum, u) => sum + u.balance, 0),
    },
  };
}

/** The stream's last generated id: it stays when the batcher trims the entries away. */
async function lastId(stack: Stack, stream: string): Promise<string> {
  if ((await stack.redis.exists(stream)) === 0) return 'none';
  const info = (await stack.redis.xinfo('STREAM', stream)) as unknown[];
  return String(info[info.indexOf('last-generated-id') + 1]);
}

/** What differs: changed values, and keys that exist now and did not before. */
export function changes(before: StateSnapshot, after: StateSnapshot): string[] {
  const changed = Object.keys(before.values)
    .filter((k) => before.values[k] !== after.values[k])
    .map((k) => `${k} ${before.values[k]} → ${after.values[k]}`);
  const created = [...after.keys].filter((k) => !before.keys.has(k));
  if (created.length) changed.push(`${created.length} new keys (e.g. ${created.slice(0, 3).join(', ')})`);
  return changed;
}

export function hostileTable(title: string, rows: readonly HostileRow[], notes: string[]): ResultTable {
  return {
    title,
    columns: ['target', 'request', 'outcome', 'verdict'],
    rows: rows.map((r) => [r.target, r.request, r.outcome, r.ok ? 'pass' : 'FAIL']),
    notes,
  };
}
