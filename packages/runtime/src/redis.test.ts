import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisAddress, redisCredentials } from './redis.js';

const URL = 'redis://127.0.0.1:6379';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tap-redis-credential-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('redisCredentials', () => {
  it("reads the password from a credential file, without the file's trailing newline", () => {
    const file = join(dir, 'redis-password');
    writeFileSync(file, 'pw-from-file\n');
    expect(
      redisCredentials({ REDIS_URL: URL, REDIS_USERNAME: 'batcher', REDIS_PASSWORD_FILE: file }),
    ).toEqual({
      username: 'batcher',
      password: 'pw-from-file',
    });
  });

  it('refuses an empty or missing credential file instead of falling back to no password', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() =>
      redisCredentials({ REDIS_URL: URL, REDIS_USERNAME: 'batcher', REDIS_PASSWORD_FILE: empty }),
    ).toThrow(/is empty/);
    expect(() =>
      redisCredentials({
        REDIS_URL: URL,
        REDIS_USERNAME: 'batcher',
        REDIS_PASSWORD_FILE: join(dir, 'missing'),
      }),
    ).toThrow(/ENOENT/);
  });

  it('uses the password variable, or nothing (the default user)', () => {
    expect(redisCredentials({ REDIS_URL: URL, REDIS_USERNAME: 'tapctl', REDIS_PASSWORD: 'pw' })).toEqual({
      username: 'tapctl',
      password: 'pw',
    });
    expect(redisCredentials({ REDIS_URL: URL })).toEqual({});
  });
});

describe('redisAddress', () => {
  it('turns a unix:/// URL into the socket path and leaves a redis:// URL to ioredis', () => {
    expect(redisAddress('unix:///run/tap-redis/redis.sock')).toEqual({ path: '/run/tap-redis/redis.sock' });
    expect(redisAddress('unix:///tmp/a%20b/redis.sock')).toEqual({ path: '/tmp/a b/redis.sock' });
    expect(redisAddress(URL)).toEqual({ url: URL });
  });
});
