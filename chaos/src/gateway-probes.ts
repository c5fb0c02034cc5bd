/**
 * What the storm reads from ws-gateway itself: its authenticated clients (/healthz), its counters
 * by label (/metrics), and its RSS over time (/proc, whichever process is current: the PID changes
 * at a restart). Each HTTP read is bounded by a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '@tap/benchmarks/stack/stack';
import { readProcMemory } from '@tap/testkit/standalone';

const POLL_MS = 250;
const MB = 1024 * 1024;

const gatewayUrl = (stack: Stack, path: string) =>
  stack.wsUrl.replace(/^ws:/, 'http:').replace(/\/v1\/ws$/, path);

/** Waits (≤ 60 s) until ws-gateway's /healthz counts `count` authenticated clients. */
export async function waitGatewayClients(stack: Stack, count: number): Promise<void> {
  const healthUrl = gatewayUrl(stack, '/healthz');
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    try {
      const health = (await (await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) })).json()) as {
        clients?: number;
      };
      if ((health.clients ?? 0) >= count) return;
    } catch {
      // not answering yet: poll again
    }
    await sleep(POLL_MS);
  }
}

/** ws-gateway's RSS every 250 ms, whichever process is current (the PID changes at the restart). */
export function sampleGatewayRss(stack: Stack): { current(): number; stop(): number } {
  const read = () => {
    const pid = stack.pids()['ws-gateway'];
    return pid ? (readProcMemory(pid)?.rssBytes ?? 0) / MB : 0;
  };
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, POLL_MS);
  return {
    current: () => Math.round(read()),
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, read()));
    },
  };
}

/** A counter's value per label value from the gateway's /metrics (`name{label="v"} n`). */
export async function gatewayCounter(stack: Stack, name: string): Promise<Record<string, number>> {
  const text = await (
    await fetch(gatewayUrl(stack, '/metrics'), { signal: AbortSignal.timeout(5_000) })
  ).text();
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const label = /="([^"]*)"/.exec(line)?.[1] ?? '';
    values[label] = (values[label] ?? 0) + Number(line.split(' ').at(-1));
  }
  return values;
}
