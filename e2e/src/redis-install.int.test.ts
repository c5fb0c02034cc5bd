/**
 * Issue 16: the shipped Redis config loads the shipped ACL users. scripts/install-redis.sh (the deploy
 * step) installs infra/redis.conf and the users rendered from infra/redis-users.acl.in with
 * root-only passwords; a real redis-server on the installed config signs in exactly the template's
 * users, keeps `default` off, and refuses to start at all when the ACL file is missing, so production
 * never comes up on the open default user. What each user may and may not do is
 * redis-acl.int.test.ts (every daemon running as its own user on this same installed config).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, redisAclUsers, startProcess, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const INSTALL = join(REPO_ROOT, 'scripts', 'install-redis.sh');
const PREFIX = 'install:';
const runningAsRoot = process.getuid?.() === 0;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tap-redis-install-'));
  execFileSync('bash', [INSTALL, '--root', root, '--prefix', PREFIX], { stdio: 'pipe' });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const installed = (path: string) => join(root, path);

describe('scripts/install-redis.sh', () => {
  it('installs the shipped config, pointed at the rendered ACL file, with root-only passwords', () => {
    const tapConf = readFileSync(installed('etc/redis/tap.conf'), 'utf8');
    expect(tapConf).toContain(`\naclfile ${installed('etc/redis/tap-users.acl')}\n`);
    const shipped = readFileSync(join(REPO_ROOT, 'infra', 'redis.conf'), 'utf8');
    expect(shipped).toContain('\naclfile /etc/redis/tap-users.acl\n');
    expect(tapConf.replace(installed('etc/redis/tap-users.acl'), '/etc/redis/tap-users.acl')).toBe(shipped);
    expect(readFileSync(installed('etc/redis/redis.conf'), 'utf8')).toContain(
      `include ${installed('etc/redis/tap.conf')}`,
    );
    expect(mode(installed('etc/tap/redis'))).toBe('700');
    for (const user of redisAclUsers().filter((name) => name !== 'default')) {
      expect(mode(installed(`etc/tap/redis/${user}.password`)), user).toBe('600');
    }
    for (const file of ['tap-users.acl', 'tap.conf', 'redis.conf']) {
      expect(mode(installed(`etc/redis/${file}`)), file).toBe('640');
      // As root (production), redis-server's group reads them and nobody else does.
      if (runningAsRoot) expect(statSync(installed(`etc/redis/${file}`)).uid, file).toBe(0);
    }
  });

  it('keeps every password on a second run, so a re-deploy never locks a daemon out', () => {
    const password = (user: string) => readFileSync(installed(`etc/tap/redis/${user}.password`), 'utf8');
    const before = redisAclUsers()
      .filter((name) => name !== 'default')
      .map(password);
    const acl = readFileSync(installed('etc/redis/tap-users.acl'), 'utf8');
    execFileSync('bash', [INSTALL, '--root', root, '--prefix', PREFIX], { stdio: 'pipe' });
    expect(
      redisAclUsers()
        .filter((name) => name !== 'default')
        .map(password),
    ).toEqual(before);
    expect(readFileSync(installed('etc/redis/tap-users.acl'), 'utf8')).toBe(acl);
    expect(acl).not.toContain(before[0]);
  });

  it("writes Debian's redis.conf so that redis-server loads tap.conf and its ACL users, on a 0770 unix socket with TCP off", async () => {
    const conf = readFileSync(installed('etc/redis/redis.conf'), 'utf8');
    expect(conf).toMatch(/^unixsocket \/run\/tap-redis\/redis\.sock$/m);
    expect(conf).toMatch(/^port 0$/m);
    expect(
      readFileSync(installed('etc/systemd/system/redis-server.service.d/tap-socket.conf'), 'utf8'),
    ).toMatch(/^ReadWritePaths=\/run\/tap-redis$/m);
    // The host's pid file, data dir and socket directory overridden, as a test must; the rest as installed.
    const data = await mkdtemp(join(tmpdir(), 'tap-redis-debian-'));
    const socket = join(data, 'redis.sock');
    const redis = startProcess('redis-server', [
      installed('etc/redis/redis.conf'),
      '--unixsocket',
      socket,
      '--dir',
      data,
      '--pidfile',
      '',
      '--daemonize',
      'no',
    ]);
    try {
      // Without TCP, Redis 7.0 says "ready to accept connections at <socket>".
      await redis.waitForLine((line) => /ready to accept connections/i.test(line), 15_000);
      expect(mode(socket)).toBe('770');
      const password = readFileSync(installed('etc/tap/redis/admin.password'), 'utf8');
      const admin = new Redis({ path: socket, username: 'admin', password });
      try {
        expect(((await admin.call('ACL', 'USERS')) as string[]).sort()).toEqual([...redisAclUsers()].sort());
        expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
        expect(await admin.config('GET', 'port')).toEqual(['port', '0']);
      } finally {
        admin.disconnect();
      }
    } finally {
      await redis.stop();
      await rm(data, { recursive: true, force: true });
    }
  });

  it('leaves Redis refusing to start when the ACL file is missing', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'tap-redis-noacl-'));
    try {
      execFileSync('bash', [INSTALL, '--root', broken, '--prefix', PREFIX], { stdio: 'pipe' });
      rmSync(join(broken, 'etc/redis/tap-users.acl'));
      const redis = startProcess('redis-server', [
        join(broken, 'etc/redis/tap.conf'),
        '--port',
        String(await freePort()),
        '--dir',
        broken,
        '--daemonize',
        'no',
      ]);
      // A Redis that starts anyway is stopped by its PID before the assertion fails.
      const exited = await redis
        .waitForLine((line) => line.includes('Ready to accept connections'), 10_000)
        .then(
          () => redis.stop(),
          () => redis.exited,
        );
      expect(exited).toEqual({ code: 1, signal: null });
      expect(redis.lines.join('\n')).toMatch(/tap-users\.acl/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});

describe('redis-server on the installed config', () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis({ aclPrefix: PREFIX });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('knows exactly the template users, each signing in with its installed password', async () => {
    const listed = ((await admin.call('ACL', 'USERS')) as string[]).sort();
    expect(listed).toEqual([...redisAclUsers()].sort());
    for (const user of redisAclUsers().filter((name) => name !== 'default')) {
      const { REDIS_USERNAME, REDIS_PASSWORD } = redis.credentials(user);
      const client = new Redis({ port: redis.port, username: REDIS_USERNAME, password: REDIS_PASSWORD });
      try {
        await expect(client.ping(), user).resolves.toBe('PONG');
      } finally {
        client.disconnect();
      }
    }
  });

  it('refuses the default user and a wrong password', async () => {
    const anonymous = new Redis({ port: redis.port, lazyConnect: true, enableReadyCheck: false });
    await anonymous.connect().catch(() => undefined);
    await expect(anonymous.get(`${PREFIX}price:last`)).rejects.toThrow(/NOAUTH|WRONGPASS|NOPERM/);
    await expect(anonymous.call('AUTH', 'batcher', 'not-the-password')).rejects.toThrow(/WRONGPASS/);
    anonymous.disconnect();
  });
});
