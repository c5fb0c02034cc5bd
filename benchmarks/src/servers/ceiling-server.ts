/**
 * Ceiling servers (a child process): what the admission path would cost with nothing in it.
 *
 *   node --import tsx ceiling-server.ts <port> http             read the body, answer 202
 *   node --import tsx ceiling-server.ts <port> stream <redis>   the same plus one XADD of the body
 *
 * Same route, headers and body as POST /v1/bets, the same uWS build (via @tap/uws), JSON-parsed
 * body and a 202 body of the same shape, so the difference to ingest-api is the admission logic.
 * Prints `ceiling.listening` when ready; SIGTERM closes it.
 */
import { randomUUID } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { Redis } from 'ioredis';
import { betApp, serveUntilSigterm } from './bet-route.js';

const [portArg, mode = 'http', redisUrl] = process.argv.slice(2);
const redis = mode === 'stream' ? new Redis(redisUrl!, { enableAutoPipelining: true }) : undefined;
const stream = createChannels('tap:').streams.bets;

const app = betApp(({ res, auth, body: raw, aborted }) => {
  const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  const answer = () => {
    if (aborted()) return;
    const text = JSON.stringify({
      betId: randomUUID(),
      status: 'pending',
      multiplierBp: 20_000,
      auth: auth.length,
      body,
    });
    res.cork(() => {
      res.writeStatus('202 Accepted').writeHeader('content-type', 'application/json').end(text);
    });
  };
  if (!redis) return answer();
  redis.xadd(stream, '*', 'd', JSON.stringify(body)).then(answer, (err: unknown) => {
    if (aborted()) return;
    res.cork(() => res.writeStatus('503 Service Unavailable').end(String(err)));
  });
});

await serveUntilSigterm(app, Number(portArg), 'ceiling', () => redis?.disconnect(), mode);
