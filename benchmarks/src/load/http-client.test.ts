import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, HttpClient, type HttpClientOptions, type Route } from './http-client.js';

type Outcome = { status: number; text: string } | { code: string };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  return createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      body += part;
    });
    req.on('end', () => handler(req, res, body));
  });
}

/** A client whose answers resolve one promise per request, by tag (the load worker keeps counters instead). */
function aClient(baseUrl: string, overrides: Partial<HttpClientOptions> = {}) {
  const waiting = new Map<number, (outcome: Outcome) => void>();
  const settle = (tag: number, outcome: Outcome) => {
    waiting.get(tag)!(outcome);
    waiting.delete(tag);
  };
  const client = new HttpClient(
    baseUrl,
    { connections: 4, requestTimeoutMs: 5_000, ...overrides },
    {
      answer: (tag, status, bytes, start, end) =>
        settle(tag, { status, text: bytes.toString('utf8', start, end) }),
      failure: (tag, code) => settle(tag, { code }),
    },
  );
  cleanups.push(() => client.close());
  let nextTag = 0;
  const request = (route: Route, headers?: Record<string, string>, body?: string) =>
    new Promise<Outcome>((resolve) => {
      const tag = nextTag++;
      waiting.set(tag, resolve);
      client.send(encodeRequest(route, headers, body), tag);
    });
  return { client, request };
}

describe('HttpClient', () => {
  it('answers each request with its status and body, queued ones in FIFO order', async () => {
    const seen: string[] = [];
    const base = await listen(
      httpServer((req, res, body) => {
        seen.push(`${req.headers.host} ${req.headers['content-length']} ${req.headers.authorization}`);
        const n = (JSON.parse(body) as { n: number }).n;
        res.statusCode = n === 2 ? 409 : 202;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ n, note: 'é' }));
      }),
    );
    const { client, request } = aClient(base, { connections: 1 });
    const route = client.route('POST', '/v1/bets', { 'content-type': 'application/json' });
    const answers = await Promise.all(
      [1, 2, 3].map((n) => request(route, { authorization: `Bearer t${n}` }, JSON.stringify({ n }))),
    );
    expect(answers).toEqual([
      { status: 202, text: '{"n":1,"note":"é"}' },
      { status: 409, text: '{"n":2,"note":"é"}' },
      { status: 202, text: '{"n":3,"note":"é"}' },
    ]);
    const host = new URL(base).host;
    expect(seen).toEqual([`${host} 7 Bearer t1`, `${host} 7 Bearer t2`, `${host} 7 Bearer t3`]);
  });

  it('queues requests beyond `connections` and reuses the same keep-alive sockets', async () => {
    const sockets = new Set<unknown>();
    let inFlight = 0;
    let inFlightMax = 0;
    const base = await listen(
      httpServer((req, res) => {
        sockets.add(req.socket);
        inFlight += 1;
        inFlightMax = Math.max(inFlightMax, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          res.end(req.url);
        }, 10);
      }),
    );
    const { client, request } = aClient(base, { connections: 2 });
    const paths = Array.from({ length: 10 }, (_, i) => `/r${i}`);
    const answers = await Promise.all(paths.map((path) => request(client.route('GET', path))));
    expect(answers).toEqual(paths.map((path) => ({ status: 200, text: path })));
    expect(inFlightMax).toBe(2);
    expect(sockets.size).toBe(2);
  });

  it('parses a response the server writes in several TCP writes', async () => {
    const server = createNetServer((socket) => {
      socket.on('data', async () => {
        const parts = ['HTTP/1.1 20', '2 Accepted\r\nContent-Le', 'ngth: 11\r\n\r', '\nhello', ' world'];
        for (const part of parts) {
          socket.write(part);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      });
    });
    const { client, request } = aClient(await listen(server), { connections: 1 });
    const route = client.route('GET', '/split');
    expect(await request(route)).toEqual({ status: 202, text: 'hello world' });
    expect(await request(route)).toEqual({ status: 202, text: 'hello world' });
  });

  it('fails a chunked response with response_chunked and serves the next request on a new socket', async () => {
    const base = await listen(
      httpServer((req, res) => {
        if (req.url === '/chunked') {
          res.write('part one, ');
          res.end('part two');
        } else res.end('fine');
      }),
    );
    const { client, request } = aClient(base, { connections: 1 });
    expect(await request(client.route('GET', '/chunked'))).toEqual({ code: 'response_chunked' });
    expect(await request(client.route('GET', '/ok'))).toEqual({ status: 200, text: 'fine' });
  });

  it('fails the request in flight when the server closes its socket, and later requests succeed', async () => {
    let closed = 0;
    const base = await listen(
      httpServer((req, res) => {
        if (req.url === '/close' && closed === 0) {
          closed += 1;
          req.socket.destroy();
        } else res.end('after');
      }),
    );
    const { client, request } = aClient(base, { connections: 1 });
    const failed = await request(client.route('GET', '/close'));
    expect(['socket_closed', 'ECONNRESET']).toContain((failed as { code: string }).code);
    const later = await Promise.all([1, 2, 3].map(() => request(client.route('GET', '/close'))));
    expect(later).toEqual([1, 2, 3].map(() => ({ status: 200, text: 'after' })));
  });

  it('fails a request without an answer within requestTimeoutMs with timeout', async () => {
    const base = await listen(
      httpServer((req, res) => {
        if (req.url !== '/hang') res.end('quick');
      }),
    );
    const { client, request } = aClient(base, { connections: 1, requestTimeoutMs: 200 });
    const began = performance.now();
    const [hung, queued] = await Promise.all([
      request(client.route('GET', '/hang')),
      request(client.route('GET', '/hang')),
    ]);
    expect(hung).toEqual({ code: 'timeout' });
    expect(queued).toEqual({ code: 'timeout' });
    expect(performance.now() - began).toBeLessThan(1_000);
    expect(await request(client.route('GET', '/quick'))).toEqual({ status: 200, text: 'quick' });
  });

  it('fails queued requests with the connect error after a bounded number of attempts', async () => {
    const server = createNetServer();
    const base = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const { client, request } = aClient(base, { connections: 2 });
    const began = performance.now();
    expect(await request(client.route('GET', '/'))).toEqual({ code: 'ECONNREFUSED' });
    expect(performance.now() - began).toBeLessThan(2_000);
  });

  it('close() fails queued and in-flight requests with client_closed, is idempotent, and refuses new ones', async () => {
    const held: Socket[] = [];
    const base = await listen(createNetServer((socket) => held.push(socket.resume())));
    const { client, request } = aClient(base, { connections: 1 });
    const route = client.route('GET', '/');
    const pending = [request(route), request(route)];
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([client.close(), client.close()]);
    expect(await Promise.all(pending)).toEqual([{ code: 'client_closed' }, { code: 'client_closed' }]);
    expect(await request(route)).toEqual({ code: 'client_closed' });
  });
});
