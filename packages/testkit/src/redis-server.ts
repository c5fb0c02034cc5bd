/**
 * A real redis-server for a test: infra/redis.conf (AOF + RDB, noeviction, 512 MB) on 127.0.0.1, a
 * random port and a temp data dir, stopped by PID. `crash()` is kill -9; `restart()` starts it again
 * on the same port and data dir, which is how durability tests check what survives.
 *
 * `aclPrefix` starts it as production runs it: scripts/install-redis.sh installs the shipped config
 * and the ACL users (infra/redis-users.acl.in for that key prefix) into a temp root, and Redis
 * starts on that installed config, whose own `aclfile` line loads the users. `url` then signs in as
 * `admin`, and `credentials(user)` is what a daemon running as that user gets. Without it, Redis
 * runs on its default user (REDIS_NO_ACL_ARGS).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type ProcessOptions, type Started, startProcess } from './process.js';
import { REDIS_ACL_TEMPLATE, REDIS_CONF, REDIS_NO_ACL_ARGS, REPO_ROOT } from './repo.js';

/** A test's own client signing in as one of the ACL users. */
export interface RedisCredentials {
  REDIS_USERNAME: string;
  REDIS_PASSWORD: string;
}

/**
 * The environment a daemon gets to sign in as one of the ACL users, as its systemd unit gives it:
 * the password as a file (the unit's credential is a copy of the installed password file).
 */
export interface RedisDaemonCredentials {
  REDIS_USERNAME: string;
  REDIS_PASSWORD_FILE: string;
}

export interface TestRedis {
  url: string;
  /** `unix:///<dir>/redis.sock` (REDIS_URL over the unix socket) when started with `unixSocket`. */
  socketUrl: string | undefined;
  port: number;
  dir: string;
  readonly pid: number;
  /** True while redis-server runs (false after `crash()` until `restart()`). */
  running(): boolean;
  /** The ACL user's name and password; throws when the server was started without `aclPrefix`. */
  credentials(user: string): RedisCredentials;
  /** The ACL user's name and password file, for a daemon; throws without `aclPrefix` too. */
  daemonCredentials(user: string): RedisDaemonCredentials;
  crash(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisOptions extends Pick<ProcessOptions, 'logPath' | 'linesMax'> {
  extraArgs?: readonly string[];
  /** Run with the ACL users of infra/redis-users.acl.in for that key prefix. */
  aclPrefix?: string;
  /** Start on an existing data dir (e.g. RDB/AOF files restored from a backup); default a fresh temp dir. */
  dir?: string;
  /**
   * Also listen on a unix socket in the data dir, mode 0770, as production does
   * (infra/redis.conf `unixsocket`): `socketUrl` names it. TCP stays on for the test's own clients.
   */
  unixSocket?: boolean;
  /** How long a start or restart may take to be ready (replaying a long AOF takes a while). Default 15 s. */
  readyTimeoutMs?: number;
}

export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tap-redis-')));
  const port = await freePort();
  const installRoot = join(dir, 'acl-root');
  const secrets = join(installRoot, 'etc', 'tap', 'redis');
  if (options.aclPrefix) {
    execFileSync(
      'bash',
      [join(REPO_ROOT, 'scripts', 'install-redis.sh'), '--root', installRoot, '--prefix', options.aclPrefix],
      { stdio: 'ignore' },
    );
  }
  // The installed config loads its ACL file itself; the bare one is told to run without one.
  const [config, ...aclArgs] = options.aclPrefix
    ? [join(installRoot, 'etc', 'redis', 'tap.conf')]
    : [REDIS_CONF, ...REDIS_NO_ACL_ARGS];
  const daemonCredentials = (user: string): RedisDaemonCredentials => {
    if (!options.aclPrefix) throw new Error('this test Redis runs without ACL users');
    return { REDIS_USERNAME: user, REDIS_PASSWORD_FILE: join(secrets, `${user}.password`) };
  };
  const credentials = (user: string): RedisCredentials => {
    const { REDIS_PASSWORD_FILE } = daemonCredentials(user);
    return { REDIS_USERNAME: user, REDIS_PASSWORD: readFileSync(REDIS_PASSWORD_FILE, 'utf8') };
  };
  const admin = options.aclPrefix ? `admin:${encodeURIComponent(credentials('admin').REDIS_PASSWORD)}@` : '';
  const args = [
    config as string,
    '--port',
    String(port),
    '--dir',
    dir,
    '--daemonize',
    'no',
    ...aclArgs,
    ...(options.unixSocket ? ['--unixsocket', join(dir, 'redis.sock'), '--unixsocketperm', '770'] : []),
    ...(options.extraArgs ?? []),
  ];
  const launch = async () => {
    const proc = startProcess('redis-server', args, {
      name: 'redis-server',
      logPath: options.logPath,
      linesMax: options.linesMax,
    });
    await proc.waitForLine(
      (line) => line.includes('Ready to accept connections'),
      options.readyTimeoutMs ?? 15_000,
    );
    return proc;
  };
  let proc: Started = await launch();
  return {
    url: `redis://${admin}127.0.0.1:${port}`,
    socketUrl: options.unixSocket ? `unix://${join(dir, 'redis.sock')}` : undefined,
    port,
    dir,
    credentials,
    daemonCredentials,
    get pid() {
      return proc.pid;
    },
    running: () => proc.running(),
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

/** The user names of the ACL template (`user <name> …` lines), in its order. */
export function redisAclUsers(): string[] {
  return [...readFileSync(REDIS_ACL_TEMPLATE, 'utf8').matchAll(/^user (\S+) /gm)].map(
    (match) => match[1] as string,
  );
}
