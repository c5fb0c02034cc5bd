import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.js';
import { type OpsServer, startOpsServer } from './ops-server.js';

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers /healthz with 200 when healthy and 503 when not', async () => {
    let ok = true;
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry('test'),
      health: () => ({ ok, detail: 'x' }),
    });
    const healthy = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ ok: true, detail: 'x' });
    ok = false;
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(503);
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry('test-svc'),
      health: () => ({ ok: true }),
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('process_cpu_user_seconds_total{service="test-svc"}');
  });

  it('answers unknown paths and methods with a JSON error code', async () => {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry('test'),
      health: () => ({ ok: true }),
    });
    const missing = await fetch(`http://127.0.0.1:${server.port}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const post = await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
