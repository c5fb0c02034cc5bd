/**
 * Sign-In with Ethereum verification (SPEC §5): an EIP-4361 message signed with EIP-191
 * `personal_sign` is checked against the service's policy and answered with a verdict value whose
 * code names the broken rule (the same string as in @tap/domain ERROR_CODES).
 *
 * Order: cheap checks first (size, parse, domain, URI, chain, time, nonce format, signature
 * shape), then the one CPU-heavy step, signature recovery (≈ 90 µs with libsecp256k1), so junk never costs a recovery.
 * The split into `checkSiweClaim` + `recoverSigner` + `settleSiweLogin` lets the worker pool run
 * only the recovery off the event loop.
 *
 * NOT checked here: nonce reuse. After this returns ok, the HTTP layer claims the nonce with
 * `SET nonce:<userId>:<nonce> 1 NX EX 90` and refuses a login whose nonce was already used.
 * Only EOA signatures are accepted (no EIP-1271 contract wallets: that would need an RPC call).
 *
 * Exactness (SPEC §5): the message must be byte for byte the EIP-4361 text its own fields produce
 * (re-serialised with viem's createSiweMessage, what buildSiweMessage and real wallets' dapps use):
 * no text before or after it, no extra or reordered lines, dates as `toISOString()` writes them,
 * and the address in its EIP-55 checksummed form, as EIP-4361 requires. Otherwise a signature a
 * wallet made over some other text that merely contains sign-in-looking lines could be relayed
 * as a login.
 *
 * Bounds: message ≤ 2 KiB of UTF-8 (checked before any regex runs), nonce 8..64 alphanumerics,
 * signature exactly 65 bytes of hex.
 */
import assert from 'node:assert/strict';
import { type Address, getAddress, type Hex } from 'viem';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import { recoverMessageSigner } from './native-recover.js';

export const SIWE_MESSAGE_BYTES_MAX = 2048;
/** SPEC §5: `|now − issuedAt| ≤ 30 s`. */
export const SIWE_SKEW_MS_DEFAULT = 30_000;
const NONCE_PATTERN = /^[A-Za-z0-9]{8,64}$/;
const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;

export type SiweLoginCode =
  | 'malformed_message'
  | 'domain_mismatch'
  | 'uri_mismatch'
  | 'chain_not_allowed'
  | 'message_expired'
  | 'message_from_future'
  | 'nonce_invalid'
  | 'signature_invalid'
  | 'address_mismatch';

export interface SiweLoginInput {
  message: string;
  signature: string;
}

export interface SiweLoginPolicy {
  /** RFC 3986 authority the message must name, e.g. `tap.example` or `localhost:8080`. */
  domain: string;
  /** Allowed URI: an origin (`https://tap.example`) or an origin plus a path prefix. */
  uri: string;
  chainIds: readonly number[];
  nowMs: number;
  /** Accepted distance between Issued At and now, both directions (SIWE_SKEW_MS_DEFAULT). */
  skewMs: number;
}

export interface SiweLoginSuccess {
  ok: true;
  /** EIP-55 checksummed signer. */
  address: Address;
  /** The lower-cased address: the user id everywhere else (SPEC §2). */
  userId: string;
  nonce: string;
  chainId: number;
  issuedAtMs: number;
  expirationMs?: number;
}

export interface SiweLoginFailure {
  ok: false;
  code: SiweLoginCode;
  message: string;
}

export type SiweLoginResult = SiweLoginSuccess | SiweLoginFailure;

/** What the cheap checks established; only the signer is left to prove. */
export interface SiweClaim {
  claimedUserId: string;
  nonce: string;
  chainId: number;
  issuedAtMs: number;
  expirationMs?: number;
}

export type SiweClaimCheck = { ok: true; claim: SiweClaim; signature: Hex } | SiweLoginFailure;

/** Checks an EIP-4361 login end to end on the calling thread. */
export function verifySiweLogin(input: SiweLoginInput, policy: SiweLoginPolicy): SiweLoginResult {
  const checked = checkSiweClaim(input, policy);
  if (!checked.ok) return checked;
  return settleSiweLogin(checked.claim, recoverSigner(input.message, checked.signature));
}

