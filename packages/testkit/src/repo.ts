/** Paths inside the repository, found from this file so tests work from any package. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const REDIS_CONF = join(REPO_ROOT, 'infra', 'redis.conf');

export function serviceEntry(service: string): string {
  return join(REPO_ROOT, 'services', service, 'dist', 'main.js');
}
