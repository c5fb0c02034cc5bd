import type { TapSigner } from '@tap/client';
import { useState } from 'react';
import { demoSigner, injectedProvider, injectedSigner } from '../wallet/wallets.js';

export interface SignInProps {
  onSignIn(signer: TapSigner): Promise<void>;
  onError(message: string): void;
  error: string;
}

export function SignIn({ onSignIn, onError, error }: SignInProps) {
  const [busy, setBusy] = useState(false);
  const run = async (signer: () => Promise<TapSigner> | TapSigner) => {
    setBusy(true);
    try {
      await onSignIn(await signer());
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>BTC Tap</h1>
      <p>Tap a cell ahead of the price line to bet that BTC touches that band in that window.</p>
      <button type="button" className="primary" disabled={busy} onClick={() => run(() => demoSigner())}>
        Sign in with the demo wallet
      </button>
      <button type="button" disabled={busy || !injectedProvider()} onClick={() => run(injectedSigner)}>
        Sign in with a browser wallet
      </button>
      <p className="hint">
        The demo wallet is a key generated and kept in this browser, for play money only.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
