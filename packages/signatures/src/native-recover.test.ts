/**
 * libsecp256k1 recovery against viem's (the reference): the same signer, or both refusing, on
 * valid signatures, every recovery-byte form, high-s twins, tampered bytes and out-of-range r/s.
 */
import { type Hex, recoverMessageAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { recoverMessageSigner } from './native-recover.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function viemSigner(message: string, signature: Hex): Promise<string | null> {
  try {
    return await recoverMessageAddress({ message, signature });
  } catch {
    // viem throws where the native path answers null; both mean "no signer".
    return null;
  }
}

async function expectSameAsViem(message: string, signature: Hex): Promise<string | null> {
  const native = recoverMessageSigner(message, signature);
  expect(native, `${signature} over ${JSON.stringify(message)}`).toBe(await viemSigner(message, signature));
  return native;
}

const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');
const withV = (signature: Hex, v: number): Hex =>
  `${signature.slice(0, 130)}${v.toString(16).padStart(2, '0')}` as Hex;

describe('recoverMessageSigner', () => {
  it('recovers the signer of 50 fresh keys, as viem does', async () => {
    for (let i = 0; i < 50; i++) {
      const account = privateKeyToAccount(generatePrivateKey());
      const message = `sign-in ${i} ✓ ${'x'.repeat(i * 7)}`;
      const signature = await account.signMessage({ message });
      expect(await expectSameAsViem(message, signature)).toBe(account.address);
    }
  });

  it('takes the recovery bit as 0/1 or 27/28 and refuses other bytes, as viem does', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = 'recovery byte forms';
    const signature = await account.signMessage({ message });
    const bit = Number.parseInt(signature.slice(130), 16) - 27;
    expect(await expectSameAsViem(message, withV(signature, bit))).toBe(account.address);
    expect(await expectSameAsViem(message, withV(signature, bit + 27))).toBe(account.address);
    for (const v of [2, 26, 29, 35, 0xff])
      expect(await expectSameAsViem(message, withV(signature, v))).not.toBe(account.address);
  });

  it('agrees on the high-s twin and on r or s out of range', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = 'malleability';
    const signature = await account.signMessage({ message });
    const r = BigInt(`0x${signature.slice(2, 66)}`);
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = Number.parseInt(signature.slice(130), 16);
    const twin = `0x${hex32(r)}${hex32(N - s)}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await expectSameAsViem(message, twin);
    for (const [rr, ss] of [
      [0n, s],
      [r, 0n],
      [N, s],
      [r, N],
      [N + 5n, s],
    ] as const) {
      expect(await expectSameAsViem(message, `0x${hex32(rr)}${hex32(ss)}1b`)).toBeNull();
    }
  });

  it('agrees on every single-byte corruption of a signature', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = 'tampered';
    const signature = await account.signMessage({ message });
    for (let byte = 0; byte < 64; byte++) {
      const at = 2 + byte * 2;
      const flipped = (Number.parseInt(signature.slice(at, at + 2), 16) ^ 0x5a).toString(16).padStart(2, '0');
      const tampered = `${signature.slice(0, at)}${flipped}${signature.slice(at + 2)}` as Hex;
      expect(await expectSameAsViem(message, tampered)).not.toBe(account.address);
    }
  });

  it('refuses a signature that is not 65 bytes', () => {
    expect(recoverMessageSigner('short', '0x1234')).toBeNull();
  });
});
