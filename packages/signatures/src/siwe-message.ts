/**
 * Client-side helpers for `@tap/client` (browser and Node), tests and the load harness: build an
 * EIP-4361 message (a thin wrapper over viem's createSiweMessage, so the text matches what real
 * wallets sign) and draw a nonce. Browser-safe (no `node:` imports): the web client imports this
 * file alone as `@tap/signatures/message`, since the package index pulls in worker threads.
 */
import type { Address } from 'viem';
import { createSiweMessage } from 'viem/siwe';

export interface BuildSiweMessageParams {
  address: Address;
  domain: string;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
  notBefore?: Date;
  statement?: string;
  scheme?: string;
  requestId?: string;
  resources?: string[];
}

/** EIP-4361 text, version 1. Throws (viem's SiweInvalidMessageFieldError) on an invalid field. */
export function buildSiweMessage(params: BuildSiweMessageParams): string {
  return createSiweMessage({ ...params, version: '1' });
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 248 = 4 × 62: bytes at or above it are redrawn so every character is equally likely. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % NONCE_ALPHABET.length);

/** A random alphanumeric nonce (default 24 characters ≈ 143 bits) from crypto.getRandomValues. */
export function randomNonce(length = 24): string {
  if (!(Number.isInteger(length) && length >= 16 && length <= 64)) {
    throw new RangeError('randomNonce length must be 16..64');
  }
  let nonce = '';
  const bytes = new Uint8Array(length * 2);
  while (nonce.length < length) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      nonce += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
      if (nonce.length === length) break;
    }
  }
  return nonce;
}
