import { createChannels } from '@tap/channels';
import { describe, expect, it } from 'vitest';
import { luaKey, luaKeyFunctions } from './admission-keys.js';

describe('the admission script keys', () => {
  const channels = createChannels('tap:');

  it('builds each key from the literal text of @tap/channels around the Lua values', () => {
    expect(luaKey(channels.keys.wallet, 'user')).toBe(`'tap:wallet:' .. user`);
    expect(luaKey(channels.keys.idempotency, 'user', 'id')).toBe(`'tap:idem:' .. user .. ':' .. id`);
    const cell = (t0: string, p0: string) => channels.keys.exposureCell(t0 as never, p0 as never);
    expect(luaKey(cell, 't0', 'p0')).toBe(`'tap:exposure:cell:' .. t0 .. ':' .. p0`);
  });

  it('names every key the script touches, the same text as @tap/channels for the same values', () => {
    // Evaluates the Lua key functions' concatenations in JS: the texts must be channels' own.
    const lua = luaKeyFunctions(channels);
    const user = '0x00000000000000000000000000000000000000a1';
    const expressionOf = (fn: string) =>
      new RegExp(`local function ${fn}\\([^)]*\\) return (.*) end`).exec(lua)?.[1];
    const evaluate = (expr: string | undefined, values: Record<string, string>) =>
      (expr ?? '')
        .split(' .. ')
        .map((part) => (part.startsWith("'") ? part.slice(1, -1) : values[part]))
        .join('');
    expect(evaluate(expressionOf('walletKey'), { user })).toBe(channels.keys.wallet(user));
    expect(evaluate(expressionOf('frozenKey'), { user })).toBe(channels.keys.frozen(user));
    expect(evaluate(expressionOf('walletLimitKey'), { user })).toBe(channels.keys.walletLimit(user));
    expect(evaluate(expressionOf('fillDelayKey'), { user })).toBe(channels.keys.fillDelay(user));
    expect(evaluate(expressionOf('pendingKey'), { betId: '01JB' })).toBe(channels.keys.pendingBet('01JB'));
    expect(evaluate(expressionOf('columnKey'), { t0: '1765000000000' })).toBe(
      channels.keys.exposureColumn(1_765_000_000_000),
    );
    expect(evaluate(expressionOf('cellKey'), { t0: '1765000000000', p0: '9501000' })).toBe(
      channels.keys.exposureCell(1_765_000_000_000, 9_501_000),
    );
    expect(evaluate(expressionOf('idempotencyKey'), { user, clientBetId: 'c' })).toBe(
      channels.keys.idempotency(user, 'c'),
    );
    expect(lua).toContain(`local exposureTotalKey = '${channels.keys.exposureTotal}'`);
    expect(lua).toContain(`local betsStreamKey = '${channels.streams.bets}'`);
    expect(lua).toContain(`local cacheReadyKey = '${channels.keys.balanceCacheReady}'`);
  });

  it('refuses at start-up a key function that does more than place its arguments', () => {
    expect(() => luaKey((user) => `tap:wallet:${user.toLowerCase()}`, 'user')).toThrow(/each argument once/);
    expect(() => luaKey((user) => `tap:wallet:${user.length}`, 'user')).toThrow(/each argument once/);
    expect(() => luaKey((user) => `tap:wallet:${user}:${user}`, 'user')).toThrow(/each argument once/);
    expect(() => luaKey((user) => `tap:it's:${user}`, 'user')).toThrow(/key text/);
  });
});
