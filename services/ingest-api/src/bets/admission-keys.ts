/**
 * The admission script's keys as Lua expressions (issue 19). A bet's seven keys and three operator
 * keys were sent with every bet — ten strings of 30–90 bytes built, encoded and parsed per bet —
 * though each is a fixed prefix plus values the script gets anyway (the user id, the client bet id,
 * the cell, the bet id). The script now builds them itself, from the text @tap/channels gives: each
 * key function is called once with markers in place of its arguments, and its literal parts become
 * Lua string constants around the Lua values. @tap/channels stays the one place a key is named; a key
 * function that did more than place its arguments in a text (hash, case-fold, format a number) is
 * refused here at start-up, when the markers do not come back.
 *
 * Rights are unchanged: Redis checks every command a script runs against the caller's ACL user, so
 * an undeclared key is checked like a declared one (admission-script.ts's header). Redis Cluster
 * would need the keys declared again (docs/scaling.md): one call holds several wallets' keys and
 * the global exposure total, which no cluster slot holds together anyway.
 */
import assert from 'node:assert/strict';
import type { Channels } from '@tap/channels';

/** A Lua string literal of key text from @tap/channels: nothing to escape, checked. */
export function luaLiteral(value: number | string): string {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `admission script constant ${value}`);
    return String(value);
  }
  assert.match(value, /^[\x21-\x7e]+$/, `admission script key text ${value}`);
  assert.ok(!value.includes("'") && !value.includes('\\'), `admission script key text ${value}`);
  return `'${value}'`;
}

// Upper case, so a key function that case-folds its arguments loses the markers.
const MARKER = /\uE000K(\d+)\uE000/;

/** `keyOf(…markers)` as a Lua expression: its literal parts around `luaValues`, in their order. */
export function luaKey(keyOf: (...values: string[]) => string, ...luaValues: string[]): string {
  const text = keyOf(...luaValues.map((_, i) => `\uE000K${i}\uE000`));
  const parts = text.split(MARKER);
  assert.equal(parts.length, 2 * luaValues.length + 1, `key ${text} does not hold each argument once`);
  const pieces = parts.flatMap((part, i) => {
    if (i % 2 === 1) return [luaValues[Number(part)] as string];
    return part === '' ? [] : [luaLiteral(part)];
  });
  assert.equal(new Set(parts.filter((_, i) => i % 2 === 1)).size, luaValues.length);
  return pieces.join(' .. ');
}

/**
 * The Lua functions of the script that name a bet's keys from its values, and the constant keys as
 * Lua locals. Numbers (t0, p0) come as the decimal text ARGV holds, which is how a template literal
 * writes them in @tap/channels.
 */
export function luaKeyFunctions({ keys, streams }: Channels): string {
  const loose = (f: unknown) => f as (...values: string[]) => string;
  return `local exposureTotalKey = ${luaLiteral(keys.exposureTotal)}
local betsStreamKey = ${luaLiteral(streams.bets)}
local cacheReadyKey = ${luaLiteral(keys.balanceCacheReady)}
local function idempotencyKey(user, clientBetId) return ${luaKey(loose(keys.idempotency), 'user', 'clientBetId')} end
local function walletKey(user) return ${luaKey(loose(keys.wallet), 'user')} end
local function cellKey(t0, p0) return ${luaKey(loose(keys.exposureCell), 't0', 'p0')} end
local function columnKey(t0) return ${luaKey(loose(keys.exposureColumn), 't0')} end
local function pendingKey(betId) return ${luaKey(loose(keys.pendingBet), 'betId')} end
local function frozenKey(user) return ${luaKey(loose(keys.frozen), 'user')} end
local function walletLimitKey(user) return ${luaKey(loose(keys.walletLimit), 'user')} end
local function fillDelayKey(user) return ${luaKey(loose(keys.fillDelay), 'user')} end`;
}
