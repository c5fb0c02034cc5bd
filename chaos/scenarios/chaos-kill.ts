/**
 * chaos-kill (issue 20, SPEC §12 "0 lost or doubly applied under kill -9 of any daemon"): each
 * daemon in turn is killed with SIGKILL repeatedly under steady load and restarted as systemd
 * would (RestartSec=1); after each daemon's phase the full audit. `--quick` is the CI subset.
 */

import { emptyOutcome, type Scenario } from '@tap/benchmarks/scenario';
import {
  ALL_DAEMONS,
  faultTable,
  headlineOf,
  openChaosStack,
  restartNote,
  runPhase,
} from '../src/chaos-run.js';
import { killDaemonRepeatedly } from '../src/injectors.js';

const FULL = { killsPerDaemon: 9, ratePerS: 200, phaseMs: 70_000 };
const QUICK = { killsPerDaemon: 2, ratePerS: 100, phaseMs: 14_000 };

export const chaosKill: Scenario = {
  name: 'chaos-kill',
  title: 'Chaos: kill -9 of each daemon in turn under load',
  description:
    `The whole stack (ingest-api, batcher, resolver, ws-gateway, price-ingest, health-monitor, Redis) with 100 wallets; ` +
    `for each daemon a phase of ${FULL.ratePerS} bets/s open loop during which it is killed with SIGKILL ` +
    `${FULL.killsPerDaemon} times (${FULL.killsPerDaemon * ALL_DAEMONS.length} kills), 0.5–2 s after it last recovered, and ` +
    'restarted 1 s after each exit (systemd RestartSec=1); then a drain and the full audit. Recovery: kill → every daemon ' +
    `healthy again. --quick: ${QUICK.killsPerDaemon} kills per daemon at ${QUICK.ratePerS} bets/s.`,
  async run(ctx) {
    const shape = ctx.options.quick ? QUICK : FULL;
    const outcome = emptyOutcome();
    const chaos = await openChaosStack(ctx);
    try {
      outcome.notes.push(...chaos.bets.notes);
      const rows = [];
      for (const daemon of ALL_DAEMONS) {
        rows.push(
          await runPhase(
            ctx,
            chaos,
            { fault: `kill -9 ${daemon}`, ratePerS: shape.ratePerS, durationMs: shape.phaseMs },
            (untilMs) => killDaemonRepeatedly(chaos.bets.stack, daemon, shape.killsPerDaemon, untilMs),
            outcome,
          ),
        );
      }
      outcome.tables.push(
        faultTable('kill -9 of each daemon', rows, restartNote(chaos.supervisor.restarts())),
      );
      outcome.headline = headlineOf(rows);
    } finally {
      await chaos.close();
    }
    return outcome;
  },
};
