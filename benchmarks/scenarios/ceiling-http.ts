/**
 * ceiling-http: the HTTP ceiling — a bare uWS server (same build, same route) that reads and
 * JSON-parses the POST /v1/bets body and answers 202. Nothing behind it: the rate this machine can
 * push through HTTP at all, with the load generator on the same cores.
 */
import type { Scenario } from '../src/scenario.js';
import { SERVER_RATES, searchServer } from '../src/server-search.js';

export const ceilingHttp: Scenario = {
  name: 'ceiling-http',
  title: 'HTTP ceiling: bare uWS answering 202',
  description:
    `A bare uWS server answering 202 to the same POST /v1/bets request (body read and JSON-parsed). Open-loop steps of 6 s at ` +
    `${SERVER_RATES.join(', ')}/s until p99 > 100 ms, achieved < 97 % or errors ≥ 0.1 %; the best step is confirmed for 12 s ` +
    'with 2 load threads, then repeated with 1 load thread (what one generator thread can send).',
  run: (ctx) =>
    searchServer(ctx, {
      script: 'ceiling-server.ts',
      readyPrefix: 'ceiling.listening',
      redis: false,
      oneWorkerCheck: true,
      args: (port) => [String(port), 'http'],
    }),
};
