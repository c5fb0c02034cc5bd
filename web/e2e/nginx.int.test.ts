/**
 * nginx/tap.conf serving the built web client (run `pnpm build` first): security headers, caching
 * of hashed assets, gzip, the SPA fallback, the /v1/ and /v1/ws proxies (upgrade headers), and the
 * production TLS variant (nginx/tap-tls.conf) with HSTS and the HTTP → HTTPS redirect. The
 * upstreams are small local servers: what is tested here is the proxy, not the daemons.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginx, type TestNginx } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

const dist = join(import.meta.dirname, '..', 'dist');
let api: Server;
let gateway: WebSocketServer;
let nginx: TestNginx;
let tlsNginx: TestNginx;
let certDir: string;

const portOf = (server: Server) => (server.address() as { port: number }).port;

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is missing: run pnpm build first');
  api = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  gateway = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  gateway.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
  await new Promise((resolve) => gateway.once('listening', resolve));
  const upstreams = { apiPort: portOf(api), wsPort: (gateway.address() as { port: number }).port };
  nginx = await startNginx({ ...upstreams, webRoot: dist });
  certDir = mkdtempSync(join(tmpdir(), 'tap-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  tlsNginx = await startNginx({
    ...upstreams,
    webRoot: dist,
    tls: { certPath: join(certDir, 'cert.pem'), keyPath: join(certDir, 'key.pem') },
  });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  await tlsNginx?.stop();
  gateway?.close();
  api?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('nginx serving the web client (plain HTTP, the demo variant)', () => {
  it('serves index.html with a CSP, no framing, no sniffing, revalidated on every load', async () => {
    const res = await fetch(`${nginx.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('answers unknown paths with index.html (client-side routes)', async () => {
    const res = await fetch(`${nginx.url}/history`);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('caches hashed assets for a year and gzips them', async () => {
    const script = readdirSync(join(dist, 'assets')).find((name) => name.endsWith('.js'));
    const res = await fetch(`${nginx.url}/assets/${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${nginx.url}/assets/missing.js`)).status).toBe(404);
  });

  it('still proxies /v1/ to ingest-api and upgrades /v1/ws to ws-gateway', async () => {
    const res = await fetch(`${nginx.url}/v1/me`);
    expect(await res.json()).toEqual({ path: '/v1/me' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const socket = new WebSocket(`${nginx.url.replace('http', 'ws')}/v1/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send('hi');
    const answer = await new Promise((resolve) => socket.once('message', (data) => resolve(String(data))));
    expect(answer).toBe('echo hi');
    socket.close();
  });
});

function httpsGet(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    // The test's certificate is self-signed; what is checked is nginx's TLS server, not a CA chain.
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('nginx with the production TLS part (nginx/tap-tls.conf)', () => {
  it('serves the client over HTTPS with HSTS on pages and API answers', async () => {
    const page = await httpsGet(`${tlsNginx.httpsUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    const api = await httpsGet(`${tlsNginx.httpsUrl}/v1/me`);
    expect(api.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('redirects plain HTTP to the same URL over HTTPS', async () => {
    const res = await fetch(`${tlsNginx.url}/v1/me?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1/v1/me?x=1`);
  });
});
