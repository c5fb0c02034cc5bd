/**
 * Issue 16: "an aborted upload does not leave its handler pending". Clients send the headers of a
 * POST and part of its body, then hang up, straight at the uWS port; every handler must end (the
 * in-flight gauge returns to 0) and the daemon keeps serving.
 */
import { connect } from 'node:net';
import { startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing.js';

let redisServer: TestRedis;
let api: TestApi;

beforeAll(async () => {
  redisServer = await startRedis();
  api = await startTestApi(redisServer);
});
afterAll(async () => {
  await api.stop();
  await redisServer.stop();
});

async function inFlight(): Promise<number> {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  return Number(/^tap_ingest_api_requests_in_flight(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** Sends the headers and half of a 200-byte body, waits until the server has it, then hangs up. */
function abortedUpload(path: string): Promise<void> {
  const port = Number(new URL(api.baseUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: tap.test\r\nContent-Type: application/json\r\n` +
          `Content-Length: 200\r\n\r\n{"message":"${'x'.repeat(80)}`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
    socket.on('error', reject);
  });
}

describe('an aborted upload', () => {
  it('does not leave its handler pending', async () => {
    await Promise.all(Array.from({ length: 20 }, () => abortedUpload('/v1/auth/login')));
    const deadline = Date.now() + 10_000;
    while ((await inFlight()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await inFlight()).toBe(0);
    const after = await fetch(`${api.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(after.status).toBe(400);
  });
});
