/**
 * Clock steps (issue 20) with libfaketime (Debian's `faketime`, installed by scripts/setup.sh): a
 * daemon is restarted with libfaketime preloaded, reading its offset from a file it re-reads on
 * every clock call, so the runner steps that daemon's wall clock by ±5 s while the load runs
 * (monotonic clocks stay real: timers and intervals keep working). Afterwards the daemon is
 * restarted on the real clock. `windowProblems` then checks that no bet was settled against the
 * wrong window: a win's deciding print lies in its window (or is the print in effect at t0, ≤ 1 s
 * before it), a loss was decided by a print at or after the window's end.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonName, Stack } from '@tap/benchmarks/stack/stack';
import { listSegments, openSegmentReadOnly } from '@tap/domain';
import { ALL_DAEMONS, type Injected } from './chaos-run.js';
import { waitAllHealthy } from './supervisor.js';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const STEPS = ['+5s', '-5s', '+0s'];
const STEP_HOLD_MS = 4_000;

export const fakeTimeAvailable = () => existsSync(LIBFAKETIME);

/**
 * Restarts `name` on a fake clock, steps it ±5 s until `untilMs`, then restarts it on the real one.
 * `probe` runs halfway through each step (login-skew.ts for ingest-api).
 */
export async function stepClock(
  stack: Stack,
  name: DaemonName,
  dir: string,
  untilMs: number,
  probe?: () => Promise<void>,
): Promise<Injected> {
  const file = join(dir, `faketime-${name}`);
  writeFileSync(file, '+0s\n');
  const result: Injected = { injections: 0, recoveriesMs: [] };
  await restartWith(stack, name, {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME_TIMESTAMP_FILE: file,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  });
  for (let i = 0; performance.now() + STEP_HOLD_MS < untilMs - 6_000; i += 1) {
    writeFileSync(file, `${STEPS[i % STEPS.length]}\n`);
    result.injections += 1;
    const heldAt = performance.now();
    await sleep(STEP_HOLD_MS / 2);
    await probe?.();
    await sleep(Math.max(0, STEP_HOLD_MS - (performance.now() - heldAt)));
  }
  writeFileSync(file, '+0s\n');
  const restartedAt = performance.now();
  await restartWith(stack, name, {});
  result.recoveriesMs.push(await waitAllHealthy(stack, ALL_DAEMONS, restartedAt, 60_000));
  return result;
}

/** A kill with a new environment: the supervisor (systemd) starts it again with that one. */
async function restartWith(stack: Stack, name: DaemonName, env: Record<string, string>): Promise<void> {
  stack.setRestartEnv(name, env);
  const killedAt = performance.now();
  await stack.killDaemon(name);
  await waitAllHealthy(stack, ALL_DAEMONS, killedAt, 60_000);
}

interface SettledRow {
  id: string;
  t0: number;
  window_ms: number;
  status: string;
  evidence: string;
}

/** Bets settled against the wrong window (see the header), over every local segment. */
export function windowProblems(dataDir: string): { settled: number; wrong: number; samples: string[] } {
  const samples: string[] = [];
  let settled = 0;
  let wrong = 0;
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      const rows = db
        .prepare("SELECT id, t0, window_ms, status, evidence FROM bets WHERE status IN ('won', 'lost')")
        .all() as SettledRow[];
      for (const bet of rows) {
        settled += 1;
        const evidence = JSON.parse(bet.evidence) as { t?: number; closingPrint?: { t: number } };
        const end = bet.t0 + bet.window_ms;
        const ok =
          bet.status === 'won'
            ? evidence.t !== undefined && evidence.t >= bet.t0 - 1_000 && evidence.t < end
            : evidence.closingPrint !== undefined && evidence.closingPrint.t >= end;
        if (ok) continue;
        wrong += 1;
        if (samples.length < 5) samples.push(`${bet.id} ${bet.status}: ${bet.evidence}`);
      }
    } finally {
      db.close();
    }
  }
  return { settled, wrong, samples };
}
