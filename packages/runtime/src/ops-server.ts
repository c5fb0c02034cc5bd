/**
 * The small HTTP endpoint for daemons without an HTTP server of their own: `GET /healthz` (JSON,
 * 200 when healthy, 503 otherwise) and `GET /metrics` (Prometheus text). node:http is plenty for a
 * scrape every few seconds; bets never pass through here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

export type HealthCheck = () => HealthReport | Promise<HealthReport>;

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: HealthCheck;
}): Promise<OpsServer> {
  const server = createServer((req, res) => {
    void respond(req.method ?? 'GET', req.url ?? '/', options)
      .then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      })
      .catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal', message: String(err) }));
      });
  });
  await listen(server, options.host, options.port);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

async function respond(
  method: string,
  url: string,
  options: { registry: Registry; health: HealthCheck },
): Promise<{ status: number; type: string; body: string }> {
  const path = url.split('?')[0];
  if (method !== 'GET') return json(405, { error: 'method_not_allowed', message: 'only GET is served here' });
  if (path === '/healthz') {
    const report = await options.health();
    return json(report.ok ? 200 : 503, report);
  }
  if (path === '/metrics') {
    return { status: 200, type: options.registry.contentType, body: await options.registry.metrics() };
  }
  return json(404, { error: 'not_found', message: `no route ${path}` });
}

function json(status: number, body: unknown) {
  return { status, type: 'application/json', body: JSON.stringify(body) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
