/**
 * Authentication of operator entries (`tap:adjustments`, `tap:operator`): an HMAC-SHA256 with a key
 * only tapctl and the batcher hold (OPERATOR_MAC_KEY, from a root-only env file). Redis is shared
 * by every daemon, so without it anything able to XADD could move money; with it the batcher
 * dead-letters an entry whose MAC does not verify and moves nothing.
 *
 * The MAC covers every field but `mac`, in sorted key order, prefixed with the stream kind, so an
 * adjustment's MAC cannot be replayed as an operator action (or the reverse). Replaying the very
 * same entry is harmless: the batcher applies an id once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** 32 to 64 random bytes, hex (`openssl rand -hex 32`). */
export const operatorKeySchema = z
  .string()
  .regex(/^(?:[0-9a-f]{2}){32,64}$/, 'must be 64 to 128 lower-case hex characters (openssl rand -hex 32)');

export const macSchema = z.string().regex(/^[0-9a-f]{64}$/, 'HMAC-SHA256, 64 hex characters');

export type MacPurpose = 'adjustments' | 'operator';

type Unsigned = Record<string, string | number | boolean>;

function canonical(purpose: MacPurpose, fields: Unsigned): string {
  const pairs = Object.keys(fields)
    .filter((key) => key !== 'mac')
    .sort()
    .map((key) => [key, fields[key]]);
  return `${purpose}\n${JSON.stringify(pairs)}`;
}

export function operatorMac(purpose: MacPurpose, fields: Unsigned, keyHex: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(canonical(purpose, fields)).digest('hex');
}

/** The entry with its `mac` set (any `mac` it had is replaced). */
export function signOperatorEntry<T extends Unsigned>(
  purpose: MacPurpose,
  fields: Omit<T, 'mac'>,
  keyHex: string,
): T {
  return { ...fields, mac: operatorMac(purpose, fields as Unsigned, keyHex) } as unknown as T;
}

/** Constant-time check of the entry's `mac`. */
export function verifyOperatorEntry(
  purpose: MacPurpose,
  entry: Unsigned & { mac: string },
  keyHex: string,
): boolean {
  const expected = Buffer.from(operatorMac(purpose, entry, keyHex), 'hex');
  const given = Buffer.from(entry.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
