import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisRefusal } from './redis-refusal.js';

const reply = (message: string) => new ReplyError(message) as Error;

describe('redisRefusal', () => {
  it('maps a write refused for memory to service_busy', () => {
    expect(redisRefusal(reply("OOM command not allowed when used memory > 'maxmemory'."))).toBe(
      'service_busy',
    );
  });

  it('maps other refusals and a lost connection to service_unavailable', () => {
    expect(redisRefusal(reply('NOPERM User ws-gateway has no permissions to run the xadd command'))).toBe(
      'service_unavailable',
    );
    expect(redisRefusal(reply('MISCONF Redis is configured to save RDB snapshots'))).toBe(
      'service_unavailable',
    );
    expect(redisRefusal(new Error('Connection is closed.'))).toBe('service_unavailable');
    const inScript = "ERR The user executing the script can't run this command or subcommand script: 104a…";
    expect(redisRefusal(reply(inScript))).toBe('service_unavailable');
  });

  it('leaves our own bugs as internal errors', () => {
    expect(redisRefusal(reply('ERR user_script:3: attempt to compare nil with number'))).toBeNull();
    expect(redisRefusal(new TypeError('x is undefined'))).toBeNull();
    expect(redisRefusal('OOM')).toBeNull();
  });
});
