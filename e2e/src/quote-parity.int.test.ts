/**
 * The web client's multiplier equals the server's (issue 14): after price-ingest restarts, a
 * client that quotes a cell from the last `tick` ws-gateway sent — with `@tap/pricing` quoteCellFromPrint,
 * as web/ does — and bets with that multiplier as its minimum is accepted whenever the server priced
 * the bet from the same print, and every multiplier the server answers (202 terms, or 409
 * quote_moved details) is the one the client computes from the tick of the print the server names.
 * Before the fix the price depended on the receive time, so the server's multiplier sat a few bp
 * below the client's and near cells were refused quote_moved on nearly every tap.
 */
import { DEFAULT_PRICING_CONFIG, quoteCellFromPrint } from '@tap/pricing';
import { startStack, type TestStack } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, LOGIN, openSocket, placeBet, signIn, type TraderSocket } from './trader.js';

const config = DEFAULT_PRICING_CONFIG;
const BETS = 24;

interface Tick {
  type: 'tick';
  t: number;
  p: number;
  sigma: number;
  noise: number;
  filteredCents?: number;
  filteredNoise?: number;
  id: number;
}

let stack: TestStack;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({
    daemons: ['price-ingest', 'health-monitor', 'batcher', 'ingest-api', 'ws-gateway'],
    env: {
      // Priced at receipt (the opt-out from the default next-tick entry): the 202 names the print
      // that priced each bet, so the parity is checked print by print. The expected-fill quote of
      // next-tick entry is the same pricing function with the fill's print count (web cell-quotes tests).
      'ingest-api': { ...LOGIN, BET_ENTRY: 'receipt' },
      // The filtered index on (issue 22, the default): the client's tick carries it and both sides price from it.
      'price-ingest': { SIM_OUTAGE_MEAN_INTERVAL_MS: '0', INDEX_FILTER: 'on' },
      'health-monitor': { BREAKER_RECOVERY_MS: '1000' },
    },
  });
  redis = new Redis(stack.redis.url);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

const ticksOf = (socket: TraderSocket) =>
  socket.events.filter((e): e is Tick & Record<string, unknown> => e.type === 'tick');

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The client's quote of a cell from a tick, exactly as web/src/chart/cell-quotes.ts computes it. */
function clientQuote(tick: Tick, cell: { t0: number; p0: number }, nowMs: number): number | null {
  const quote = quoteCellFromPrint({ ...tick, priceCents: tick.p }, { ...cell, nowMs }, config);
  return quote.ok ? quote.multiplierBp : null;
}

describe('client and server quotes after a price-ingest restart', () => {
  it('agree on every print the server priced with, and accept what the client quoted from it', async () => {
    // Three wallets: at most 20 open bets each (SPEC §3 exposure).
    const traders = await Promise.all([0, 1, 2].map(() => signIn(stack)));
    for (const trader of traders) await deposit(stack, redis, trader.userId, 100_000_000);
    const socket = await openSocket(stack, traders[0]!.token);
    const breakerClosed = async () =>
      (await redis.hget(`${stack.prefix}breaker:state`, 'state')) === 'closed';
    await waitFor(breakerClosed, 60_000, 'the breaker did not close');

    await stack.crashAndRestart('price-ingest');
    const restartedAt = Date.now();
    await waitFor(
      async () => (ticksOf(socket).at(-1)?.t ?? 0) > restartedAt,
      20_000,
      'no tick after the restart',
    );
    await waitFor(breakerClosed, 60_000, 'the breaker did not close after the restart');

    const results: {
      tickId: number;
      clientBp: number;
      status: number;
      body: Record<string, unknown>;
      cell: { t0: number; p0: number };
    }[] = [];
    for (let i = 0; results.length < BETS && i < BETS * 4; i += 1) {
      const tick = ticksOf(socket).at(-1)!;
      const nowMs = Date.now();
      const column = Math.ceil((nowMs + config.leadMs + 1_000) / config.windowMs) + (i % 3);
      const band = Math.floor(tick.p / config.bandCents) + ((i % 5) - 2);
      const cell = { t0: column * config.windowMs, p0: band * config.bandCents };
      const clientBp = clientQuote(tick, cell, nowMs);
      if (clientBp === null) continue;
      const trader = traders[results.length % traders.length]!;
      const placed = await placeBet(stack, trader.token, {
        ...cell,
        stakeMicros: 100_000,
        minMultiplierBp: clientBp,
      });
      // The restarted feed's first prints may be thin: the breaker can open for a moment (no quote).
      if (placed.body.error !== 'trading_halted')
        results.push({ tickId: tick.id, clientBp, cell, ...placed });
      await new Promise((resolve) => setTimeout(resolve, 150 + 37 * (i % 4)));
    }
    await socket.waitFor((e) => e.type === 'tick' && Number(e.t) > Date.now() - 50, 5_000);

    const ticks = new Map(ticksOf(socket).map((tick) => [tick.id, tick]));
    let samePrint = 0;
    for (const result of results) {
      const { status, body } = result;
      expect([202, 409]).toContain(status);
      const terms = body.terms as { printId: number; multiplierBp: number } | undefined;
      const serverPrintId = status === 202 ? terms!.printId : Number(body.printId);
      const serverBp = Number(body.multiplierBp);
      if (status === 409) expect(body.error).toBe('quote_moved');
      const serverTick = ticks.get(serverPrintId);
      expect(serverTick, `print ${serverPrintId} was sent as a tick`).toBeDefined();
      // What the client would have shown from the print the server priced with: the same multiplier.
      expect(clientQuote(serverTick!, result.cell, serverTick!.t)).toBe(serverBp);
      if (serverPrintId === result.tickId) {
        samePrint += 1;
        expect({ status, serverBp }).toEqual({ status: 202, serverBp: result.clientBp });
      }
    }
    expect(results).toHaveLength(BETS);
    // The prints carried the filtered index, so the parity above is the filtered path's.
    expect(ticksOf(socket).some((tick) => tick.filteredCents !== undefined)).toBe(true);
    // Most bets reach the server before the next print: the path above is exercised, not skipped.
    expect(samePrint).toBeGreaterThanOrEqual(BETS / 4);
    await socket.close();
  }, 180_000);
});
