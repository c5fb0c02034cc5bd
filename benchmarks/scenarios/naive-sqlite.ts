/**
 * naive-sqlite: the design we did not build — one synchronous SQLite write transaction per request
 * (stake debit + bet + hash-chained ledger row, WAL, synchronous=FULL, default autocheckpoint)
 * behind the same uWS server, answering 202 after COMMIT. No Redis, no batching.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Scenario } from '../src/scenario.js';
import { searchServer } from '../src/server-search.js';

const RATES = [500, 1_000, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 7_500, 10_000];

export const naiveSqlite: Scenario = {
  name: 'naive-sqlite',
  title: 'Naive design: one synchronous SQLite transaction per request',
  description:
    'The same uWS server and request, but each bet is its own SQLite write transaction (conditional debit, bet row, ' +
    'hash-chained ledger row; WAL, synchronous=FULL) committed before the 202. Same search as the ceilings (6 s steps at ' +
    `${RATES.join(', ')}/s); the bets table must hold one row per 202.`,
  run: (ctx) =>
    searchServer(ctx, {
      rates: RATES,
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
    }),
};
