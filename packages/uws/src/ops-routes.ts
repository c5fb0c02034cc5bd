/**
 * `/healthz` and `/metrics` on a uWS app, for the daemons that have their own uWS server
 * (ingest-api, ws-gateway) and so need no separate ops port.
 */

import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Registry } from 'prom-client';

export interface OpsHealth {
  ok: boolean;
  [detail: string]: unknown;
}

export function addOpsRoutes(
  app: TemplatedApp,
  options: { registry: Registry; health: () => OpsHealth },
): void {
  app.get('/healthz', (res) => {
    const report = options.health();
    send(res, report.ok ? '200 OK' : '503 Service Unavailable', 'application/json', JSON.stringify(report));
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    void options.registry.metrics().then((text) => {
      if (!aborted) send(res, '200 OK', options.registry.contentType, text);
    });
  });
}

export function send(res: HttpResponse, status: string, contentType: string, body: string): void {
  res.cork(() => {
    res
      .writeStatus(status)
      .writeHeader('content-type', contentType)
      .writeHeader('cache-control', 'no-store')
      .end(body);
  });
}
