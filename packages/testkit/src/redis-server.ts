/**
 * A real redis-server for a test: infra/redis.conf (AOF + RDB, noeviction, 512 MB) on 127.0.0.1, a
 * random port and a temp data dir, stopped by PID. `crash()` is kill -9; `restart()` starts it again
 * on the same port and data dir, which is how durability tests check what survives.
 *
 * `aclPrefix` starts it with the production ACL users (infra/redis-users.acl.in rendered by
 * scripts/redis-acl.sh for that key prefix, passwords in the temp dir): `url` then signs in as
 * `admin`, and `credentials(user)` is what a daemon running as that user gets.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type Started, startProcess } from './process.js';
import { REDIS_CONF, REPO_ROOT } from './repo.js';

/** The environment a daemon gets to sign in as one of the ACL users. */
export interface RedisCredentials {
  REDIS_USERNAME: string;
  REDIS_PASSWORD: string;
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  readonly pid: number;
  /** The ACL user's name and password; throws when the server was started without `aclPrefix`. */
  credentials(user: string): RedisCredentials;
  crash(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `dir`: start on an existing data dir (e.g. RDB/AOF files restored from a backup); default a fresh
 * temp dir. `aclPrefix`: run with the ACL users of infra/redis-users.acl.in for that key prefix.
 */
export async function startRedis(
  options: { extraArgs?: string[]; aclPrefix?: string; dir?: string } = {},
): Promise<TestRedis> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tap-redis-')));
  const port = await freePort();
  const secrets = join(dir, 'acl-secrets');
  const aclArgs: string[] = [];
  if (options.aclPrefix) {
    const aclFile = join(dir, 'users.acl');
    execFileSync(
      'bash',
      [
        join(REPO_ROOT, 'scripts', 'redis-acl.sh'),
        '--secrets',
        secrets,
        '--out',
        aclFile,
        '--prefix',
        options.aclPrefix,
      ],
      {
        stdio: 'ignore',
      },
    );
    aclArgs.push('--aclfile', aclFile);
  }
  const credentials = (user: string): RedisCredentials => {
    if (!options.aclPrefix) throw new Error('this test Redis runs without ACL users');
    return { REDIS_USERNAME: user, REDIS_PASSWORD: readFileSync(join(secrets, `${user}.password`), 'utf8') };
  };
  const admin = options.aclPrefix ? `admin:${encodeURIComponent(credentials('admin').REDIS_PASSWORD)}@` : '';
  const args = [
    REDIS_CONF,
    '--port',
    String(port),
    '--dir',
    dir,
    '--daemonize',
    'no',
    ...aclArgs,
    ...(options.extraArgs ?? []),
  ];
  const launch = async () => {
    const proc = startProcess('redis-server', args);
    await proc.waitForLine((line) => line.includes('Ready to accept connections'), 15_000);
    return proc;
  };
  let proc: Started = await launch();
  return {
    url: `redis://${admin}127.0.0.1:${port}`,
    port,
    dir,
    credentials,
    get pid() {
      return proc.pid;
    },
    async crash() {
      await proc.stop('SIGKILL');
    },
    async restart() {
      await proc.stop('SIGKILL');
      proc = await launch();
    },
    async stop() {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
