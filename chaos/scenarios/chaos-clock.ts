/**
 * chaos-clock (issue 20): the wall clock of ingest-api, the resolver and the batcher in turn is
 * stepped by +5 s and −5 s (libfaketime) under load; after each phase the full audit, and at the
 * end no bet settled against the wrong window (src/clock-steps.ts); while ingest-api's clock
 * is stepped, login's ±30 s is probed with real sign-ins (src/login-skew.ts).
 */

import { emptyOutcome, fail, type Scenario } from '@tap/benchmarks/scenario';
import { type DaemonName, LOGIN_DOMAIN, LOGIN_URI } from '@tap/benchmarks/stack/stack';
import {
  type FaultRow,
  faultTable,
  headlineOf,
  openChaosStack,
  restartNote,
  runPhase,
} from '../src/chaos-run.js';
import { fakeTimeAvailable, LIBFAKETIME, stepClock, windowProblems } from '../src/clock-steps.js';
import { probeLoginSkew } from '../src/login-skew.js';

const LOGIN_SITE = { domain: LOGIN_DOMAIN, uri: LOGIN_URI };
const STEPPED: readonly DaemonName[] = ['ingest-api', 'resolver', 'batcher'];
const FULL = { ratePerS: 200, phaseMs: 40_000 };
const QUICK = { ratePerS: 100, phaseMs: 20_000 };

export const chaosClock: Scenario = {
  name: 'chaos-clock',
  title: 'Chaos: clock steps of ±5 s on one daemon at a time',
  description:
    `The whole stack with 100 wallets at ${FULL.ratePerS} bets/s; ${STEPPED.join(', ')} in turn restarted under ` +
    'libfaketime and its wall clock stepped +5 s, −5 s, back to 0 every 4 s for the phase, then restarted on the real ' +
    'clock; the full audit after each phase, and every won bet decided by a print in its window (or the print in effect ' +
    `at t0), every lost one by a print at or after its end. --quick: ${QUICK.phaseMs / 1000} s phases.`,
  async run(ctx) {
    const outcome = emptyOutcome();
    if (!fakeTimeAvailable()) {
      fail(outcome, `${LIBFAKETIME} is missing: run scripts/setup.sh (it installs faketime)`);
      return outcome;
    }
    const shape = ctx.options.quick ? QUICK : FULL;
    const chaos = await openChaosStack(ctx);
    try {
      outcome.notes.push(...chaos.bets.notes);
      const rows: FaultRow[] = [];
      const login = { answered: 0, problems: [] as string[] };
      const probeLogin = async () => {
        const round = await probeLoginSkew(chaos.bets.stack.apiUrl, LOGIN_SITE);
        login.answered += round.answered;
        login.problems.push(...round.problems);
      };
      for (const daemon of STEPPED) {
        rows.push(
          await runPhase(
            ctx,
            chaos,
            { fault: `clock ±5 s on ${daemon}`, ratePerS: shape.ratePerS, durationMs: shape.phaseMs },
            (untilMs) =>
              stepClock(
                chaos.bets.stack,
                daemon,
                ctx.outDir,
                untilMs,
                daemon === 'ingest-api' ? probeLogin : undefined,
              ),
            outcome,
          ),
        );
      }
      if (login.answered === 0)
        fail(outcome, 'no login probe was answered while ingest-api was on a stepped clock');
      if (login.problems.length > 0)
        fail(
          outcome,
          `login's ±30 s did not hold under ±5 s steps: ${login.problems.slice(0, 5).join('; ')}`,
        );
      const windows = windowProblems(chaos.bets.stack.dataDir);
      if (windows.wrong > 0)
        fail(
          outcome,
          `${windows.wrong} bets settled against the wrong window: ${windows.samples.join('; ')}`,
        );
      outcome.tables.push(
        faultTable('Clock steps', rows, [
          ...restartNote(chaos.supervisor.restarts()),
          `Injections are clock steps (+5 s, −5 s, back to 0, 4 s each). Settled bets checked against their window: ${windows.settled}, wrong: ${windows.wrong}.`,
          `Login's ±30 s on ingest-api's stepped clock, three real sign-ins per step (issued now: 200; 40 s ago: 401 message_expired; 40 s ahead: 401 message_from_future): ${login.answered} answered (503s not counted), ${login.problems.length} wrong.`,
        ]),
      );
      outcome.headline = headlineOf(rows);
    } finally {
      await chaos.close();
    }
    return outcome;
  },
};
