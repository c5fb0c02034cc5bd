/**
 * The nginx edge (nginx/tap.conf, issue 16) with the real nginx the test kit starts: security
 * headers on API answers and on nginx's own errors, client addresses (a client cannot set the
 * X-Real-IP the daemons see; behind a trusted load balancer the realip part takes the client from
 * X-Forwarded-For), the WebSocket upgrade rate, the server-wide connection cap and slow headers.
 * Upstreams: an echo server that answers with the headers it received (HTTP and WebSocket), and the
 * real ws-gateway, whose per-address cap must see the address nginx resolved.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { freePort, startNginx, startStack, type TestNginx, type TestStack } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

let echo: { server: Server; port: number };
let stack: TestStack;
const nginxes: TestNginx[] = [];

/** Answers every request, and the first message of every WebSocket, with the headers it got. */
async function startEcho() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.headers));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => socket.send(JSON.stringify(req.headers)));
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, port };
}

async function edge(options: Partial<Parameters<typeof startNginx>[0]> & { wsPort: number }) {
  const nginx = await startNginx({ apiPort: echo.port, ...options });
  nginxes.push(nginx);
  return nginx;
}

const wsUrl = (nginx: TestNginx) => `${nginx.url.replace('http', 'ws')}/v1/ws`;

/** Opens a socket; resolves with its first message, or the HTTP status of a refused upgrade. */
function firstAnswer(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  return new Promise<{ ws: WebSocket; status: number; first?: IncomingHttpHeaders }>((resolve, reject) => {
    ws.once('message', (data) => resolve({ ws, status: 101, first: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  echo = await startEcho();
  stack = await startStack({
    daemons: ['ws-gateway'],
    env: { 'ws-gateway': { WS_CONNECTIONS_PER_IP_MAX: '2' } },
  });
}, 60_000);
afterAll(async () => {
  for (const nginx of nginxes) await nginx.stop();
  await stack?.stop();
  echo?.server.closeAllConnections();
  echo?.server.close();
});

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

describe('nginx edge: headers', () => {
  it('sends the security headers on API answers and on the errors nginx makes itself', async () => {
    const nginx = await edge({ wsPort: echo.port });
    const answers = [
      await fetch(`${nginx.url}/v1/me`),
      await fetch(`${nginx.url}/healthz`),
      await fetch(`${nginx.url}/v1/auth/login`, { method: 'POST', body: 'x'.repeat(5_000) }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 403, 413]);
    for (const res of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    }
  });
});

describe('nginx edge: client addresses', () => {
  it('overwrites a client’s own X-Real-IP and X-Forwarded-For with the address it sees', async () => {
    const nginx = await edge({ wsPort: echo.port });
    const spoof = { 'x-real-ip': '203.0.113.66', 'x-forwarded-for': '203.0.113.66' };
    const http = (await (
      await fetch(`${nginx.url}/v1/me`, { headers: spoof })
    ).json()) as IncomingHttpHeaders;
    expect(http['x-real-ip']).toBe('127.0.0.1');
    expect(http['x-forwarded-for']).toBe('127.0.0.1');
    const socket = await firstAnswer(wsUrl(nginx), spoof);
    expect(socket.first?.['x-real-ip']).toBe('127.0.0.1');
    socket.ws.close();
  });

  it('takes the client from X-Forwarded-For only behind a trusted balancer (tap-realip.conf)', async () => {
    const trusted = await edge({ wsPort: echo.port, realIpFrom: '127.0.0.1' });
    const forwarded = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' };
    const http = (await (
      await fetch(`${trusted.url}/v1/me`, { headers: forwarded })
    ).json()) as IncomingHttpHeaders;
    expect(http['x-real-ip']).toBe('203.0.113.7');
    const untrusted = await edge({ wsPort: echo.port, realIpFrom: '192.0.2.1' });
    const direct = (await (
      await fetch(`${untrusted.url}/v1/me`, { headers: forwarded })
    ).json()) as IncomingHttpHeaders;
    expect(direct['x-real-ip']).toBe('127.0.0.1');
  });

  it('lets ws-gateway cap sockets per client address as nginx resolved it, spoofing or not', async () => {
    const wsPort = Number(new URL(stack.wsUrl).port);
    const direct = await edge({ wsPort });
    // As the edge: three different X-Real-IP claims are one address (127.0.0.1), capped at 2.
    const spoofed = ['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((ip) =>
      closeOf(wsUrl(direct), { 'x-real-ip': ip }),
    );
    expect((await Promise.all(spoofed)).filter((c) => c.reason === 'connections_per_ip_max')).toHaveLength(1);
    // Behind a trusted balancer: two clients are two addresses, each capped on its own.
    const balanced = await edge({ wsPort, realIpFrom: '127.0.0.1' });
    const from = (ip: string) => closeOf(wsUrl(balanced), { 'x-forwarded-for': ip });
    const closes = await Promise.all([
      from('198.51.100.1'),
      from('198.51.100.1'),
      from('198.51.100.2'),
      from('198.51.100.1'),
    ]);
    expect(closes.filter((c) => c.reason === 'connections_per_ip_max')).toHaveLength(1);
  });
});

/**
 * Opens a socket through nginx to the real gateway and waits 1 s: resolves with its close (a limit)
 * or { reason: 'open' }, and closes it. All of a call's sockets are open together during that second.
 */
async function closeOf(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(url, { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const result = await Promise.race([
    closed,
    new Promise<{ code: number; reason: string }>((resolve) =>
      setTimeout(() => resolve({ code: 0, reason: 'open' }), 1_000),
    ),
  ]);
  ws.terminate();
  return result;
}

describe('nginx edge: connection caps and slow clients', () => {
  it('answers 429 to WebSocket upgrades beyond 5/s (burst 20) from one address', async () => {
    const nginx = await edge({ wsPort: echo.port });
    const answers = await Promise.all(Array.from({ length: 30 }, () => firstAnswer(wsUrl(nginx))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30 - 21 - 2);
    expect(statuses.filter((s) => s === 101).length).toBeGreaterThanOrEqual(20);
    for (const a of answers) a.ws.terminate();
  });

  it('refuses connections beyond the server-wide cap with 429, whatever their address', async () => {
    const nginx = await edge({ wsPort: echo.port, serverConnectionsMax: 3, realIpFrom: '127.0.0.1' });
    const open = await Promise.all(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((ip) =>
        firstAnswer(wsUrl(nginx), { 'x-forwarded-for': ip }),
      ),
    );
    expect(open.map((a) => a.status)).toEqual([101, 101, 101]);
    const refused = await fetch(`${nginx.url}/v1/me`, { headers: { 'x-forwarded-for': '198.51.100.4' } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
    for (const a of open) a.ws.close();
  });

  it('closes a connection that sends its headers too slowly (slowloris)', async () => {
    const nginx = await edge({ wsPort: echo.port, clientHeaderTimeoutS: 1 });
    const socket = connect(nginx.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /v1/me HTTP/1.1\r\nHost: tap\r\nX-Slow: ');
    const began = Date.now();
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', () => {}); // a 408, if nginx sends one, is not the point: the close is
    socket.on('error', () => {}); // a reset is a close too
    await Promise.race([
      ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 10 s')), 10_000)),
    ]);
    expect(Date.now() - began).toBeLessThan(8_000);
  });
});
