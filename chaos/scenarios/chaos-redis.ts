/**
 * chaos-redis (issue 20, SPEC §6 Durability): kill -9 of redis-server under load with appendfsync
 * everysec and with always (a fresh stack each; Redis started again 100 ms later on its AOF), and
 * Redis stalled with SIGSTOP for 2–10 s. Counts 202'd bets lost (SPEC: 0 for a process crash) and
 * what the clients were answered meanwhile (admission: 503 within its timeout, never a hang).
 */

import { emptyOutcome, type Scenario } from '@tap/benchmarks/scenario';
import {
  type FaultRow,
  faultTable,
  headlineOf,
  openChaosStack,
  restartNote,
  runPhase,
} from '../src/chaos-run.js';
import { killRedisRepeatedly, stallRedisRepeatedly } from '../src/injectors.js';

const FULL = { kills: 5, stalls: 6, ratePerS: 200, killPhaseMs: 45_000, stallPhaseMs: 75_000 };
const QUICK = { kills: 1, stalls: 1, ratePerS: 100, killPhaseMs: 12_000, stallPhaseMs: 16_000 };
const MODES = [
  { label: 'everysec', redisArgs: [] as string[] },
  { label: 'always', redisArgs: ['--appendfsync', 'always'] },
];

export const chaosRedis: Scenario = {
  name: 'chaos-redis',
  title: 'Chaos: Redis killed (appendfsync everysec and always) and stalled under load',
  description:
    `The whole stack with 100 wallets at ${FULL.ratePerS} bets/s: Redis killed with SIGKILL ${FULL.kills} times with ` +
    `appendfsync everysec, then on a fresh stack ${FULL.kills} times with appendfsync always (started again 100 ms after ` +
    `each kill on the same AOF), then stalled with SIGSTOP for 2–10 s ${FULL.stalls} times; a drain and the full audit ` +
    'after each phase. Recovery: kill (or SIGCONT) → every daemon healthy again. ' +
    `--quick: ${QUICK.kills} kill per mode and ${QUICK.stalls} stall at ${QUICK.ratePerS} bets/s.`,
  async run(ctx) {
    const shape = ctx.options.quick ? QUICK : FULL;
    const outcome = emptyOutcome();
    const rows: FaultRow[] = [];
    for (const mode of MODES) {
      const chaos = await openChaosStack(ctx, mode.redisArgs);
      try {
        if (mode === MODES[0]) outcome.notes.push(...chaos.bets.notes.filter((n) => !n.startsWith('Redis:')));
        rows.push(
          await runPhase(
            ctx,
            chaos,
            {
              fault: `kill -9 redis (appendfsync ${mode.label})`,
              ratePerS: shape.ratePerS,
              durationMs: shape.killPhaseMs,
            },
            (untilMs) => killRedisRepeatedly(chaos.bets.stack, shape.kills, untilMs),
            outcome,
          ),
        );
        if (mode === MODES[0]) {
          rows.push(
            await runPhase(
              ctx,
              chaos,
              { fault: 'SIGSTOP redis 2–10 s', ratePerS: shape.ratePerS, durationMs: shape.stallPhaseMs },
              (untilMs) => stallRedisRepeatedly(chaos.bets.stack, shape.stalls, untilMs),
              outcome,
            ),
          );
        }
        outcome.notes.push(`appendfsync ${mode.label}: ${restartNote(chaos.supervisor.restarts())[0]}`);
      } finally {
        await chaos.close();
      }
    }
    const stall = outcome.loadRuns.find((r) => r.label.startsWith('SIGSTOP'));
    outcome.tables.push(
      faultTable('Redis killed and stalled', rows, [
        "A 503 store_unavailable (Redis slower than REDIS_COMMAND_TIMEOUT_MS = 1 s) leaves the bet's outcome unknown to the client; the audit counts it like a request without an answer.",
        ...(stall
          ? [
              `Slowest answer during the stall phase: ${stall.latency.maxMs} ms from its planned send time (p99 ${stall.latency.p99Ms} ms).`,
            ]
          : []),
      ]),
    );
    outcome.headline = headlineOf(rows);
    return outcome;
  },
};
