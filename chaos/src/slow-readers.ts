/**
 * Slow readers the gateway must drop within a bounded phase (issue 20). A paused socket is dropped
 * only once the kernel holds what it can (~3.9 MB on loopback here: the gateway's send buffer grows
 * to tcp_wmem's 4 MB whatever the reader's receive buffer — ~2.7 MB still with a 4 KB SO_RCVBUF) and
 * then its WS_SEND_BUFFER_BYTES_MAX (1 MiB) is full; at ~10 ticks/s that takes far longer than a
 * phase. So the slow readers all belong to one user whose own feed is flooded: real deposits of 1
 * micro-dollar through tap:adjustments (operator-signed, as tapctl), which the batcher applies and
 * publishes as balance events (~200 B each) — as fast as the batcher applies them, at most
 * FLOOD_MAX, with no more than BACKLOG_MAX waiting for it. One normal reader of the same user must get every one of
 * them while the slow ones are dropped.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { queueDeposits } from '@tap/benchmarks/load/wallets';
import type { ScenarioContext } from '@tap/benchmarks/scenario';
import type { Stack } from '@tap/benchmarks/stack/stack';
import { createSessions } from '@tap/benchmarks/ws-clients/sessions';
import type { Started } from '@tap/testkit/standalone';
import { gatewayCounter } from './gateway-probes.js';

const FLOOD_BATCH = 500;
const FLOOD_TICK_MS = 100;
const FLOOD_MAX = 80_000;
const BACKLOG_MAX = 3_000;
const FLOOD_TIMEOUT_MS = 40_000;
const SEEN_TIMEOUT_MS = 30_000;

export interface SlowReaderFigures {
  slowReaders: number;
  slowDropped: number;
  slowDroppedMs: number | null;
  floodEvents: number;
  floodSeen: number;
}

/**
 * Opens `count` slow readers and one normal reader of a fresh user in the first client process,
 * floods the user's feed until every slow reader is dropped (or the bound), then waits until the
 * normal reader has every event the batcher published for the flood.
 */
export async function slowReadersUnderFlood(
  ctx: ScenarioContext,
  stack: Stack,
  child: Started,
  count: number,
  floodSeen: () => Promise<number>,
): Promise<SlowReaderFigures> {
  const userId = `0x${randomBytes(20).toString('hex')}`;
  const file = join(ctx.outDir, 'flood-tokens.json');
  writeFileSync(file, JSON.stringify(await createSessions(stack, count + 1, userId)));
  const line = child.waitForLine((l) => l.startsWith('storm.slow '), 60_000);
  child.child.stdin?.write(`slow ${file}\n`);
  const slowReaders = Number((await line).split(' ')[1]);
  if (slowReaders < 0) throw new Error('the flooded user’s normal reader did not authenticate');
  const drops = async () =>
    Object.values(await gatewayCounter(stack, 'tap_ws_gateway_backpressure_drops_total')).reduce(
      (a, b) => a + b,
      0,
    );
  const dropsBefore = await drops();
  const applied = async () =>
    Number((await stack.redis.hget(stack.channels.keys.wallet(userId), 'balance')) ?? 0);
  const began = performance.now();
  let queued = 0;
  let slowDropped = 0;
  let slowDroppedMs: number | null = null;
  while (performance.now() - began < FLOOD_TIMEOUT_MS) {
    slowDropped = (await drops()) - dropsBefore;
    if (slowDropped >= slowReaders) {
      slowDroppedMs = Math.round(performance.now() - began);
      break;
    }
    // Top the backlog up to BACKLOG_MAX: the batcher's pace, not this loop's, sets the flood's rate.
    const more = Math.min(BACKLOG_MAX - (queued - (await applied())), FLOOD_MAX - queued);
    for (let i = 0; i + FLOOD_BATCH <= more; i += FLOOD_BATCH) {
      const deposits = Array.from({ length: FLOOD_BATCH }, (_, j) => ({
        adjustmentId: `flood-${String(queued + j).padStart(58, '0')}`,
        userId,
      }));
      await queueDeposits(stack.redis, stack.channels, deposits, 1);
      queued += FLOOD_BATCH;
    }
    await sleep(FLOOD_TICK_MS);
  }
  ctx.log(
    `slow readers: ${slowDropped} of ${slowReaders} dropped in ${slowDroppedMs ?? 'NOT'} ms, ${queued} deposits`,
  );
  const deadline = performance.now() + SEEN_TIMEOUT_MS;
  let seen = await floodSeen();
  while ((seen < queued || (await applied()) < queued) && performance.now() < deadline) {
    await sleep(250);
    seen = await floodSeen();
  }
  return { slowReaders, slowDropped, slowDroppedMs, floodEvents: await applied(), floodSeen: seen };
}
