/**
 * A real nginx running the project's `nginx/tap.conf` for a test: the `# sed:` lines are rewritten
 * to a random loopback listen port, the test's upstream ports, a temp web root (or the given one,
 * e.g. the web client's build) and (optionally) the per-IP rates, the history cache in the temp dir; a minimal nginx.conf around it
 * keeps pid, logs and temp files in a temp dir. With `tls`, the production `nginx/tap-tls.conf` is
 * rendered into `tap-tls.d/` next to it with the given certificate and a second random port. With
 * `realIpFrom`, the production `nginx/tap-realip.conf` is rendered into `tap-realip.d/` trusting that
 * address as the load balancer. `serverConnectionsMax` and `clientHeaderTimeoutS` shrink the
 * server-wide connection cap and the slow-client header timeout so tests can reach them.
 * Stopped by PID.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess } from './process.js';
import { REPO_ROOT } from './repo.js';

export interface TestNginx {
  url: string;
  port: number;
  /** https://127.0.0.1:<port> when started with `tls`. */
  httpsUrl: string | null;
  pid: number;
  stop(): Promise<void>;
}

export async function startNginx(options: {
  apiPort: number;
  wsPort: number;
  ratePerS?: number;
  /**
   * The index history's per-IP rate (tap_query_per_ip), requests/s. Its burst stays 20: nginx counts
   * requests of one event-loop turn as simultaneous, so more than ~20 sent at once are refused anyway.
   */
  historyRatePerS?: number;
  /** Serve this directory instead of a one-line index.html. */
  webRoot?: string;
  /** Listen on this port (the demo's fixed URL) instead of a random one. */
  port?: number;
  tls?: { certPath: string; keyPath: string };
  /** Install tap-realip.conf trusting this address (or CIDR) as the load balancer. */
  realIpFrom?: string;
  serverConnectionsMax?: number;
  clientHeaderTimeoutS?: number;
}): Promise<TestNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'tap-nginx-'));
  let webRoot = options.webRoot;
  if (!webRoot) {
    webRoot = join(dir, 'web');
    await mkdir(webRoot);
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>BTC Tap</title>');
  }
  const port = options.port ?? (await freePort());
  const httpsPort = options.tls ? await writeTls(dir, options.tls) : null;
  if (options.realIpFrom) await writeRealIp(dir, options.realIpFrom);
  const source = await readFile(join(REPO_ROOT, 'nginx', 'tap.conf'), 'utf8');
  const rendered = source
    .replace(/listen 80;(\s*# sed:)/, `listen 127.0.0.1:${port};$1`)
    .replace(/root \/opt\/tap\/web;(\s*# sed:)/, `root ${webRoot};$1`)
    .replace(/server 127\.0\.0\.1:8080;(\s*# sed:)/, `server 127.0.0.1:${options.apiPort};$1`)
    .replace(/server 127\.0\.0\.1:8081;(\s*# sed:)/, `server 127.0.0.1:${options.wsPort};$1`)
    .replace(/rate=50r\/s;(\s*# sed:)/, `rate=${options.ratePerS ?? 50}r/s;$1`)
    .replace(/rate=5r\/s;(\s*# sed: per-IP history)/, `rate=${options.historyRatePerS ?? 5}r/s;$1`)
    .replace(
      /proxy_cache_path \/var\/cache\/nginx\/tap-history (.*# sed:)/,
      `proxy_cache_path ${dir}/history-cache $1`,
    )
    .replace(
      /limit_conn tap_conn_server 20000;(\s*# sed:)/,
      `limit_conn tap_conn_server ${options.serverConnectionsMax ?? 20_000};$1`,
    )
    .replace(
      /client_header_timeout 10s;(\s*# sed:)/,
      `client_header_timeout ${options.clientHeaderTimeoutS ?? 10}s;$1`,
    );
  await writeFile(join(dir, 'tap.conf'), rendered);
  // As root, nginx workers would switch to `nobody`, who cannot read this private temp dir.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  await writeFile(
    join(dir, 'nginx.conf'),
    `${user}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
worker_processes 1;
events { worker_connections 4096; }
http {
  # As Debian's /etc/nginx/nginx.conf does: browsers refuse module scripts without a JS type.
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/tap.conf;
}
`,
  );
  const proc = startProcess('nginx', [
    '-p',
    `${dir}/`,
    '-c',
    join(dir, 'nginx.conf'),
    '-e',
    join(dir, 'error.log'),
    '-g',
    'daemon off;',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Any answer means it listens (with TLS, plain HTTP answers a 301 redirect).
    const up = await fetch(`${url}/`, { redirect: 'manual' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || proc.child.exitCode !== null) {
      await proc.stop('SIGKILL');
      throw new Error(`nginx did not start: ${proc.stderr.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port,
    httpsUrl: httpsPort === null ? null : `https://127.0.0.1:${httpsPort}`,
    pid: proc.pid,
    async stop() {
      await proc.stop('SIGQUIT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Renders nginx/tap-tls.conf into `<dir>/tap-tls.d/` (tap.conf includes it); returns its port. */
async function writeTls(dir: string, tls: { certPath: string; keyPath: string }): Promise<number> {
  const port = await freePort();
  const source = await readFile(join(REPO_ROOT, 'nginx', 'tap-tls.conf'), 'utf8');
  const rendered = source
    .replace(/listen 443 ssl http2;(\s*# sed:)/, `listen 127.0.0.1:${port} ssl http2;$1`)
    .replace(
      /ssl_certificate \/etc\/tap\/tls\/fullchain\.pem;(\s*# sed:)/,
      `ssl_certificate ${tls.certPath};$1`,
    )
    .replace(
      /ssl_certificate_key \/etc\/tap\/tls\/privkey\.pem;(\s*# sed:)/,
      `ssl_certificate_key ${tls.keyPath};$1`,
    );
  await mkdir(join(dir, 'tap-tls.d'));
  await writeFile(join(dir, 'tap-tls.d', 'tls.conf'), rendered);
  return port;
}

/** Renders nginx/tap-realip.conf into `<dir>/tap-realip.d/` (tap.conf includes it). */
async function writeRealIp(dir: string, from: string): Promise<void> {
  const source = await readFile(join(REPO_ROOT, 'nginx', 'tap-realip.conf'), 'utf8');
  const rendered = source.replace(
    /set_real_ip_from 10\.0\.0\.0\/8;(\s*# sed:)/,
    `set_real_ip_from ${from};$1`,
  );
  await mkdir(join(dir, 'tap-realip.d'));
  await writeFile(join(dir, 'tap-realip.d', 'realip.conf'), rendered);
}
