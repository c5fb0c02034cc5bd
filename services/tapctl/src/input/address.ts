/**
 * Wallet addresses as an operator types them: `0x` and 40 hex digits, any case; the user id is the
 * lower-cased address (SPEC §2). The EIP-55 checksum of a mixed-case address is not verified
 * (that needs keccak-256, which node:crypto does not have).
 */
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
  return { ok: true, userId: text.toLowerCase() };
}
