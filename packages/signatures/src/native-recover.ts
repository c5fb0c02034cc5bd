/**
 * EIP-191 signer recovery through libsecp256k1 (the `secp256k1` npm addon, cryptocoinjs, which
 * ships a prebuilt linux-x64 glibc binary): ≈ 11,000 recoveries/s per core here against viem's
 * pure-JS ≈ 460/s (issue 19). viem stays the reference: `native-recover.test.ts` compares the two
 * on valid, tampered and malformed signatures.
 *
 * The addon is loaded through `secp256k1/bindings`, never the package's main entry: that entry
 * silently falls back to the pure-JS `elliptic` when the binary does not load, and a login path
 * 25× slower than the operator believes is a capacity hole. A missing binary is a start-up crash.
 * The addon stays outside the service bundles (tsup.service.ts NATIVE_ADDONS).
 */
import { createRequire } from 'node:module';
import { type Address, getAddress, type Hex, hashMessage, hexToBytes, keccak256 } from 'viem';

interface Secp256k1Native {
  /** Throws on a signature that does not parse or does not recover. */
  ecdsaRecover(sig64: Uint8Array, recid: number, msg32: Uint8Array, compressed: false): Uint8Array;
}

const secp256k1 = createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Native;

/**
 * The address that signed `message` (EIP-191 personal_sign), or null when the signature recovers
 * to no key. `signature` is 65 bytes of 0x-hex (the caller checked its shape); the last byte is the
 * recovery bit as 0/1 or 27/28 — the forms viem accepts; anything else is invalid.
 */
export function recoverMessageSigner(message: string, signature: Hex): Address | null {
  const bytes = hexToBytes(signature);
  if (bytes.length !== 65) return null;
  const v = bytes[64] as number;
  const recid = v === 0 || v === 1 ? v : v === 27 || v === 28 ? v - 27 : -1;
  if (recid < 0) return null;
  try {
    const publicKey = secp256k1.ecdsaRecover(
      bytes.subarray(0, 64),
      recid,
      hexToBytes(hashMessage(message)),
      false,
    );
    // The address is the last 20 bytes of keccak256 of the uncompressed key without its 0x04 prefix.
    return getAddress(`0x${keccak256(publicKey.subarray(1)).slice(-40)}`);
  } catch {
    // libsecp256k1 refuses r or s out of range and points off the curve: the client's bad signature.
    return null;
  }
}
