/**
 * Sign-In with Ethereum (SPEC §5) through a signer the caller passes in: a viem account (a local
 * key in a bot, the demo wallet) or an injected EIP-1193 wallet wrapped by {@link walletSigner}.
 * The message is built by `@tap/signatures` — the same text the server re-serialises and compares
 * byte for byte — from the server's login parameters (its LOGIN_DOMAIN, LOGIN_URI, a chain id it
 * accepts). A page uses its own location: domain = `location.host`, uri = `location.origin`.
 */
import { buildSiweMessage, randomNonce } from '@tap/signatures/message';
import type { TapApi } from './tap-api.js';
import type { ApiResult, LoginAnswer } from './wire.js';

export type Hex = `0x${string}`;

/** What signs the login: viem's `LocalAccount` fits as is. */
export interface TapSigner {
  address: Hex;
  signMessage(args: { message: string }): Promise<Hex>;
}

export interface LoginParams {
  /** The server's LOGIN_DOMAIN (host[:port]). */
  domain: string;
  /** The server's LOGIN_URI. */
  uri: string;
  /** A chain id in the server's LOGIN_CHAIN_IDS. Default 1. */
  chainId?: number;
  /** Issued At; default now. The server accepts ±30 s (LOGIN_SKEW_MS). */
  now?: () => number;
}

/** Signs in and keeps the session token on `api` for the calls that follow. */
export async function signIn(
  api: TapApi,
  signer: TapSigner,
  params: LoginParams,
): Promise<ApiResult<LoginAnswer>> {
  const message = buildSiweMessage({
    address: signer.address,
    domain: params.domain,
    uri: params.uri,
    chainId: params.chainId ?? 1,
    nonce: randomNonce(),
    issuedAt: new Date((params.now ?? Date.now)()),
  });
  const signature = await signer.signMessage({ message });
  const result = await api.login({ message, signature });
  if (result.ok) api.token = result.value.token;
  return result;
}

/** Adapts a viem WalletClient (e.g. over `window.ethereum`) and one of its addresses to a signer. */
export function walletSigner(
  client: { signMessage(args: { account: Hex; message: string }): Promise<Hex> },
  address: Hex,
): TapSigner {
  return { address, signMessage: ({ message }) => client.signMessage({ account: address, message }) };
}
