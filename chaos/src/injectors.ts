/**
 * The faults the chaos scenarios inject, each bounded by a count and a deadline and each measuring
 * its recovery: from the injection (or the end of a stall) until every daemon runs and answers its
 * health endpoint again. Restarts are the supervisor's (systemd's RestartSec=1); Redis is started
 * again at once, as its own unit would (Restart=always, 100 ms).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonName, Stack } from '@tap/benchmarks/stack/stack';
import { ALL_DAEMONS, type Injected, jitter } from './chaos-run.js';
import { waitAllHealthy } from './supervisor.js';

const RECOVERY_TIMEOUT_MS = 60_000;
const REDIS_RESTART_MS = 100;

/** kill -9 of `name` up to `count` times, 0.5–2 s after the previous one recovered. */
export async function killDaemonRepeatedly(
  stack: Stack,
  name: DaemonName,
  count: number,
  untilMs: number,
): Promise<Injected> {
  const result: Injected = { injections: 0, recoveriesMs: [] };
  while (result.injections < count) {
    await sleep(jitter(500, 2_000));
    if (performance.now() > untilMs) break;
    const killedAt = performance.now();
    await stack.killDaemon(name);
    result.injections += 1;
    result.recoveriesMs.push(await waitAllHealthy(stack, ALL_DAEMONS, killedAt, RECOVERY_TIMEOUT_MS));
  }
  return result;
}

/** kill -9 of redis-server up to `count` times, started again 100 ms later on the same AOF. */
export async function killRedisRepeatedly(stack: Stack, count: number, untilMs: number): Promise<Injected> {
  const result: Injected = { injections: 0, recoveriesMs: [] };
  while (result.injections < count) {
    await sleep(jitter(2_000, 4_000));
    if (performance.now() > untilMs) break;
    const killedAt = performance.now();
    await stack.killRedis();
    result.injections += 1;
    await sleep(REDIS_RESTART_MS);
    await stack.startRedis();
    result.recoveriesMs.push(await waitAllHealthy(stack, ALL_DAEMONS, killedAt, RECOVERY_TIMEOUT_MS));
  }
  return result;
}

/**
 * SIGSTOP of redis-server for 2–10 s, then SIGCONT, up to `count` times; recovery counts from the
 * SIGCONT (the stall itself is the fault's length, not a recovery).
 */
export async function stallRedisRepeatedly(stack: Stack, count: number, untilMs: number): Promise<Injected> {
  const result: Injected = { injections: 0, recoveriesMs: [] };
  while (result.injections < count) {
    await sleep(jitter(2_000, 4_000));
    const stallMs = jitter(2_000, 10_000);
    if (performance.now() + stallMs > untilMs) break;
    stack.signal('redis', 'SIGSTOP');
    result.injections += 1;
    try {
      await sleep(stallMs);
    } finally {
      stack.signal('redis', 'SIGCONT');
    }
    const resumedAt = performance.now();
    result.recoveriesMs.push(await waitAllHealthy(stack, ALL_DAEMONS, resumedAt, RECOVERY_TIMEOUT_MS));
  }
  return result;
}
