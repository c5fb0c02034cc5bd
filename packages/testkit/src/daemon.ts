/**
 * Starting a built daemon (`services/<name>/dist/main.js`) as a child process for integration
 * tests, and waiting for its health endpoint.
 */

import { randomBytes } from 'node:crypto';
import { TEST_OPERATOR_KEY } from './fixtures.js';
import { type ProcessOptions, type Started, startProcess } from './process.js';
import { serviceEntry, unitNodeArgs } from './repo.js';

/** How the process is run, beyond the daemon's environment (the benchmark harness sets these). */
export interface DaemonOptions extends Pick<ProcessOptions, 'logPath' | 'linesMax' | 'stopGraceMs' | 'user'> {
  /** Node's own flags, before the entry (e.g. `--cpu-prof`), after those of the service's unit. */
  nodeArgs?: readonly string[];
  /**
   * A command that runs node, before it (e.g. `nsenter -t <pid> -U -m`: the daemon in another mount
   * namespace). It must exec node, not fork it: the started PID is then the daemon's, which is what
   * a stop or a kill signals.
   */
  prefix?: readonly string[];
}

export function startDaemon(
  service: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  options: DaemonOptions = {},
): Started {
  const { nodeArgs = [], prefix = [], ...processOptions } = options;
  const node = [process.execPath, ...unitNodeArgs(service), ...nodeArgs];
  const command = [...prefix, ...node, serviceEntry(service), ...args];
  return startProcess(command[0]!, command.slice(1), {
    ...processOptions,
    name: service,
    // Every test daemon holds the test operator key, so the batcher (which requires it) and tapctl
    // start as in production; a test can override it.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', OPERATOR_MAC_KEY: TEST_OPERATOR_KEY, ...env },
  });
}

/** A key prefix no other test uses, so tests can share one Redis. */
export function freshPrefix(): string {
  return `t${randomBytes(4).toString('hex')}:`;
}

/** Polls `url` until it answers 200 (returns the JSON body) or the timeout passes. */
export async function waitForHealthy(url: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms: ${last}`);
}

/**
 * A metric's value from a daemon's `/metrics` (Prometheus text), summed over its label sets — the
 * one value of a metric without labels of its own (every series carries `service`).
 */
export async function scrapeMetric(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
