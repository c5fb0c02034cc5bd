/**
 * Paths into the repository and a free loopback port. These mirror @tap/testkit's helpers: the
 * test kit's index also exports its vitest lifecycle suites, which import vitest at load time and
 * crash any process not started by vitest — so the harness cannot import @tap/testkit.
 */
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const REDIS_CONF = join(REPO_ROOT, 'infra', 'redis.conf');
export const BENCH_ROOT = join(REPO_ROOT, 'benchmarks');

export function serviceEntry(service: string): string {
  return join(REPO_ROOT, 'services', service, 'dist', 'main.js');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
