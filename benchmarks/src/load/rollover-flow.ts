/**
 * The `rollover` scenario's load (scenarios/rollover.ts): bets with what admission's Lua script does
 * to Redis (reserve, exposure, XADD; no checks), a steady flow of them, the admission → accepted
 * delay of each from the stream ids, and the batcher's roll-over log lines.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BetEntry } from '@tap/domain';
import { ADMISSION_REPLIES, queueAdmission, testUlid } from '@tap/testkit/standalone';
import type { Stack } from '../stack/stack.js';

export const RATE_PER_S = 1_000;
const TICK_MS = 10;

export function aBet(userId: string, nowMs: number, i: number): BetEntry {
  // The last column inside the pricing horizon (60 s; the batcher dead-letters a bet beyond it). No
  // resolver runs and the scenario raises the dead-man grace, so the bets stay open and are carried.
  const t0 = Math.ceil((nowMs + 55_000) / 5_000) * 5_000;
  const multiplierBp = 20_000;
  return {
    ...{ betId: testUlid(nowMs, i), userId, clientBetId: randomUUID(), t0, p0: 9_500_000 + (i % 7) * 1_000 },
    ...{ windowMs: 5_000, bandCents: 1_000, stakeMicros: 1_000_000, multiplierBp, placedAt: nowMs },
    terms: {
      ...{ indexPriceCents: 9_500_000, printId: 1, sigma: 0.0001, tau1Ms: 55_000, tau2Ms: 60_000 },
      ...{ probability: 0.45, g: 0.01, multiplierBp, configVersion: 'bench' },
    },
  };
}

/** What admission's Lua script does for a bet, without its checks: reserve, book, XADD. Returns the stream ids. */
export async function admit(stack: Stack, bets: readonly BetEntry[]): Promise<string[]> {
  const pipeline = stack.redis.pipeline();
  for (const bet of bets) queueAdmission(pipeline, stack.channels, bet);
  const results = (await pipeline.exec()) ?? [];
  return results
    .filter((_, i) => i % ADMISSION_REPLIES === ADMISSION_REPLIES - 1)
    .map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
}

export async function admitMany(stack: Stack, users: readonly string[], count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const bets = Array.from({ length: Math.min(1_000, count - start) }, (_, j) =>
      aBet(users[(start + j) % users.length]!, Date.now(), start + j),
    );
    await admit(stack, bets);
    ids.push(...bets.map((b) => b.betId));
  }
  return ids;
}

/** RATE_PER_S bets/s in ticks of TICK_MS until `untilMs()`; bet id → its tap:bets id. */
export async function flow(
  stack: Stack,
  users: readonly string[],
  untilMs: () => number,
): Promise<Map<string, string>> {
  const streamIds = new Map<string, string>();
  const perTick = (RATE_PER_S * TICK_MS) / 1_000;
  const startedAt = Date.now();
  for (let tick = 0; Date.now() < untilMs(); tick += 1) {
    const bets = Array.from({ length: perTick }, (_, j) =>
      aBet(users[Math.floor(Math.random() * users.length)]!, Date.now(), 1_000_000 + tick * perTick + j),
    );
    const ids = await admit(stack, bets);
    for (const [j, bet] of bets.entries()) streamIds.set(bet.betId, ids[j]!);
    const nextAt = startedAt + (tick + 1) * TICK_MS;
    if (nextAt > Date.now()) await sleep(nextAt - Date.now());
  }
  return streamIds;
}

export async function acceptedDelays(stack: Stack, flowed: ReadonlyMap<string, string>) {
  const delays: { admittedAtMs: number; ms: number }[] = [];
  let from = '-';
  for (;;) {
    const page = (await stack.redis.xrange(stack.channels.streams.events, from, '+', 'COUNT', 5_000)) as [
      string,
      string[],
    ][];
    for (const [id, fields] of page) {
      const event = JSON.parse(fields[fields.indexOf('d') + 1]!) as {
        type: string;
        status?: string;
        betId?: string;
      };
      const admitted =
        event.type === 'bet' && event.status === 'accepted' ? flowed.get(event.betId!) : undefined;
      if (admitted === undefined) continue;
      const admittedAtMs = Number(admitted.split('-')[0]);
      delays.push({ admittedAtMs, ms: Number(id.split('-')[0]) - admittedAtMs });
    }
    if (page.length < 5_000) return delays;
    from = `(${page.at(-1)![0]}`;
  }
}

export interface RolloverDone {
  durationMs: number;
  pauseMs: number;
  slowestSliceMs: number;
  slowestSliceStep: string | null;
  users: number;
  carriedBets: number;
  /** When the batcher logged the roll-over's start (the cut) and its end. */
  startedAtMs: number;
  doneAtMs: number;
}

/**
 * The batcher's `rollover.done` line (the roll-over completes in slices after the switch), with the
 * times of it and of `rollover.started`; waited for.
 */
export async function rolloverDone(outDir: string, timeoutMs: number): Promise<RolloverDone | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = readFileSync(join(outDir, 'logs', 'batcher.log'), 'utf8').split('\n');
    const started = lines.find((line) => line.includes('"rollover.started"'));
    const done = lines.find((line) => line.includes('"rollover.done"'));
    if (started && done) {
      const timeOf = (line: string) => Date.parse((JSON.parse(line) as { time: string }).time);
      return { ...(JSON.parse(done) as RolloverDone), startedAtMs: timeOf(started), doneAtMs: timeOf(done) };
    }
    if (Date.now() > deadline) return undefined;
    await sleep(250);
  }
}
