import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from './open-loop.js';
import { totalRequests } from './schedule.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bet server answering 202 with a bet id after `delayMs`, keeping every body it got. */
async function betServer(delayMs: number) {
  const bodies: { t0: number; p0: number; clientBetId: string }[] = [];
  let answered = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      body += part;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      setTimeout(() => {
        answered += 1;
        const text = JSON.stringify({ betId: `bet-${answered}`, status: 'pending' });
        // Content-Length framing, as uWS sends it (the client reads no chunked answers).
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      }, delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const wallets = Array.from({ length: 20 }, (_, i) => ({ userId: `0x${i}`, token: `token-${i}` }));

describe('runOpenLoop', () => {
  // 300/s: gaps over a turn, the timer waits in epoll; 3,000/s: a request due every turn, the
  // thread sleeps through turns and reads the answers in one poll.
  it.each([
    300, 3_000,
  ])('sends every planned bet at %i/s on the driver’s cells, counts every answer from its planned time', async (ratePerS) => {
    const server = await betServer(3);
    const profile = { ratePerS, durationMs: 1_500, warmupMs: 500 };
    const { result, ackedBetIds } = await runOpenLoop({
      label: 'test',
      quiet: true,
      workers: 1,
      baseUrl: server.url,
      kind: 'bet',
      profile,
      wallets,
      wsWallets: 0,
      connections: 16,
      requestTimeoutMs: 5_000,
      price: { fixedCents: 9_500_000 },
      stakeMicros: 1_000_000,
      drainTimeoutMs: 0,
    });
    const planned = totalRequests(profile);
    expect(result.sent).toBe(planned);
    expect(result.ok).toBe(planned);
    expect(result.errorCount).toBe(0);
    expect(ackedBetIds).toHaveLength(planned);
    expect(server.bodies).toHaveLength(planned);
    expect(new Set(server.bodies.map((b) => b.clientBetId)).size).toBe(planned);
    // Cells picked by the driver from the price, not the worker's empty fallback.
    for (const body of server.bodies) expect(body.t0 > 0 && body.p0 > 0).toBe(true);
    // Latency runs from the planned time, so it holds the server's 3 ms and the send lag.
    expect(result.latency.count).toBe(planned - Math.ceil((ratePerS * 500) / 1_000));
    expect(result.latency.p50Ms).toBeGreaterThanOrEqual(3);
    expect(result.latency.p50Ms).toBeGreaterThanOrEqual(result.sendLag.p50Ms);
    expect(result.generator?.usPerRequest).toBeGreaterThan(0);
  });
});