/** Every check except signature recovery; pure and cheap (a few regexes on ≤ 2 KiB). */
export function checkSiweClaim(input: SiweLoginInput, policy: SiweLoginPolicy): SiweClaimCheck {
  const allowedUri = policyUri(policy);
  const { message, signature } = input;
  if (typeof message !== 'string' || Buffer.byteLength(message, 'utf8') > SIWE_MESSAGE_BYTES_MAX) {
    return fail(
      'malformed_message',
      `the message must be a string of at most ${SIWE_MESSAGE_BYTES_MAX} bytes`,
    );
  }
  const fields = parseSiweMessage(message);
  const { address, domain, uri, chainId, nonce, issuedAt, expirationTime, notBefore } = fields;
  // viem's parser returns whatever it could match; EIP-4361 makes these fields mandatory.
  if (!address || !domain || !uri || fields.version !== '1' || chainId === undefined || !nonce || !issuedAt) {
    return fail('malformed_message', 'the message is not EIP-4361 text with all required fields');
  }
  if (address !== checksummed(address)) {
    return fail('malformed_message', 'the address must be in its EIP-55 checksummed form');
  }
  const issuedAtMs = issuedAt.getTime();
  const expirationMs = expirationTime?.getTime();
  const notBeforeMs = notBefore?.getTime();
  if ([issuedAtMs, expirationMs, notBeforeMs].some((ms) => Number.isNaN(ms))) {
    return fail('malformed_message', 'a date in the message is not an RFC 3339 date-time');
  }
  if (domain.toLowerCase() !== policy.domain.toLowerCase()) {
    return fail('domain_mismatch', `the message is for domain ${domain}`);
  }
  if (!uriAllowed(uri, allowedUri)) return fail('uri_mismatch', 'the message URI is not under this service');
  if (!Number.isSafeInteger(chainId) || !policy.chainIds.includes(chainId)) {
    return fail('chain_not_allowed', `chain ${chainId} is not accepted`);
  }
  const timeFailure = checkTimes(policy, issuedAtMs, expirationMs, notBeforeMs);
  if (timeFailure) return timeFailure;
  if (!NONCE_PATTERN.test(nonce)) return fail('nonce_invalid', 'the nonce must be 8 to 64 alphanumerics');
  if (!isCanonical(message, fields)) {
    return fail('malformed_message', 'the message is not exactly the EIP-4361 text of its fields');
  }
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) {
    return fail('signature_invalid', 'the signature must be 65 bytes of 0x-prefixed hex');
  }
  const claim: SiweClaim = { claimedUserId: address.toLowerCase(), nonce, chainId, issuedAtMs };
  if (expirationMs !== undefined) claim.expirationMs = expirationMs;
  return { ok: true, claim, signature: signature as Hex };
}

/**
 * EIP-191 recovery: the CPU-heavy step (≈ 90 µs natively, native-recover.ts). Never throws; null
 * means the signature does not recover to any key (a bad recovery byte, r or s out of range, a
 * point not on the curve).
 */
export function recoverSigner(message: string, signature: Hex): Address | null {
  return recoverMessageSigner(message, signature);
}

/** Turns a checked claim plus the recovered signer into the final verdict. */
export function settleSiweLogin(claim: SiweClaim, signer: Address | null): SiweLoginResult {
  if (signer === null) return fail('signature_invalid', 'the signature does not recover to an address');
  const userId = signer.toLowerCase();
  if (userId !== claim.claimedUserId)
    return fail('address_mismatch', 'the signature was made by another address');
  const success: SiweLoginSuccess = {
    ok: true,
    address: getAddress(signer),
    userId,
    nonce: claim.nonce,
    chainId: claim.chainId,
    issuedAtMs: claim.issuedAtMs,
  };
  if (claim.expirationMs !== undefined) success.expirationMs = claim.expirationMs;
  return success;
}

function checkTimes(
  policy: SiweLoginPolicy,
  issuedAtMs: number,
  expirationMs: number | undefined,
  notBeforeMs: number | undefined,
): SiweLoginFailure | null {
  const { nowMs, skewMs } = policy;
  if (issuedAtMs < nowMs - skewMs)
    return fail('message_expired', `the message was issued more than ${skewMs} ms ago`);
  if (expirationMs !== undefined && expirationMs <= nowMs)
    return fail('message_expired', 'the message has expired');
  if (issuedAtMs > nowMs + skewMs) {
    return fail('message_from_future', `the message is issued more than ${skewMs} ms in the future`);
  }
  if (notBeforeMs !== undefined && notBeforeMs > nowMs)
    return fail('message_from_future', 'the message is not valid yet');
  return null;
}

/**
 * Same origin, and the path equal to or below the allowed path. Compared on parsed URLs so
 * `https://tap.example.evil.com` or `https://tap.example/app/../admin` cannot pass a prefix test.
 */
function uriAllowed(uri: string, allowed: URL): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // A URI the WHATWG parser rejects cannot be ours.
    return false;
  }
  if (url.origin !== allowed.origin) return false;
  const base = allowed.pathname;
  if (base === '/') return true;
  return url.pathname === base || url.pathname.startsWith(base.endsWith('/') ? base : `${base}/`);
}

function checksummed(address: string): string | null {
  try {
    return getAddress(address);
  } catch {
    // Not 20 bytes of hex: it cannot be the checksummed form of anything.
    return null;
  }
}

/** The message equals the EIP-4361 text of its own parsed fields, byte for byte. */
function isCanonical(message: string, fields: ReturnType<typeof parseSiweMessage>): boolean {
  try {
    return createSiweMessage(fields as Parameters<typeof createSiweMessage>[0]) === message;
  } catch {
    // createSiweMessage refuses invalid fields (a bad URI, domain or nonce): not canonical text.
    return false;
  }
}

/** A bad policy is a configuration bug, not a client error: crash loudly. */
function policyUri(policy: SiweLoginPolicy): URL {
  assert.ok(policy.domain.length > 0, 'policy.domain is empty');
  assert.ok(policy.chainIds.length > 0, 'policy.chainIds is empty');
  assert.ok(Number.isFinite(policy.nowMs) && policy.skewMs >= 0, 'policy.nowMs/skewMs are not valid');
  const allowed = new URL(policy.uri);
  assert.notEqual(allowed.origin, 'null', `policy.uri ${policy.uri} has no origin`);
  return allowed;
}

function fail(code: SiweLoginCode, message: string): SiweLoginFailure {
  return { ok: false, code, message };
}
