/**
 * ceiling-stream: the stream ceiling — the HTTP ceiling plus one awaited ioredis XADD of the body
 * to `tap:bets` (real redis-server, infra/redis.conf, appendfsync everysec) before the 202. The
 * least any design that persists a bet in Redis before answering can cost.
 */
import type { Scenario } from '../src/scenario.js';
import { SERVER_RATES, searchServer } from '../src/server-search.js';

export const ceilingStream: Scenario = {
  name: 'ceiling-stream',
  title: 'Stream ceiling: bare uWS + one XADD, answering 202',
  description:
    'The HTTP ceiling server plus one awaited XADD of the bet to tap:bets before answering 202 (redis-server with ' +
    `infra/redis.conf). Same search: 6 s steps at ${SERVER_RATES.join(', ')}/s, best step confirmed for 12 s; the stream ` +
    'length must equal the 202 count.',
  run: (ctx) =>
    searchServer(ctx, {
      script: 'ceiling-server.ts',
      readyPrefix: 'ceiling.listening',
      redis: true,
      args: (port, env) => [String(port), 'stream', env.redisUrl],
      count: async ({ stack }) => stack!.redis.xlen(stack!.channels.streams.bets),
    }),
};
