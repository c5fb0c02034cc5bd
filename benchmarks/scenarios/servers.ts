/**
 * The designs set beside the bet path, one experiment with three servers (a plan table, not three
 * files): each server runs as a child process behind the same POST /v1/bets requests and the same
 * open-loop rate search (src/server-search.ts), and must have stored one bet per 202 where it
 * stores anything.
 *
 * - `ceiling-http`: a bare uWS server (same build, same route) that reads and JSON-parses the body
 *   and answers 202 — the rate this machine can push through HTTP at all, with the load generator on
 *   the same cores.
 * - `ceiling-stream`: the same plus one awaited ioredis XADD of the body to `tap:bets` (real
 *   redis-server, infra/redis.conf, appendfsync everysec) before the 202 — the least any design
 *   that persists a bet in Redis before answering can cost.
 * - `naive-sqlite`: the design we did not build — one synchronous SQLite write transaction per
 *   request (stake debit + bet + hash-chained ledger row, WAL, synchronous=FULL, default
 *   autocheckpoint) answering 202 after COMMIT. No Redis, no batching.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Scenario } from '../src/scenario.js';
import { SERVER_RATES, type ServerSpec, searchServer } from '../src/server-search.js';

const NAIVE_RATES = [500, 1_000, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 7_500, 10_000];
const SEARCH = (rates: readonly number[]) =>
  `6 s steps at ${rates.join(', ')}/s until p99 > 100 ms, achieved < 97 % or errors ≥ 0.1 %; the best step is ` +
  'confirmed for 12 s';

const PLAN: readonly (Pick<Scenario, 'name' | 'title' | 'description'> & { spec: ServerSpec })[] = [
  {
    name: 'ceiling-http',
    title: 'HTTP ceiling: bare uWS answering 202',
    description:
      'A bare uWS server answering 202 to the same POST /v1/bets request (body read and JSON-parsed). Open-loop ' +
      `${SEARCH(SERVER_RATES)} with 2 load threads, then repeated with 1 load thread (what one generator thread can send).`,
    spec: {
      script: 'ceiling-server.ts',
      readyPrefix: 'ceiling.listening',
      redis: false,
      oneWorkerCheck: true,
      args: (port) => [String(port), 'http'],
    },
  },
  {
    name: 'ceiling-stream',
    title: 'Stream ceiling: bare uWS + one XADD, answering 202',
    description:
      'The HTTP ceiling server plus one awaited XADD of the bet to tap:bets before answering 202 (redis-server with ' +
      `infra/redis.conf). Same search: ${SEARCH(SERVER_RATES)}; the stream length must equal the 202 count.`,
    spec: {
      script: 'ceiling-server.ts',
      readyPrefix: 'ceiling.listening',
      redis: true,
      args: (port, env) => [String(port), 'stream', env.redisUrl],
      count: async ({ stack }) => stack!.redis.xlen(stack!.channels.streams.bets),
    },
  },
  {
    name: 'naive-sqlite',
    title: 'Naive design: one synchronous SQLite transaction per request',
    description:
      'The same uWS server and request, but each bet is its own SQLite write transaction (conditional debit, bet row, ' +
      `hash-chained ledger row; WAL, synchronous=FULL) committed before the 202. ${SEARCH(NAIVE_RATES)}; the bets ` +
      'table must hold one row per 202.',
    spec: {
      rates: NAIVE_RATES,
      script: 'naive-sqlite-server.ts',
      readyPrefix: 'naive.listening',
      redis: false,
      args: (port, env) => [
        String(port),
        join(env.outDir, 'naive.db'),
        env.walletsFile,
        String(1_000_000_000_000),
      ],
      count: async ({ outDir }) => {
        const path = join(outDir, 'naive.db');
        const db = new Database(path, { readonly: true });
        try {
          return (db.prepare('SELECT COUNT(*) AS n FROM bets').get() as { n: number }).n;
        } finally {
          db.close();
          // The database only served the count; hundreds of MB per run are not worth keeping.
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
        }
      },
    },
  },
];

export const [ceilingHttp, ceilingStream, naiveSqlite] = PLAN.map(
  ({ spec, ...scenario }): Scenario => ({ ...scenario, run: (ctx) => searchServer(ctx, spec) }),
) as [Scenario, Scenario, Scenario];
