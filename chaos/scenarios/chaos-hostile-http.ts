/**
 * chaos-hostile-http (issue 20, SPEC §5): hostile requests straight at ingest-api's uWS port and
 * through nginx on an otherwise idle stack: every one 4xx or closed, the daemon up, Redis and
 * SQLite unchanged (src/hostile-http.ts).
 */

import { emptyOutcome, type Scenario } from '@tap/benchmarks/scenario';
import { faultTable, headlineOf, openChaosStack } from '../src/chaos-run.js';
import { runHostilePhase } from '../src/hostile-phase.js';

export const chaosHostileHttp: Scenario = {
  name: 'chaos-hostile-http',
  title: 'Chaos: hostile HTTP straight at uWS and through nginx',
  description:
    'Malformed and truncated JSON, bodies of 1 MB and 100 MB, invalid UTF-8, huge / negative / NaN / float numbers, ' +
    'unknown and __proto__ fields, deep nesting, 10,000 headers, a 100 KB URL, a 64 KB header, binary garbage and ' +
    'slowloris headers and bodies (10 s; a normal request must still answer meanwhile), to POST /v1/bets, ' +
    'POST /v1/auth/login and GET /v1/me, straight at uWS and through nginx (nginx/tap.conf). --quick: slowloris 4 s.',
  async run(ctx) {
    const outcome = emptyOutcome();
    const chaos = await openChaosStack(ctx);
    try {
      outcome.notes.push(...chaos.bets.notes);
      const row = await runHostilePhase(ctx, chaos, outcome, ctx.options.quick ? 4_000 : 10_000);
      outcome.tables.unshift(faultTable('Hostile HTTP', [row]));
      outcome.headline = headlineOf([row]);
    } finally {
      await chaos.close();
    }
    return outcome;
  },
};
