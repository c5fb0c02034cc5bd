/** Paths inside the repository, found from this file so tests work from any package. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const REDIS_CONF = join(REPO_ROOT, 'infra', 'redis.conf');
/**
 * Appended to a redis-server command line on REDIS_CONF to run it on Redis's default user: the
 * shipped config loads /etc/redis/tap-users.acl (production must never start without it), which a
 * test or benchmark machine does not have. ACL tests use startRedis({ aclPrefix }) instead.
 */
export const REDIS_NO_ACL_ARGS: readonly string[] = ['--aclfile', ''];
/** The ACL users' template (one source of truth for who may do what in Redis). */
export const REDIS_ACL_TEMPLATE = join(REPO_ROOT, 'infra', 'redis-users.acl.in');

export function serviceEntry(service: string): string {
  return join(REPO_ROOT, 'services', service, 'dist', 'main.js');
}

/**
 * Node's own flags in the service's systemd unit (`ExecStart=/usr/bin/node <flags> …/main.js`), so
 * a daemon started by the test kit runs as it ships (the batcher's young-generation size); none for
 * a service without a unit.
 */
export function unitNodeArgs(service: string): string[] {
  const unit = join(REPO_ROOT, 'systemd', `tap-${service}.service`);
  if (!existsSync(unit)) return [];
  const execStart = /^ExecStart=(.*)$/m.exec(readFileSync(unit, 'utf8'))?.[1] ?? '';
  const [, ...words] = execStart.trim().split(/\s+/);
  const flags: string[] = [];
  for (const word of words) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}
