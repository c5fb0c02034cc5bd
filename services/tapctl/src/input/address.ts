/**
 * Wallet addresses as an operator types them: `0x` and 40 hex digits; the user id is the
 * lower-cased address (SPEC §2). An all-lower-case or all-upper-case address carries no checksum
 * and is taken as typed; a mixed-case one is an EIP-55 checksummed address and must match its
 * checksum, so a mistyped digit in a copied address is refused instead of moving money to a
 * wallet nobody owns.
 */
import { getAddress } from 'viem';

const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

export type ParsedAddress =
  | { ok: true; userId: string }
  | { ok: false; code: 'address_invalid'; message: string };

export function parseAddress(text: string): ParsedAddress {
  if (!ADDRESS_PATTERN.test(text)) {
    return {
      ok: false,
      code: 'address_invalid',
      message: `"${text}" is not a wallet address (0x + 40 hex digits)`,
    };
  }
  const digits = text.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && getAddress(text) !== text) {
    return {
      ok: false,
      code: 'address_invalid',
      message: `"${text}" fails its EIP-55 checksum (a mistyped character?); check the address, or type it in lower case to skip the check`,
    };
  }
  return { ok: true, userId: text.toLowerCase() };
}
