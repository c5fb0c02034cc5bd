/**
 * The chaos runner's stand-in for systemd: the units say `Restart=on-failure`, `RestartSec=1`
 * (systemd/tap-*.service), so every daemon that exits — killed by an injection, or crashed by one
 * (a daemon that loses Redis may exit 1 on purpose) — is started again 1 s later with the same
 * environment. Restarts beyond the runner's own kills are counted as collateral.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonName, Stack } from '@tap/benchmarks/stack/stack';

export const RESTART_SEC_MS = 1_000;
const POLL_MS = 100;

export interface Supervisor {
  /** Restarts per daemon since the supervisor started. */
  restarts(): Record<string, number>;
  stop(): Promise<void>;
}

export function superviseAsSystemd(
  stack: Stack,
  daemons: readonly DaemonName[],
  log: (message: string) => void,
): Supervisor {
  const restarts: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const name of daemons) {
        if (stopped || stack.isRunning(name)) continue;
        await sleep(RESTART_SEC_MS);
        if (stopped) break;
        restarts[name] = (restarts[name] ?? 0) + 1;
        if (!(await stack.restartDaemon(name))) log(`${name} not healthy after its restart`);
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    restarts: () => ({ ...restarts }),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Polls until every daemon runs and answers its health endpoint; the elapsed ms, or null on timeout. */
export async function waitAllHealthy(
  stack: Stack,
  daemons: readonly DaemonName[],
  sinceMs: number,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const states = await Promise.all(
      daemons.map(async (d) => stack.isRunning(d) && (await stack.healthy(d))),
    );
    if (states.every(Boolean)) return Math.round(performance.now() - sinceMs);
    await sleep(POLL_MS);
  }
  return null;
}
