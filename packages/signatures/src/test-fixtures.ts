/** Typed builders for the tests: a policy and a freshly signed login, each with overrides. */
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import type { SiweLoginInput, SiweLoginPolicy } from './siwe-login.js';
import { type BuildSiweMessageParams, buildSiweMessage, randomNonce } from './siwe-message.js';

export const NOW_MS = Date.parse('2025-06-01T12:00:00.000Z');

export function testPolicy(overrides: Partial<SiweLoginPolicy> = {}): SiweLoginPolicy {
  return {
    domain: 'tap.example',
    uri: 'https://tap.example',
    chainIds: [1, 8453],
    nowMs: NOW_MS,
    skewMs: 30_000,
    ...overrides,
  };
}

export interface SignedLogin {
  input: SiweLoginInput;
  account: PrivateKeyAccount;
  params: BuildSiweMessageParams;
}

export interface LoginOverrides extends Partial<BuildSiweMessageParams> {
  /** The signer (default: a fresh key); the message still names `address` if given. */
  account?: PrivateKeyAccount;
  /** Edits the text before signing, for messages createSiweMessage refuses to build. */
  rewrite?: (message: string) => string;
}

/** A login signed by a fresh key, with the message fields overridable. */
export async function signedLogin(overrides: LoginOverrides = {}): Promise<SignedLogin> {
  const { account = privateKeyToAccount(generatePrivateKey()), rewrite = (m) => m, ...fields } = overrides;
  const params: BuildSiweMessageParams = {
    address: account.address,
    domain: 'tap.example',
    uri: 'https://tap.example/login',
    chainId: 1,
    nonce: randomNonce(),
    issuedAt: new Date(NOW_MS),
    ...fields,
  };
  const message = rewrite(buildSiweMessage(params));
  return { input: { message, signature: await account.signMessage({ message }) }, account, params };
}
