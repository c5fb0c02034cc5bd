/**
 * The demo faucet (`POST /v1/demo/faucet`, only when DEMO_MODE=1): credits play money to the
 * caller's wallet through `tap:adjustments` — the path tapctl deposits take, so the batcher applies
 * it, writes the ledger row and sends the balance event like any deposit. Signed with the operator
 * key like tapctl's (operator `demo-faucet`): only a demo ingest-api holds it.
 *
 * Bounded per wallet: one Lua script adds the amount to the wallet's faucet total (24 h TTL from the
 * first credit) and appends the deposit only if the total stays within DEMO_FAUCET_WALLET_MICROS_MAX,
 * atomically, so concurrent calls cannot overshoot and a counted credit is always in the stream.
 */
import { randomUUID } from 'node:crypto';
import { type Channels, encodeEntry } from '@tap/channels';
import { type AdjustmentEntry, signOperatorEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';

const FAUCET_WINDOW_S = 86_400;

// KEYS: faucet total, adjustments stream. ARGV: amount, wallet max, entry field, entry JSON, TTL s.
const FAUCET_SCRIPT = `
local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount, max = tonumber(ARGV[1]), tonumber(ARGV[2])
if taken + amount > max then return {'faucet_exhausted', tostring(max - taken)} end
redis.call('XADD', KEYS[2], '*', ARGV[3], ARGV[4])
redis.call('SET', KEYS[1], tostring(taken + amount), 'KEEPTTL')
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[5]) end
return {'ok', tostring(max - taken - amount)}
`;

export interface FaucetRule {
  amountMicros: number;
  walletMicrosMax: number;
  /** Demo mode only: the operator key (the batcher dead-letters an unsigned deposit). */
  operatorKeyHex: string;
}

export type FaucetVerdict =
  | { ok: true; body: { adjustmentId: string; amountMicros: number; remainingMicros: number } }
  | { ok: false; code: 'faucet_exhausted'; remainingMicros: number };

type FaucetRedis = Redis & {
  tapDemoFaucet(...args: (string | number)[]): Promise<[string, string]>;
};

export function createFaucet(redis: Redis, channels: Channels, rule: FaucetRule, now: () => number) {
  redis.defineCommand('tapDemoFaucet', { numberOfKeys: 2, lua: FAUCET_SCRIPT });
  const scripted = redis as FaucetRedis;
  return async function takeFaucet(userId: string): Promise<FaucetVerdict> {
    const entry = signOperatorEntry<AdjustmentEntry>(
      'adjustments',
      {
        adjustmentId: `faucet-${randomUUID()}`,
        userId,
        kind: 'deposit',
        amountMicros: rule.amountMicros,
        reason: 'demo faucet',
        operator: 'demo-faucet',
        requestedAt: now(),
      },
      rule.operatorKeyHex,
    );
    const [field, json] = encodeEntry('adjustments', entry);
    const [verdict, remaining] = await scripted.tapDemoFaucet(
      channels.keys.demoFaucet(userId),
      channels.streams.adjustments,
      rule.amountMicros,
      rule.walletMicrosMax,
      field,
      json,
      FAUCET_WINDOW_S,
    );
    if (verdict !== 'ok') return { ok: false, code: 'faucet_exhausted', remainingMicros: Number(remaining) };
    return {
      ok: true,
      body: {
        adjustmentId: entry.adjustmentId,
        amountMicros: rule.amountMicros,
        remainingMicros: Number(remaining),
      },
    };
  };
}

export type TakeFaucet = ReturnType<typeof createFaucet>;
