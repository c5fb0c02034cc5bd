/**
 * The naive design (a child process): the same uWS server and POST /v1/bets, but each request is
 * one synchronous SQLite write transaction — debit the stake, insert the bet, append the hash-chained
 * ledger row — with WAL and synchronous=FULL, answered 202 after COMMIT. No Redis, no batching.
 *
 *   node --import tsx naive-sqlite-server.ts <port> <db path> <wallets.json> <fund micros>
 *
 * wallets.json is [{userId, token}]: sessions are an in-memory map (the naive design's cheapest
 * possible session check). Prints `naive.listening` when ready; SIGTERM closes it.
 */
import { readFileSync } from 'node:fs';
import { testUlid } from '@tap/testkit/standalone';
import { openBetWriter } from '../sqlite/bet-writer.js';
import { betApp, serveUntilSigterm } from './bet-route.js';

const [portArg, dbPath, walletsPath, fundArg] = process.argv.slice(2);
const wallets = JSON.parse(readFileSync(walletsPath!, 'utf8')) as { userId: string; token: string }[];
const writer = openBetWriter(dbPath!, 'FULL');
writer.transaction(() => {
  for (const w of wallets) writer.credit(w.userId, Number(fundArg), `fund-${w.userId}`);
});
const sessions = new Map(wallets.map((w) => [w.token, w.userId]));
let sequence = 0;

const app = betApp(({ res, auth, body: raw }) => {
  const userId = sessions.get(auth.slice('Bearer '.length));
  const reply = (status: string, body: unknown) =>
    res.cork(() =>
      res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body)),
    );
  if (!userId) return reply('401 Unauthorized', { error: 'session_invalid', message: 'unknown session' });
  const body = JSON.parse(raw.toString('utf8')) as Record<string, number | string>;
  const { clientBetId, t0, p0, stakeMicros } = body;
  if (typeof clientBetId !== 'string' || ![t0, p0, stakeMicros].every(Number.isSafeInteger)) {
    return reply('400 Bad Request', { error: 'invalid_body', message: 'bad bet' });
  }
  sequence += 1;
  const betId = testUlid(Date.now(), sequence);
  const bet = {
    betId,
    userId,
    clientBetId,
    t0: Number(t0),
    p0: Number(p0),
    stakeMicros: Number(stakeMicros),
    multiplierBp: 20_000,
    placedAt: Date.now(),
  };
  const accepted = writer.transaction(() => writer.applyBet(bet));
  reply('202 Accepted', { betId, status: accepted ? 'accepted' : 'rejected', multiplierBp: 20_000 });
});

await serveUntilSigterm(app, Number(portArg), 'naive', () => writer.close());
