/**
 * chaos-ci (issue 20): the short chaos subset CI runs (scripts/test.sh) — on one stack, two kill -9s
 * of each daemon, one kill -9 of Redis, a WebSocket storm of 1,000 clients (chaos-ws-storm's
 * --quick, shorter), then the hostile HTTP catalogue; then, on a second stack whose data directory
 * is a small tmpfs (chaos-disk), one disk full held 6 s; the full audit after each phase. About 3
 * minutes on the busy dev machine (180 s); exits 1 on any failure.
 */

import { emptyOutcome, type Scenario } from '@tap/benchmarks/scenario';
import {
  ALL_DAEMONS,
  type FaultRow,
  faultTable,
  headlineOf,
  openChaosStack,
  restartNote,
  runPhase,
} from '../src/chaos-run.js';
import { runHostilePhase } from '../src/hostile-phase.js';
import { killDaemonRepeatedly, killRedisRepeatedly } from '../src/injectors.js';
import { runStormPhase } from '../src/ws-storm.js';
import { runDiskPhase } from './chaos-disk.js';
import { STORM_QUICK, stormTable } from './chaos-ws-storm.js';

const RATE_PER_S = 60;
const KILLS_PER_DAEMON = 2;
const PHASE_MS = 10_000;
const SLOWLORIS_MS = 3_000;
const STORM = { ...STORM_QUICK, ratePerS: RATE_PER_S, phaseMs: 15_000 };
const DISK = { injections: 1, holdMs: 6_000, ratePerS: RATE_PER_S, phaseMs: 15_000, sizeMb: 64 };

export const chaosCi: Scenario = {
  name: 'chaos-ci',
  title:
    'Chaos, CI subset: kills of each daemon, one Redis kill, a WebSocket storm, hostile HTTP, a full disk',
  description:
    `One stack, ${RATE_PER_S} bets/s: ${KILLS_PER_DAEMON} kill -9s of each daemon (restarted 1 s later, as systemd), ` +
    `one kill -9 of Redis (appendfsync everysec), ${STORM.clients.toLocaleString('en-US')} WebSocket clients resuming at once ` +
    `after a kill -9 of ws-gateway with ${STORM.slowReaders} slow readers after, then hostile HTTP straight at uWS and through nginx ` +
    `(slowloris ${SLOWLORIS_MS / 1000} s); then a second stack on a ${DISK.sizeMb} MB tmpfs whose disk is filled once for ` +
    `${DISK.holdMs / 1000} s (chaos-disk); the full audit after each phase.`,
  async run(ctx) {
    const outcome = emptyOutcome();
    const chaos = await openChaosStack(ctx);
    const rows: FaultRow[] = [];
    try {
      outcome.notes.push(...chaos.bets.notes);
      const phase = (fault: string) => ({ fault, ratePerS: RATE_PER_S, durationMs: PHASE_MS });
      for (const daemon of ALL_DAEMONS) {
        rows.push(
          await runPhase(
            ctx,
            chaos,
            phase(`kill -9 ${daemon}`),
            (untilMs) => killDaemonRepeatedly(chaos.bets.stack, daemon, KILLS_PER_DAEMON, untilMs),
            outcome,
          ),
        );
      }
      rows.push(
        await runPhase(
          ctx,
          chaos,
          phase('kill -9 redis (appendfsync everysec)'),
          (untilMs) => killRedisRepeatedly(chaos.bets.stack, 1, untilMs),
          outcome,
        ),
      );
      const storm = await runStormPhase(ctx, chaos, STORM, outcome);
      rows.push(storm.row);
      rows.push(await runHostilePhase(ctx, chaos, outcome, SLOWLORIS_MS));
      outcome.tables.unshift(
        faultTable('Faults', rows, restartNote(chaos.supervisor.restarts())),
        stormTable(storm.figures),
      );
    } finally {
      await chaos.close();
    }
    const disk = await runDiskPhase(ctx, DISK, outcome);
    outcome.tables.splice(1, 0, faultTable('Disk full (a stack of its own)', [disk.row], disk.notes));
    outcome.headline = headlineOf([...rows, disk.row]);
    return outcome;
  },
};
