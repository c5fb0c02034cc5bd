import { describe, expect, it } from 'vitest';
import { commonEnv, env, parseEnv } from './config.js';

const shape = { ...commonEnv, OPS_PORT: env.port(9100), BATCH_MAX: env.intBetween(1, 10_000, 1_000) };

describe('parseEnv', () => {
  it('applies the defaults when nothing is set', () => {
    const result = parseEnv(shape, {});
    expect(result).toEqual({
      ok: true,
      config: {
        LOG_LEVEL: 'info',
        REDIS_URL: 'redis://127.0.0.1:6379',
        TAP_KEY_PREFIX: 'tap:',
        OPS_HOST: '127.0.0.1',
        OPS_PORT: 9100,
        BATCH_MAX: 1_000,
      },
    });
  });

  it('never echoes a password, in its own variable or inside a bad REDIS_URL', () => {
    const result = parseEnv(shape, {
      REDIS_URL: 'http://ingest-api:s3cret-pw@127.0.0.1:6379',
      REDIS_USERNAME: 'Bad Name',
      REDIS_PASSWORD: 'x'.repeat(600),
    });
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('REDIS_URL');
    expect(text).toContain('http://***@127.0.0.1:6379');
    expect(text).toContain('REDIS_PASSWORD');
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain('xxxx');
  });

  it('takes the Redis password from a file, never both ways, and names the pair', () => {
    const both = parseEnv(shape, { REDIS_PASSWORD: 's3cret-pw', REDIS_PASSWORD_FILE: '/run/credentials/x' });
    expect(both).toEqual({
      ok: false,
      problems: ['REDIS_PASSWORD_FILE: set REDIS_PASSWORD or REDIS_PASSWORD_FILE, not both (got both)'],
    });
    const relative = parseEnv(shape, { REDIS_PASSWORD_FILE: 'redis-password' });
    expect(relative.ok ? [] : relative.problems).toEqual([
      'REDIS_PASSWORD_FILE: must be an absolute path (got "redis-password")',
    ]);
    const file = parseEnv(shape, { REDIS_USERNAME: 'batcher', REDIS_PASSWORD_FILE: '/run/credentials/x' });
    expect(file.ok && file.config.REDIS_PASSWORD_FILE).toBe('/run/credentials/x');
  });

  it('takes REDIS_URL as redis://, rediss:// or the unix:/// socket path production uses, and nothing else', () => {
    for (const url of [
      'redis://127.0.0.1:6379',
      'rediss://redis.internal:6380/2',
      'unix:///run/tap-redis/redis.sock',
    ]) {
      const result = parseEnv(shape, { REDIS_URL: url });
      expect(result.ok && result.config.REDIS_URL).toBe(url);
    }
    for (const url of [
      'unix://run/redis.sock',
      'unix:///',
      'unix:///run/redis.sock?db=1',
      '/run/redis.sock',
      'http://x',
    ]) {
      const result = parseEnv(shape, { REDIS_URL: url });
      const problems = result.ok ? [] : result.problems;
      expect(problems.length, url).toBeGreaterThan(0);
      expect(problems.every((p) => p.startsWith('REDIS_URL: '))).toBe(true);
      expect(problems.join('\n')).toContain('or unix:///<absolute path of the socket>');
    }
  });

  it('treats an empty assignment as unset', () => {
    const result = parseEnv(shape, { OPS_PORT: '' });
    expect(result.ok && result.config.OPS_PORT).toBe(9100);
  });

  it('names every bad variable, not just the first', () => {
    const result = parseEnv(shape, {
      OPS_PORT: '70000',
      BATCH_MAX: '1.5',
      REDIS_URL: 'http://example',
      LOG_LEVEL: 'loud',
      TAP_KEY_PREFIX: 'Tap',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const named = result.problems.map((p) => p.split(':')[0]);
    expect(named.sort()).toEqual(['BATCH_MAX', 'LOG_LEVEL', 'OPS_PORT', 'REDIS_URL', 'TAP_KEY_PREFIX']);
    expect(result.problems.find((p) => p.startsWith('OPS_PORT'))).toContain('"70000"');
  });

  it('ignores variables it does not know', () => {
    expect(parseEnv(shape, { UNRELATED: 'x' }).ok).toBe(true);
  });

  it('parses booleans strictly', () => {
    const boolShape = { FLAG: env.bool(false) };
    expect(parseEnv(boolShape, { FLAG: '1' })).toEqual({ ok: true, config: { FLAG: true } });
    expect(parseEnv(boolShape, { FLAG: 'yes' }).ok).toBe(false);
  });
});
