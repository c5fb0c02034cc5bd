/**
 * The two ways to sign in (SPEC §5): a demo wallet — a key generated in this browser and kept in
 * localStorage, so the demo works without any extension (it holds play money only: anyone with
 * access to this browser profile can use it) — or an injected EIP-1193 wallet through viem.
 */
import { type Hex, type TapSigner, walletSigner } from '@tap/client';
import { createWalletClient, custom, type EIP1193Provider } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const DEMO_KEY = 'tap.demo-wallet.v1';

export function demoSigner(storage: Storage = localStorage): TapSigner {
  let key = storage.getItem(DEMO_KEY) as Hex | null;
  if (!key || !/^0x[0-9a-f]{64}$/i.test(key)) {
    key = generatePrivateKey();
    storage.setItem(DEMO_KEY, key);
  }
  return privateKeyToAccount(key);
}

export function injectedProvider(): EIP1193Provider | null {
  return (globalThis as { ethereum?: EIP1193Provider }).ethereum ?? null;
}

/** Asks the injected wallet for an account (its own consent prompt) and signs through it. */
export async function injectedSigner(): Promise<TapSigner> {
  const provider = injectedProvider();
  if (!provider) throw new Error('no browser wallet found');
  const client = createWalletClient({ transport: custom(provider) });
  const [address] = await client.requestAddresses();
  if (!address) throw new Error('the wallet gave no account');
  return walletSigner(client, address);
}
